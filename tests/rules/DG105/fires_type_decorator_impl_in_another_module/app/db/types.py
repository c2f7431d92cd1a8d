import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class Settings(TypeDecorator):
    """A dict stored as JSON."""

    impl = sa.JSON
    cache_ok = True
