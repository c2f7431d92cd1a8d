"""The SQLAlchemy names a runtime module uses when it opens sessions or engines,
builds statements or declares models: what the summariser records and DG401 reports."""

from __future__ import annotations

SESSION_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.session.sessionmaker",
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoping.scoped_session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.async_sessionmaker",
        "sqlalchemy.ext.asyncio.async_scoped_session",
    }
)
ENGINE_FACTORIES = frozenset(
    {"sqlalchemy.create_engine", "sqlalchemy.engine.create_engine", "sqlalchemy.ext.asyncio.create_async_engine"}
)
STATEMENTS = frozenset({"select", "insert", "update", "delete"})
DECLARATIVE_BASES = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
    }
)
BASE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
    }
)
QUERY_METHODS = frozenset({"query", "execute", "scalars", "scalar", "add", "add_all", "merge", "exec_driver_sql"})
