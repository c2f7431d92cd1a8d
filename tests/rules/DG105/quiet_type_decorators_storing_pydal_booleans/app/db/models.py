import sqlalchemy as sa
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

from app.db.types import PyDALBoolean

Base = declarative_base()


class TFBoolean(TypeDecorator):
    impl = sa.CHAR(1)
    cache_ok = True


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    is_active = sa.Column(PyDALBoolean(), nullable=False)
    is_admin = sa.Column(TFBoolean)
    is_staff = sa.Column(sa.String(1))  # holding 'T'/'F', as DG112 recommends
