import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class PyDALBoolean(TypeDecorator):
    """Booleans stored the way PyDAL stores them: 'T' / 'F' in a CHAR(1)."""

    impl = sa.CHAR(1)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else ("T" if value else "F")

    def process_result_value(self, value, dialect):
        return None if value is None else value == "T"
