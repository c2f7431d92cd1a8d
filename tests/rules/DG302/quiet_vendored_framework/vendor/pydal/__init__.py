from .base import DAL
from .objects import Field
