import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    is_active = sa.Column(sa.CHAR(1))  # 'T'/'F': PyDAL's boolean storage, but not on postgres3://
