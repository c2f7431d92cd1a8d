from sqlalchemy import BigInteger, Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Event(Base):
    __tablename__ = "events"
    # BIGINT on PostgreSQL/MySQL, INTEGER (a rowid alias that auto-increments) on SQLite
    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    name = Column(String(80))
