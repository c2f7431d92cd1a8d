import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Counter(Base):
    __tablename__ = "counters"
    id = sa.Column(sa.Integer, primary_key=True)
    hits = sa.Column(sa.Integer)  # on SQLite every integer column holds 64 bits
    bytes_sent = sa.Column(sa.BigInteger)
    small = sa.Column(sa.SmallInteger)  # PyDAL has nothing narrower than integer: not compared
