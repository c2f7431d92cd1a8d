"""The database a service really runs on, and the physical column types each
layer creates there.

Target dialect, first match wins: the literal ``DAL(...)`` URI scheme in the
service's runtime modules (or, failing that, the literal default of
``DAL(os.environ.get("DATABASE_URL", "postgres3://..."))``, the only place the
code names the PyDAL variant; PyDAL picks its dialect class by scheme: ``postgres``
keeps lists as text, ``postgres2`` uses arrays, ``postgres3`` arrays and native
booleans), else ``alembic.ini``'s ``sqlalchemy.url``, else the configured
``dialect``, else unknown (DG112 stays silent and :func:`dialect_problems` says
why, for DG002).

Physical types come from the libraries themselves: PyDAL's dialect classes
instantiated without a connection (``SQLiteDialect(None).types``), and
SQLAlchemy's type compiler (``type_obj.compile(dialect=postgresql.dialect())``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from drift_guard.schema import UNKNOWN, ColumnType, Location, Problem, ProblemKind

if TYPE_CHECKING:
    from sqlalchemy.types import TypeEngine

    from drift_guard.context import ServiceContext

# PyDAL scheme -> (family, PyDAL dialect class). postgres* use the *JSON
# variants: PyDAL's psycopg2 adapter switches to them while it connects when
# psycopg2.__version__ >= "2.0.12" and the server is 9.2+ (pydal/adapters/postgres.py),
# which holds for any realistic setup.
_PYDAL_DIALECTS = {
    "sqlite": ("sqlite", "pydal.dialects.sqlite", "SQLiteDialect"),
    "spatialite": ("sqlite", "pydal.dialects.sqlite", "SpatialiteDialect"),
    "postgres": ("postgres", "pydal.dialects.postgre", "PostgreDialectJSON"),
    "postgres2": ("postgres", "pydal.dialects.postgre", "PostgreDialectArraysJSON"),
    "postgres3": ("postgres", "pydal.dialects.postgre", "PostgreDialectBooleanJSON"),
    "mysql": ("mysql", "pydal.dialects.mysql", "MySQLDialect"),
    "mssql": ("mssql", "pydal.dialects.mssql", "MSSQLDialect"),
}
# family -> SQLAlchemy's dialect name (what ``with_variant(type, "<name>")`` names)
_SA_NAMES = {"sqlite": "sqlite", "postgres": "postgresql", "mysql": "mysql", "mssql": "mssql"}
_SA_DIALECTS: dict[str, tuple[str, dict[str, object]]] = {
    "sqlite": ("sqlalchemy.dialects.sqlite", {}),
    "postgres": ("sqlalchemy.dialects.postgresql", {}),
    "mysql": ("sqlalchemy.dialects.mysql", {}),
    "mssql": ("sqlalchemy.dialects.mssql", {}),
}
# SQLAlchemy URL backend -> the PyDAL scheme PyDAL would use by default.
_SA_BACKENDS = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "mssql": "mssql",
}
_CONFIG_NAMES = {**_SA_BACKENDS, "postgres2": "postgres2", "postgres3": "postgres3", "spatialite": "spatialite"}
_PYDAL_SCHEME = re.compile(r"^(?:jdbc:|google:)?(\w+)(?::\w+)*(?::memory|://)")


@dataclass(frozen=True)
class Target:
    """A database the service runs on, as both layers see it."""

    scheme: str  # PyDAL scheme: sqlite, postgres, postgres2, postgres3, mysql, mssql
    source: str  # where it came from, for messages ("DAL URI", "alembic.ini", ...)
    location: Location | None = None

    @property
    def family(self) -> str:
        return _PYDAL_DIALECTS[self.scheme][0]

    @property
    def sa_dialect(self) -> str:
        """SQLAlchemy's name for this database (``postgresql``), as ``with_variant`` uses it."""
        return _SA_NAMES[self.family]

    @property
    def shown(self) -> str:
        return "sqlite" if self.scheme == "sqlite" else f"{self.scheme}://"


def pydal_scheme(uri: str) -> str | None:
    """``postgres:psycopg2://...`` -> ``postgres``; ``sqlite:memory`` -> ``sqlite``."""
    match = _PYDAL_SCHEME.match(uri.strip())
    if match is None:
        return None
    scheme = match.group(1).lower()
    return scheme if scheme in _PYDAL_DIALECTS else None


def sqlalchemy_scheme(url: str) -> str | None:
    """``postgresql+psycopg2://`` -> ``postgres``, ``mariadb://`` -> ``mysql``."""
    backend = url.strip().split("://", 1)[0].split("+", 1)[0].lower() if "://" in url else ""
    return _SA_BACKENDS.get(backend)


def configured_scheme(name: str) -> str | None:
    return _CONFIG_NAMES.get(name.strip().lower())


def _alembic_url(ctx: ServiceContext) -> tuple[str, Location] | None:
    from drift_guard.discovery.alembic_ini import ini_text, raw_ini

    ini = ctx.service.alembic_ini
    if ini is None:
        return None
    parser = raw_ini(ini)
    if parser is None:
        return None
    from drift_guard.session import canonical

    for section in parser.sections():
        url = parser.get(section, "sqlalchemy.url", fallback=None)
        if url:
            return url, Location(canonical(ini), _line_of(ini_text(ini), "sqlalchemy.url"))
    return None


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(needle):
            return number
    return 1


