import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Event(Base):
    __tablename__ = "events"
    # the variant is the wrong way round: BIGINT exactly where it breaks PyDAL's inserts
    id = sa.Column(sa.Integer().with_variant(sa.BigInteger(), "sqlite"), primary_key=True)
    name = sa.Column(sa.String(80))
