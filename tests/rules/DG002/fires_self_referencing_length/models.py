from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()

TITLE_LEN = TITLE_LEN + 1  # refers to itself: no value to read


class Doc(Base):
    __tablename__ = "docs"
    id = Column(Integer, primary_key=True)
    title = Column(String(TITLE_LEN))
