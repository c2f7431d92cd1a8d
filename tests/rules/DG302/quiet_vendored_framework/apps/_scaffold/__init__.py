from .common import db
