import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Invoice(Base):
    __tablename__ = "invoices"
    id = sa.Column(sa.Integer, primary_key=True)
    # SQLite has no exact decimal storage: SQLAlchemy's NUMERIC and PyDAL's DOUBLE
    # store the same binary number, whichever layer writes it
    total = sa.Column(sa.Numeric(12, 2), nullable=False)
    tax = sa.Column(sa.Numeric(12, 2))
