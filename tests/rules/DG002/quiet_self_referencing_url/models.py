import os

from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.orm import declarative_base

Base = declarative_base()

url = os.environ.get("DATABASE_URL", "sqlite://")
url = url.replace("?ssl=disable", "")
engine = create_engine(url)


class Doc(Base):
    __tablename__ = "docs"
    id = Column(Integer, primary_key=True)
    title = Column(String(200))
