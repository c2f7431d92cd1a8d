from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class AuthUser(Base):
    __tablename__ = "auth_user"
    id = Column(Integer, primary_key=True)
    email = Column(String(512))
    phone = Column(String(512))
