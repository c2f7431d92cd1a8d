"""DG101-DG104, DG113, DG114: which tables and columns each layer has at all.

Tables and columns are paired by database name (sorted set difference, see
:mod:`drift_guard.pairing`); the per-aspect comparison of paired columns lives
in :mod:`drift_guard.rules.column_aspects`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.pairing import both_tables, pair_columns
from drift_guard.rules import Group, rule
from drift_guard.schema import Column, Schema, Table
from drift_guard.types import pydal_type_problem

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext


def _has_both_layers(ctx: ServiceContext) -> bool:
    """Cross-layer rules need both layers; a service with only one is not drift."""
    return bool(ctx.service.model_files) and bool(ctx.service.pydal_files)


@rule("DG101", "table-missing-in-pydal", Severity.ERROR, group=Group.CROSS_LAYER, needs=("models", "pydal"))
def table_missing_in_pydal(ctx: ServiceContext) -> Iterator[Finding]:
    """A table defined by the SQLAlchemy models has no PyDAL `define_table`.

    ## What it does
    Pairs tables by database name and reports every model table (declarative class
    or `Table(...)`) that no `db.define_table(...)` in the service defines. While a
    PyDAL file cannot be parsed (DG001) this rule stays silent: the table may be
    defined in that file.

    ## Why is this bad?
    Alembic creates the table, but the runtime layer cannot query it: any code
    that reaches for `db.<table>` fails at run time with an `AttributeError`.

    ## Example
    ```python
    # app/db/models.py
    class ApiKey(Base):
        __tablename__ = "api_keys"
        id = Column(Integer, primary_key=True)
    # app/models.py: no db.define_table("api_keys", ...)
    ```

    ## Use instead
    ```python
    # app/models.py
    db.define_table("api_keys", Field("key_hash", length=128, notnull=True))
    ```

    ## How to fix
    Add the PyDAL definition (`db.define_table("api_keys", ...)`) with the same
    columns. If the table is deliberately not used at run time (framework-owned,
    say), list it in `ignore-tables` in `[tool.drift_guard]`.
    """
    if not _has_both_layers(ctx) or not ctx.pydal_fully_read:
        return
    for pair in ctx.table_pairs:
        if pair.model is not None and pair.pydal is None:
            yield table_missing_in_pydal.finding(
                f"table `{pair.model.name}` is defined in the models but not in PyDAL",
                f'add db.define_table("{pair.model.name}", ...) to the PyDAL layer, or list it in ignore-tables',
                pair.model.location,
                table=pair.key,
            )


@rule("DG102", "table-missing-in-models", Severity.ERROR, group=Group.CROSS_LAYER, needs=("models", "pydal"))
def table_missing_in_models(ctx: ServiceContext) -> Iterator[Finding]:
    """A PyDAL table has no SQLAlchemy model, so no migration ever creates it.

    ## What it does
    Reports every `db.define_table(...)` whose database name (its `rname`, else
    its name) matches no model table. While a model file cannot be parsed (DG001)
    this rule stays silent: the model may be in that file.

    ## Why is this bad?
    With `migrate=False` PyDAL never creates tables: the table only exists if
    somebody made it by hand or PyDAL migrated it behind Alembic's back. A fresh
    database built with `alembic upgrade head` will not have it.

    ## Example
    ```python
    db.define_table("audit_log", Field("action"))  # no model, no migration
    ```

    ## Use instead
    ```python
    class AuditLog(Base):                       # app/db/models.py, plus its migration
        __tablename__ = "audit_log"
        id = Column(Integer, primary_key=True)
        action = Column(String(512))
    db.define_table("audit_log", Field("action"))
    ```

    A `table-map` entry pairs a PyDAL table with a model table of another name
    for the comparison, but PyDAL still queries its own database name: unless
    its `rname` is the model's table, that table is reported too.

    ## How to fix
    Add a SQLAlchemy model for the table and generate a migration
    (`alembic revision --autogenerate`). If the PyDAL name legitimately differs,
    give the table the model's database name with `rname`
    (`db.define_table("audit", ..., rname="audit_log")`).
    """
    if not _has_both_layers(ctx) or not ctx.models_fully_read:
        return
    for pair in ctx.table_pairs:
        if pair.pydal is not None and pair.model is None:
            yield table_missing_in_models.finding(
                f"table `{pair.pydal.name}` is defined in PyDAL but has no SQLAlchemy model",
                "add a model to app/db/models.py and create its migration (alembic revision --autogenerate)",
                pair.pydal.location,
                table=pair.key,
            )
        elif pair.pydal is not None and pair.model is not None and _bare(pair.pydal.name) != _bare(pair.model.name):
            pydal, model = pair.pydal, pair.model
            how = "its rname" if pydal.option("rname") is not None else "no rname"
            yield table_missing_in_models.finding(
                f"table-map pairs PyDAL table `{pydal.symbol or pydal.name}` with the model table `{model.name}`, "
                f"but PyDAL queries `{pydal.name}` ({how}), which no model or migration creates",
                f'name the database table in PyDAL: db.define_table("{pydal.symbol or pydal.name}", ..., '
                f'rname="{model.name}"); table-map only pairs the names for drift-guard',
                pydal.location,
                table=pair.key,
                related=(model.location,),
            )


def _bare(name: str) -> str:
    """A database table name as the database resolves it, for telling whether two
    spellings are one table: unquoted, without its schema, lower-cased
    (``'"Sales"."Audit_Log"'`` and ``audit_log`` are the same table)."""
    return name.rsplit(".", 1)[-1].strip('"`[]').lower()


def _column_phrase(column: Column) -> str:
    return f"`{column.name}` ({column.type.spelled})"


@rule("DG103", "column-missing-in-pydal", Severity.ERROR, group=Group.CROSS_LAYER, needs=("models", "pydal"))
def column_missing_in_pydal(ctx: ServiceContext) -> Iterator[Finding]:
    """A model column has no `Field` in the PyDAL table.

    ## What it does
    For every table defined in both layers, reports each model column (by database
    name: `Column("real_name", ...)` and `name=` count, not the attribute name)
    that the PyDAL table does not define.

    ## Why is this bad?
    PyDAL can neither read nor write the column. If it is NOT NULL without a
    server default, every PyDAL insert into the table fails.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        new_field = Column(String(255))
    db.define_table("users", Field("email"))  # no new_field
    ```

    ## Use instead
    ```python
    db.define_table("users", Field("email"), Field("new_field", length=255))
    ```

    ## How to fix
    Add `Field("new_field", "string", length=255)` to the PyDAL definition.
    """
    for model, pydal in both_tables(ctx.table_pairs):
        if pydal.partial:
            continue  # the missing column may be in the part we could not read
        for pair in pair_columns(model, pydal):
            if pair.model is not None and pair.pydal is None:
                yield column_missing_in_pydal.finding(
                    f"column {_column_phrase(pair.model)} of table `{model.name}` is in the model but not in PyDAL",
                    f'add Field("{pair.model.name}", ...) to db.define_table("{pydal.symbol or pydal.name}", ...)',
                    pair.model.location,
                    table=model.key,
                    column=pair.key,
                    related=[pydal.location],
                )


@rule("DG104", "column-missing-in-models", Severity.ERROR, group=Group.CROSS_LAYER, needs=("models", "pydal"))
def column_missing_in_models(ctx: ServiceContext) -> Iterator[Finding]:
    """A PyDAL `Field` has no column in the SQLAlchemy model.

    ## What it does
    For every table defined in both layers, reports each PyDAL column (including
    PyDAL's implicit `id`) that the model does not define.

    ## Why is this bad?
    PyDAL names every column in its SELECTs and INSERTs, so a column the database
    does not have (no model, so no migration created it) breaks every query on
    the table. A model table with a non-`id` primary key and a PyDAL table that
    is not keyed (`primarykey=[...]`) shows up here as a missing `id`.

    ## Example
    ```python
    class Team(Base):
        __tablename__ = "teams"
        id = Column(Integer, primary_key=True)
        name = Column(String(512))              # no slug
    db.define_table("teams", Field("name"), Field("slug"))
    ```

    ## Use instead
    ```python
    class Team(Base):
        __tablename__ = "teams"
        id = Column(Integer, primary_key=True)
        name = Column(String(512))
        slug = Column(String(512))              # added to the model (and migrated)
    db.define_table("teams", Field("name"), Field("slug"))
    ```

    ## How to fix
    Add the column to the model and create a migration, or remove the Field. For
    a table whose key is not `id`, pass `primarykey=[...]` to `define_table`.
    """
    for model, pydal in both_tables(ctx.table_pairs):
        if model.partial:
            continue
        for pair in pair_columns(model, pydal):
            if pair.pydal is not None and pair.model is None:
                implicit = pair.pydal.type.pydal_type == "id" and pair.key == "id"
                hint = (
                    "PyDAL adds an `id` column unless the table is keyed: pass primarykey=[...] to define_table"
                    if implicit
                    else f"add `{pair.pydal.name}` to the model (and a migration), or remove the Field"
                )
                yield column_missing_in_models.finding(
                    f"column {_column_phrase(pair.pydal)} of table `{pydal.name}` is in PyDAL but not in the model",
                    hint,
                    pair.pydal.location,
                    table=pydal.key,
                    column=pair.key,
                    related=[model.location],
                )


@rule("DG113", "unknown-pydal-type", Severity.ERROR, group=Group.CROSS_LAYER, needs=("models", "pydal"))
def unknown_pydal_type(ctx: ServiceContext) -> Iterator[Finding]:
    """A `Field` type that PyDAL does not accept.

    ## What it does
    Checks every PyDAL field type against PyDAL's own dialect type tables (the
    same lookup PyDAL makes when it builds DDL): `"big-integer"`, a bare
    `"decimal"` without precision, `"geometry"` without parentheses, `"reference"`
    without a table.

    ## Why is this bad?
    With `migrate=False` PyDAL never builds DDL, so an invalid type goes unnoticed
    until something (a test database, `fake_migrate`) does, and the value is
    represented in a way nobody intended in the meantime.

    ## Example
    ```python
    Field("retries", "big-integer")  # PyDAL's name is "bigint"
    ```

    ## Use instead
    ```python
    Field("retries", "bigint")
    ```

    ## How to fix
    Use a PyDAL type name: `string`, `text`, `boolean`, `integer`, `bigint`,
    `double`, `decimal(p,s)`, `date`, `time`, `datetime`, `json`, `blob`,
    `reference <table>`, `list:string` ...
    """
    for table in ctx.pydal.tables:
        for column in table.columns:
            type_string = column.type.pydal_type
            reason = pydal_type_problem(type_string) if type_string is not None else None
            if reason:
                yield unknown_pydal_type.finding(
                    f"field `{table.symbol or table.name}.{column.attribute}` has type {column.type.spelled}: {reason}",
                    "use a PyDAL type name (see `drift-guard rule DG113`)",
                    column.location,
                    table=table.key,
                    column=column.key,
                )


def _same_definition(first: Table, second: Table) -> bool:
    """Two definitions describe the same table when they agree on everything but
    where they were written."""

    def strip(table: Table) -> tuple:
        columns = tuple(
            replace(
                col,
                location=first.location,
                foreign_key=replace(col.foreign_key, location=None) if col.foreign_key else None,
            )
            for col in table.columns
        )
        return (table.name, columns, table.options)

    return strip(first) == strip(second)


def _duplicates(schema: Schema, layer: str) -> Iterator[Finding]:
    for key, definitions in sorted(schema.tables_by_key().items()):
        first = definitions[0]
        for other in definitions[1:]:
            identical = _same_definition(first, other)
            yield duplicate_table_definition.finding(
                f"table `{other.name}` is defined twice in the {layer}"
                + (" (identical copies)" if identical else " and the copies differ"),
                "keep one definition and import it where it is needed",
                other.location,
                table=key,
                related=[first.location],
                severity=Severity.WARNING if identical else Severity.ERROR,
            )


@rule("DG114", "duplicate-table-definition", Severity.ERROR, group=Group.CROSS_LAYER, needs=("models", "pydal"))
def duplicate_table_definition(ctx: ServiceContext) -> Iterator[Finding]:
    """The same table is defined twice in one layer.

    ## What it does
    Reports a second `define_table` of the same database name, or a second model
    (class or `Table`) with the same `__tablename__`. It is an error when the
    copies differ and a warning when they are identical.

    ## Why is this bad?
    Only one definition is in effect (PyDAL raises on redefinition unless
    `redefine=True`; SQLAlchemy raises on the second mapping of the same table in
    one MetaData), and the other one drifts silently: the comparison uses the
    first.

    ## Example
    ```python
    db.define_table("teams", Field("name"))
    db.define_table("teams", Field("name"), Field("slug"))
    ```

    ## Use instead
    ```python
    db.define_table("teams", Field("name"), Field("slug"))   # one definition
    ```

    ## How to fix
    Keep one definition and import it where it is needed.
    """
    if ctx.service.model_files:
        yield from _duplicates(ctx.models, "models")
    if ctx.service.pydal_files:
        yield from _duplicates(ctx.pydal, "PyDAL layer")
