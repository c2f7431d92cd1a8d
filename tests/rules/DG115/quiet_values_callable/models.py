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
    # values_callable: SQLAlchemy stores the member values, 'active' and 'banned'
    status = Column(Enum(Status, values_callable=lambda e: [m.value for m in e]))
