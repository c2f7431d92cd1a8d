import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"
    id = sa.Column(sa.Integer, primary_key=True)
    state = sa.Column(sa.Enum("new", "paid", "shipped", name="order_state"))
    kind = sa.Column(sa.Enum("retail", "wholesale", name="order_kind"))
