"""Column types shared by the models, in a module of their own."""
import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Naive UTC datetimes in, aware ones out."""

    impl = sa.DateTime
    cache_ok = True


class Email(TypeDecorator):
    impl = sa.String(255)
    cache_ok = True


Money = sa.Numeric(12, 2)
