from .core import DAL
