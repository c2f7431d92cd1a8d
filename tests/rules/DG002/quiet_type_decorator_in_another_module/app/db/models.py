import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

from app.db.types import Email, Money, UTCDateTime

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(Email(), nullable=False)
    balance = sa.Column(Money)
    seen_at = sa.Column(UTCDateTime())
