import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Job(Base):
    __tablename__ = "jobs"
    id = sa.Column(sa.Integer, primary_key=True)
    timeout = sa.Column(postgresql.INTERVAL)
    retry_after = sa.Column(sa.Interval)
