from sqlalchemy import Column, Integer
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.dialects.mysql import LONGTEXT, MEDIUMINT
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Document(Base):
    __tablename__ = "documents"
    id = Column(Integer, primary_key=True)
    body = Column(LONGTEXT)  # what PyDAL's `text` creates on MySQL
    summary = Column(mysql.MEDIUMTEXT)
    note = Column(mysql.TINYTEXT)
    views = Column(mysql.INTEGER(unsigned=True))
    rank = Column(MEDIUMINT)
    edited_at = Column(mysql.DATETIME(fsp=6))
    published_at = Column(postgresql.TIMESTAMP(timezone=True))
    score = Column(postgresql.DOUBLE_PRECISION)
    raw = Column(postgresql.BYTEA)
    meta = Column(postgresql.JSONB)
