"""DG4xx: SQLAlchemy is for the schema, PyDAL for run time.

Runtime modules are the service's Python files minus tests, virtualenvs, the
Alembic folder and ``runtime-exclude``; for DG401 the schema layer (the model
files and ``schema-paths``) is excluded as well.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, rule

if TYPE_CHECKING:
    from pathlib import Path

    from drift_guard.context import ServiceContext
    from drift_guard.extract.runtime.summary import ImportUse


def _roots(ctx: ServiceContext) -> tuple[Path, ...]:
    return tuple(ctx.service.import_roots) or (ctx.service.root,)


def _schema_layer(ctx: ServiceContext) -> tuple[set[str], set[str], set[str]]:
    """(model module names, model class names, qualified Base names)."""
    from drift_guard.extract.runtime.layers import module_name

    roots = _roots(ctx)
    modules = {name for f in ctx.service.model_files if (name := module_name(f, roots))}
    symbols = {t.symbol for t in ctx.models.tables if t.symbol} if ctx.service.model_files else set()
    return modules, symbols, set(ctx.service.model_bases)


def _schema_layer_files(ctx: ServiceContext) -> set[Path]:
    """Modules that belong to the schema layer, so importing models there is
    their job: the files that define the models (and their base and column
    types), env.py, and what env.py's imports run while it loads (the package
    ``__init__`` that re-exports ``Base``). Nothing else: sharing a package with
    a model file does not make a module schema code (Flask's ``app/extensions.py``
    holds ``db = SQLAlchemy()``, and ``app/views.py`` beside it is runtime code)."""
    service = ctx.service
    layer = {p.resolve() for p in (*service.model_files, *service.env_reached_files)}
    if service.env_py is not None:
        layer.add(service.env_py.resolve())
    return layer


def _imports_models(use: ImportUse, modules: set[str], symbols: set[str], bases: set[str]) -> bool:
    if use.name is None:
        return use.module in modules
    if f"{use.module}.{use.name}" in modules | bases:
        return True
    if use.module in modules:
        return use.name == "*" or use.name in symbols or use.name in {b.rsplit(".", 1)[-1] for b in bases}
    return False


_USE_MESSAGES = {
    "session": "opens a SQLAlchemy ORM session `{}` and queries through it",
    "engine": "creates a SQLAlchemy engine `{}` and queries through it",
    "statement": "builds a SQLAlchemy statement `{}`",
    "base": "defines declarative models on a second base: `{}`",
}


@rule("DG401", "sqlalchemy-at-runtime", Severity.ERROR, group=Group.LAYERING, needs=("runtime", "models"))
def sqlalchemy_at_runtime(ctx: ServiceContext) -> Iterator[Finding]:
    """Runtime code uses the SQLAlchemy layer that exists only to own the schema.

    ## What it does
    In every module outside the schema layer (the files that define the models,
    what `env.py` runs while it loads, the Alembic folder, `schema-paths`,
    tests), reports: importing the SQLAlchemy model classes or
    their `Base`; opening an ORM `Session`/`sessionmaker`/`create_engine` in a
    module that queries through it (`.query(...)`, `.execute(...)`,
    `.scalars(...)`, `.add(...)`); SQLAlchemy statements such as `select(User)`;
    and declarative models defined on a second base. While a model file cannot be
    read (DG001) it stays silent: which modules are schema code is not known then.

    ## Why is this bad?
    The architecture splits the work: SQLAlchemy + Alembic own the schema, PyDAL
    does every runtime query. A second runtime path through SQLAlchemy has its own
    connection pool, transactions and value encodings (booleans, lists, JSON),
    which disagree with PyDAL's (see DG112), and it bypasses PyDAL's tables.

    ## Example
    ```python
    from app.db.models import User          # app/services/users.py
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return session.query(User).filter_by(email=email).first()
    ```

    ## Use instead
    ```python
    db = get_db()                                      # app/services/users.py
    return db(db.users.email == email).select().first()
    ```

    ## How to fix
    Query through PyDAL (`db(db.users.email == email).select().first()`); if the
    module really belongs to the schema layer, add it to `schema-paths`.
    """
    if not ctx.service.pydal_files:
        return  # no PyDAL layer: SQLAlchemy *is* the runtime layer here (DG403 says so once)
    if not ctx.models_fully_read:
        # which modules are schema code (the models, what env.py runs through them) is
        # unknown past an unreadable model file: its DG001 says so, no guesses here
        return
    modules, symbols, bases = _schema_layer(ctx)
    from drift_guard.extract.runtime import matches_any, runtime_summaries
    from drift_guard.extract.runtime.layers import layer_uses

    excluded = _schema_layer_files(ctx)
    schema_paths = tuple(getattr(ctx.config, "schema_paths", ()))
    roots = (ctx.service.root, ctx.config.root)
    for path, scanned in runtime_summaries(ctx):
        if path.resolve() in excluded or (schema_paths and matches_any(path, roots, schema_paths)):
            continue
        for use in scanned.imports:
            if _imports_models(use, modules, symbols, bases):
                yield sqlalchemy_at_runtime.finding(
                    f"runtime module imports the SQLAlchemy models: `{use.spelled}`",
                    "query through PyDAL instead; SQLAlchemy models are for the schema only",
                    use.location,
                )
        for sa_use in layer_uses(scanned):
            if sa_use.kind in ("session", "engine") and not scanned.queries:
                continue
            yield sqlalchemy_at_runtime.finding(
                f"runtime module {_USE_MESSAGES[sa_use.kind].format(sa_use.spelled)}",
                "query through PyDAL instead; SQLAlchemy is for the schema only",
                sa_use.location,
            )


def _pydal_attributes_cached(ctx: ServiceContext) -> tuple[frozenset[str], frozenset[str]]:
    """:func:`pydal_attributes`, kept in the cache per installed PyDAL (its
    ``__init__.py`` names the version): importing PyDAL costs more than the
    rule itself on a run where one route module changed."""
    return ctx.session.cached_for_package("pydal-attributes", "pydal", pydal_attributes)


@lru_cache(maxsize=1)
def pydal_attributes() -> tuple[frozenset[str], frozenset[str]]:
    """Names that are attributes of a DAL object and of a PyDAL Table (not
    tables/fields), read from PyDAL itself on a connection-less DAL."""
    from pydal import DAL, Field

    db = DAL(None)
    table = db.define_table("drift_guard_probe", Field("drift_guard_field"))
    dal_attrs = (set(dir(DAL)) | set(vars(db))) - {"drift_guard_probe"}
    table_attrs = (set(dir(type(table))) | set(vars(table)) | {"ALL"}) - {"drift_guard_field"}
    return frozenset(dal_attrs), frozenset(table_attrs)


def _tables(ctx: ServiceContext) -> dict[str, set[str]]:
    """Table name (as PyDAL code spells it) -> every field/column name it has."""
    known: dict[str, set[str]] = {}
    for table in ctx.models.tables if ctx.service.model_files else ():
        known.setdefault(table.name, set()).update(c.name for c in table.columns)
    for table in ctx.pydal.tables if ctx.service.pydal_files else ():
        names = {c.attribute for c in table.columns} | {c.name for c in table.columns}
        for key in {table.symbol or table.name, table.name}:
            known.setdefault(key, set()).update(names)
    return known


def _partial(ctx: ServiceContext) -> set[str]:
    tables = [
        *(ctx.pydal.tables if ctx.service.pydal_files else ()),
        *(ctx.models.tables if ctx.service.model_files else ()),
    ]
    return {t.symbol or t.name for t in tables if t.partial} | {t.name for t in tables if t.partial}


@rule("DG402", "unknown-table-reference", Severity.ERROR, group=Group.LAYERING, needs=("runtime", "pydal"))
def unknown_table_reference(ctx: ServiceContext) -> Iterator[Finding]:
    """Runtime code uses `db.<table>` or `db.<table>.<field>` that neither layer defines.

    ## What it does
    Finds attribute access on DAL objects (names bound to `DAL(...)`, to a
    function returning one such as `get_db()`, or imported from the module that
    defines one) and reports a table defined in neither the PyDAL tables nor the
    SQLAlchemy models, or a field that the table has in neither layer.

    ## Why is this bad?
    PyDAL resolves `db.users.nickname` only when the line runs: a renamed
    column passes every import-time check and fails in production with
    `AttributeError`.

    ## Example
    ```python
    db.define_table("users", Field("email"))
    db(db.users.mail == address).select()   # the field is `email`
    ```

    ## Use instead
    ```python
    db(db.users.email == address).select()
    ```

    ## How to fix
    Use the name the table/field is defined with, or define it in both layers.
    """
    from drift_guard.extract.runtime import runtime_summaries
    from drift_guard.extract.runtime.refs import table_refs

    refs = table_refs([summary for _, summary in runtime_summaries(ctx)])
    if not refs or not (ctx.models_fully_read and ctx.pydal_fully_read):
        return  # a layer with an unreadable file may define any table and field (DG001 says which)
    dal_attrs, table_attrs = _pydal_attributes_cached(ctx)
    known, partial = _tables(ctx), _partial(ctx)
    dynamic = any(p.table is None for p in ctx.pydal.problems) if ctx.service.pydal_files else False
    for ref in refs:
        if ref.table.startswith("_") or ref.table in dal_attrs:
            continue
        if ref.table not in known:
            if not dynamic and known:
                yield unknown_table_reference.finding(
                    f"`{ref.spelled}`: no table `{ref.table}` in the PyDAL tables or the SQLAlchemy models",
                    "use the table name PyDAL defines (define_table), or define the table in both layers",
                    ref.location,
                    table=ref.table,
                )
            continue
        field_name = ref.field
        if field_name is None or field_name.startswith("_") or field_name in table_attrs or ref.table in partial:
            continue
        if field_name not in known[ref.table]:
            yield unknown_table_reference.finding(
                f"`{ref.spelled}`: table `{ref.table}` has no field `{field_name}` in either layer",
                "use the field name the table defines, or add the column to both layers",
                ref.location,
                table=ref.table,
                column=field_name,
            )
