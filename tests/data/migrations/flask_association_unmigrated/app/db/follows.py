"""An association table in a module of its own, on db.Model's metadata."""
from sqlalchemy import Column, ForeignKey, Integer, Table

from app.db import db

user_follows = Table(
    "user_follows",
    db.Model.metadata,
    Column("follower_id", Integer, ForeignKey("user.id"), primary_key=True),
    Column("followed_id", Integer, ForeignKey("user.id"), primary_key=True),
)
