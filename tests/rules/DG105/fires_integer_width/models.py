import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Counter(Base):
    __tablename__ = "counters"
    id = sa.Column(sa.Integer, primary_key=True)
    hits = sa.Column(sa.Integer)  # 32-bit: PyDAL's bigint writes overflow it
    bytes_sent = sa.Column(sa.BigInteger)  # 64-bit: PyDAL's integer validator stops at 2**31
    small = sa.Column(sa.SmallInteger)  # PyDAL has nothing narrower than integer: not compared
