"""SQLAlchemy used outside the schema layer (DG401): what counts, and module names.

The facts come from :func:`drift_guard.extract.runtime_summary.summarize_runtime`,
which records per module: imports (to be matched against the model modules and
their ``Base``), calls that open ORM sessions or engines, SQLAlchemy statement
constructors (``select(User)``), whether anything is queried through a
session/connection (``.query(``, ``.execute(``, ``.scalars(`` ...), and
declarative bases defined on the spot with how many classes subclass them.
Matching against the service's model files happens in the rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from drift_guard.extract.runtime_summary import RuntimeSummary, SqlaUse

SESSION_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.session.sessionmaker", "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoping.scoped_session", "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.async_sessionmaker", "sqlalchemy.ext.asyncio.async_scoped_session",
    }
)
ENGINE_FACTORIES = frozenset(
    {"sqlalchemy.create_engine", "sqlalchemy.engine.create_engine", "sqlalchemy.ext.asyncio.create_async_engine"}
)
STATEMENTS = frozenset({"select", "insert", "update", "delete"})
DECLARATIVE_BASES = frozenset(
    {"sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta", "sqlalchemy.orm.decl_api.DeclarativeBase"}
)
BASE_FACTORIES = frozenset(
    {"sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base", "sqlalchemy.orm.decl_api.declarative_base"}
)
QUERY_METHODS = frozenset({"query", "execute", "scalars", "scalar", "add", "add_all", "merge", "exec_driver_sql"})


def module_name(path: Path, roots: Iterable[Path]) -> str | None:
    """Dotted module name of ``path`` under the first import root containing it."""
    resolved = path.resolve()
    for root in roots:
        try:
            rel = resolved.relative_to(root.resolve()).with_suffix("")
        except ValueError:
            continue
        parts = list(rel.parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts) if parts else None
    return None


def package_of(path: Path, roots: Sequence[Path]) -> str | None:
    name = module_name(path, roots)
    if name is None:
        return None
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def layer_uses(summary: RuntimeSummary) -> list[SqlaUse]:
    """The module's SQLAlchemy uses in source order: sessions, engines and
    statements, and each declarative base with its number of model classes."""
    from drift_guard.extract.runtime_summary import SqlaUse

    uses = list(summary.sqla_uses)
    for base in summary.declarative_bases:
        count = base.subclasses
        uses.append(SqlaUse("base", base.location, f"{base.spelled} ({count} model class{'es' if count != 1 else ''})"))
    uses.sort(key=lambda u: (u.location.line, u.location.column))
    return uses