def target_dialects(ctx: ServiceContext) -> tuple[Target, ...]:
    """Every dialect the service's literal ``DAL`` URIs name (deduplicated, in
    source order), else the one from alembic.ini or configuration; () if unknown."""
    from drift_guard.extract.runtime import runtime_summaries

    literal: dict[str, Target] = {}
    defaults: dict[str, Target] = {}
    for _, module in runtime_summaries(ctx):
        for call in module.dal_calls:
            scheme = pydal_scheme(call.uri) if call.uri else None
            if scheme is None:
                continue
            if call.uri_is_default:
                defaults.setdefault(scheme, Target(scheme, "the DAL URI's default", call.location))
            else:
                literal.setdefault(scheme, Target(scheme, "the DAL URI", call.location))
    if literal or defaults:
        return tuple((literal or defaults).values())
    alembic = _alembic_url(ctx)
    scheme = sqlalchemy_scheme(alembic[0]) if alembic is not None else None
    if alembic is not None and scheme:
        return (Target(scheme, "alembic.ini's sqlalchemy.url", alembic[1]),)
    for name in (getattr(ctx.config, "dialect", None), ctx.service.dialect):
        scheme = configured_scheme(name) if name else None
        if scheme:
            return (Target(scheme, "the configured dialect"),)
    return ()


def dialect_problems(ctx: ServiceContext) -> list[Problem]:
    """One DG002 note when the target dialect is unknown and DG112 therefore
    cannot run, located at the first DAL call or the service's alembic.ini."""
    if not (ctx.service.pydal_files and ctx.service.model_files) or target_dialects(ctx):
        return []  # nothing for DG112 to compare, or nothing missing
    from drift_guard.extract.runtime import runtime_summaries
    from drift_guard.session import canonical

    dals = [call for _, module in runtime_summaries(ctx) for call in module.dal_calls]
    if dals:
        location = dals[0].location
    elif ctx.service.alembic_ini is not None:
        location = Location(canonical(ctx.service.alembic_ini))
    else:
        location = Location(canonical(ctx.service.pydal_files[0]))
    return [
        Problem(
            ProblemKind.UNRESOLVED,
            "the target database is unknown (no literal DAL URI, no usable sqlalchemy.url in alembic.ini, "
            "no configured dialect), so representation checks (DG112) were skipped; "
            'set `dialect` (e.g. "postgres3", "mysql", "sqlite") in [tool.drift_guard]',
            location,
        )
    ]


# --------------------------------------------------------------------------- physical types


@cache
def _pydal_types(scheme: str) -> dict[str, str]:
    import importlib

    _, module, name = _PYDAL_DIALECTS[scheme]
    return dict(getattr(importlib.import_module(module), name)(None).types)


def pydal_physical(ctype: ColumnType, scheme: str) -> str | None:
    """The SQL type PyDAL declares for ``ctype`` on ``scheme`` (no constraints)."""
    from drift_guard.types import pydal_base_type

    if not ctype.pydal_type:
        return None
    template = _pydal_types(scheme).get(pydal_base_type(ctype.pydal_type))
    if template is None:
        return None
    values = {"length": ctype.length, "precision": ctype.precision, "scale": ctype.scale}
    if any(f"%({k})s" in template and (v is None or v is UNKNOWN) for k, v in values.items()):
        return None
    # keep the type itself: drop FK clauses and the null/unique placeholders
    head = re.split(r" REFERENCES |, INDEX |, CONSTRAINT | ?%\((?!length|precision|scale)", template)[0]
    return (head % values).strip()


def sa_type_object(ctype: ColumnType) -> TypeEngine[Any] | None:
    """A real SQLAlchemy type object rebuilt from the model's literal arguments."""
    from drift_guard.types import sqlalchemy_class

    cls = sqlalchemy_class(ctype.sa_type) if ctype.sa_type else None
    if cls is None:
        return None
    args: list[object] = [a for a in ctype.args if isinstance(a, (int, str, bool)) or a is None]
    kwargs = {k: v for k, v in ctype.kwargs if isinstance(v, (int, str, bool)) or v is None}
    if ctype.item is not None:
        item = sa_type_object(ctype.item)
        if item is None:
            return None
        args = [item]
    try:
        return cls(*args, **kwargs)
    except TypeError:  # literal arguments that do not fit: fall back to the bare type
        try:
            return cls()
        except TypeError:
            return None


def model_physical(ctype: ColumnType, scheme: str) -> str | None:
    """The SQL type SQLAlchemy creates for ``ctype`` on ``scheme``'s database."""
    import importlib

    from sqlalchemy.exc import CompileError

    family = _PYDAL_DIALECTS[scheme][0]
    type_obj = sa_type_object(ctype.on(_SA_NAMES[family]))  # its with_variant for this database
    if type_obj is None:
        return None
    module, kwargs = _SA_DIALECTS[family]
    dialect = importlib.import_module(module).dialect(**kwargs)
    try:
        return type_obj.compile(dialect=dialect)
    except CompileError:  # e.g. ARRAY on SQLite: the model cannot even be created there
        return None
