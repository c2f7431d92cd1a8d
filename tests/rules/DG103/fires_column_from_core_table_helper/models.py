import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def audit_columns():
    return [sa.Column("created_at", sa.DateTime, nullable=False)]


events = sa.Table(
    "events",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(512)),
    *audit_columns(),
)
