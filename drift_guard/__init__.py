"""drift-guard: catch drift between SQLAlchemy/Alembic models and PyDAL tables, statically."""

__version__ = "0.1.0"
