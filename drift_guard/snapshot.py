"""What one service's layers define, side by side: the HTML report's tables.

The rules only say where the layers disagree; a reviewer also wants to see what
each layer says where they agree. This module gathers, per service, the model
schema, the PyDAL schema, their table pairs, the dialects the service was checked
for and, when the migration check ran on the default SQLite scratch database,
the tables of the migrated head (reflected from the replayed image with
SQLAlchemy's inspector, each column located at the revision line that created it).

It is only built when a report asks for it (``run(..., collect_schemas=True)``):
everything here is read from what the rules already computed (or the cache), and
the default path never pays for the reflection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drift_guard.paths import display_path
from drift_guard.schema import Column, ColumnType, Family, ForeignKey, Layer, Location, Schema, Table

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from drift_guard.context import ServiceContext
    from drift_guard.dialect import Target
    from drift_guard.migrations.head import ReplayedHead
    from drift_guard.pairing import TablePair

IGNORED_HEAD_TABLES = frozenset({"alembic_version"})


@dataclass(frozen=True)
class ServiceSchemas:
    """One service's three views. ``head`` is None when the migration check did
    not run or did not reach a head; ``head_note`` then says why (else where the
    head came from)."""

    name: str
    models: Schema
    pydal: Schema
    pairs: tuple[TablePair, ...]
    dialects: tuple[Target, ...]
    head: Schema | None
    head_note: str
    # display paths of each layer's files: which layer a finding's location is in
    model_files: tuple[str, ...] = ()
    pydal_files: tuple[str, ...] = ()
    migration_dirs: tuple[str, ...] = ()


def service_schemas(ctx: ServiceContext, *, migrations_ran: bool) -> ServiceSchemas:
    """The views of ``ctx``'s service (``migrations_ran``: a DG2xx rule ran)."""
    from drift_guard.dialect import target_dialects

    service = ctx.service
    head, note = _head(ctx, migrations_ran)
    dirs: tuple[str, ...] = ()
    if service.alembic_ini is not None:
        from drift_guard.migrations import version_locations

        dirs = tuple(display_path(d) for d in version_locations(service)[0])
    return ServiceSchemas(
        name=service.name,
        models=ctx.models,
        pydal=ctx.pydal,
        pairs=tuple(ctx.table_pairs),
        dialects=tuple(target_dialects(ctx)),
        head=head,
        head_note=note,
        model_files=tuple(display_path(p) for p in service.model_files),
        pydal_files=tuple(display_path(p) for p in service.pydal_files),
        migration_dirs=dirs,
    )


def _head(ctx: ServiceContext, migrations_ran: bool) -> tuple[Schema | None, str]:
    service, options = ctx.service, ctx.options
    if not migrations_ran:
        return None, "the migration check did not run (--no-migrations, or no DG2xx rule selected)"
    if service.alembic_ini is None:
        return None, "no alembic.ini: the service has no migrations"
    if options.database_url or options.alembic_env:
        # The head lives in a throwaway database that is gone by now; replaying
        # again only for the report would double the slowest part of the run.
        return (
            None,
            "the head is shown for the default SQLite replay only (this run used --database-url or --alembic-env)",
        )
    report = ctx.migrations  # computed by the rules this run, else read from the cache
    if report.skipped is not None:
        return None, f"the migrations were not compared: {report.skipped}"
    if report.failures:
        return None, "the replay failed (DG205), so there is no head to show"
    from drift_guard.extract.alembic import build_revision_graph
    from drift_guard.migrations import version_locations
    from drift_guard.migrations.head import head_engine, replayed_head

    dirs, recursive = version_locations(service)
    graph = build_revision_graph(dirs, service.script_location, recursive=recursive)
    ids = {str(h.path.resolve()): h.revision for h in graph.revisions if h.revision}
    head = replayed_head(service, dirs, recursive, ids, ctx.session)
    if head.failure is not None:
        return None, "the replay failed (DG205), so there is no head to show"
    with head_engine(head) as engine:
        schema = reflect_head(engine, head)
    return schema, f"the head after {head.applied} revision(s), replayed on SQLite"


def reflect_head(engine: Engine, head: ReplayedHead) -> Schema:
    """The head's tables as drift-guard records (types as SQLite reflects them),
    each column located at the revision line that created it."""
    from sqlalchemy import inspect

    inspector = inspect(engine)
    recorder = head.recorder()
    tables = []
    for name in sorted(inspector.get_table_names()):
        if name.lower() in IGNORED_HEAD_TABLES:
            continue
        table_location = recorder.table(name) or Location("(migrations)")
        primary = set(inspector.get_pk_constraint(name).get("constrained_columns") or ())
        references = {
            fk["constrained_columns"][0].lower(): fk
            for fk in inspector.get_foreign_keys(name)
            if len(fk.get("constrained_columns") or ()) == 1
        }
        unique: set[tuple[str, ...]] = set()
        for constraint in inspector.get_unique_constraints(name):
            unique.add(tuple(str(c).lower() for c in constraint["column_names"] if c))
        for index in inspector.get_indexes(name):
            if index["unique"]:
                unique.add(tuple(str(c).lower() for c in index["column_names"] if c))
        columns = []
        for info in inspector.get_columns(name):
            column = info["name"]
            columns.append(
                Column(
                    name=column,
                    attribute=column,
                    type=_column_type(info["type"]),
                    location=recorder.column(name, column) or table_location,
                    nullable=bool(info.get("nullable", True)),
                    primary_key=column in primary,
                    unique=(column.lower(),) in unique,
                    foreign_key=_reference(references.get(column.lower())),
                    server_default=info.get("default"),
                )
            )
        tables.append(Table(name, Layer.MIGRATIONS, table_location, tuple(columns), symbol=name))
    return Schema(Layer.MIGRATIONS, tuple(tables))


def _column_type(value: object) -> ColumnType:
    try:
        spelled = str(value)
    except Exception:  # a type SQLite cannot compile back (never fatal for a report)
        spelled = type(value).__name__
    length = getattr(value, "length", None)
    return ColumnType(Family.OTHER, spelled, length=length if isinstance(length, int) else None)


def _reference(fk: Any) -> ForeignKey | None:
    if fk is None:
        return None
    options = fk.get("options") or {}
    ondelete, onupdate = options.get("ondelete"), options.get("onupdate")
    columns = fk.get("referred_columns") or [None]
    return ForeignKey(
        str(fk["referred_table"]).lower(),
        columns[0].lower() if columns[0] else None,
        ondelete.upper() if ondelete else None,
        onupdate.upper() if onupdate else None,
    )
