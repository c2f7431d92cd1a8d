import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

from app.db.types import Settings

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    settings = sa.Column(Settings())
