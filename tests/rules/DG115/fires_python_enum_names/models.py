import enum

from sqlalchemy import Column, Enum, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Status(enum.Enum):
    ACTIVE = "active"
    BANNED = "banned"


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    status = Column(Enum(Status))  # SQLAlchemy stores the member names: 'ACTIVE', 'BANNED'
