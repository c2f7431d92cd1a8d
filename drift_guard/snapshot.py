"""What one service's layers define, side by side: the HTML report's tables.

The rules only say where the layers disagree; a reviewer also wants to see what
each layer says where they agree. This module gathers, per service, the model
schema, the PyDAL schema, their table pairs, the dialects the service was checked
for and, when the migration check ran on the default SQLite scratch database,
the tables of the migrated head (reflected from the replayed SQLite image, or
for a PostgreSQL service from the embedded server's recorded reflection, each
column located at the revision line that created it).

It is only built when a report asks for it (``run(..., collect_schemas=True)``):
everything here is read from what the rules already computed (or the cache), and
the default path never pays for the reflection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drift_guard.schema import Column, ColumnType, Family, ForeignKey, Layer, Location, Schema, Table

if TYPE_CHECKING:
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
    service = ctx.service
    head, note = _head(ctx, migrations_ran)
    dirs: tuple[str, ...] = ()
    if service.alembic_ini is not None:
        from drift_guard.migrations import version_locations

        dirs = tuple(ctx.session.canonical(d) for d in version_locations(service)[0])
    return ServiceSchemas(
        name=service.name,
        models=ctx.models,
        pydal=ctx.pydal,
        pairs=tuple(ctx.table_pairs),
        dialects=_dialects(ctx),
        head=head,
        head_note=note,
        model_files=tuple(ctx.session.canonical(p) for p in service.model_files),
        pydal_files=tuple(ctx.session.canonical(p) for p in service.pydal_files),
        migration_dirs=dirs,
    )


def _dialects(ctx: ServiceContext) -> tuple[Target, ...]:
    """The dialects DG112 checked for. Kept in the cache alongside the files it
    read: with the findings answered from the cache, scanning every runtime
    module again only to name the dialect would cost more than the check."""
    from drift_guard.dialect import target_dialects

    service = ctx.service

    def compute() -> tuple[Target, ...]:
        if service.alembic_ini is not None:
            ctx.session.note(service.alembic_ini)  # read by configparser, not through the session
        return tuple(target_dialects(ctx))

    key = [str(service.root), [str(p) for p in service.python_files], service.dialect]
    return tuple(ctx.session.cached("report-dialects", key, compute))


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
    from drift_guard.migrations import version_locations
    from drift_guard.migrations.head import replayed_head, stored_head

    dirs, recursive = version_locations(service)
    if ctx.embedded_target() is not None:
        recorded = _recorded_head(ctx, dirs, recursive)
        if recorded is not None:
            return recorded
    head = stored_head(service, dirs, recursive, ctx.session)
    if head is None or "migrations" in ctx.__dict__:
        # Why there is no head is in the check's report: the one the rules
        # computed this run, else the cached one (decoding it costs seconds on a
        # large history, so only when the stored head does not answer alone).
        report = ctx.migrations
        if report.skipped is not None:
            return None, f"the migrations were not compared: {report.skipped}"
        if report.failures:
            return None, "the replay failed (DG205), so there is no head to show"
    if head is None:  # not in the cache (--no-cache): replayed again, the report needs it
        from drift_guard.extract.alembic import build_revision_graph

        graph = build_revision_graph(dirs, service.script_location, recursive=recursive)
        ids = {str(h.path.resolve()): h.revision for h in graph.revisions if h.revision}
        head = replayed_head(service, dirs, recursive, ids, ctx.session)
    if head.failure is not None:
        return None, "the replay failed (DG205), so there is no head to show"
    try:
        schema = reflect_head(head)
    except Exception as exc:  # a report must not fail the run: say what could not be shown
        return None, f"the replayed head could not be read ({exc.__class__.__name__}: {exc})"
    return schema, f"the head after {head.applied} revision(s), replayed on SQLite"


def _recorded_head(ctx: ServiceContext, dirs: Any, recursive: bool) -> tuple[Schema | None, str] | None:
    """The embedded PostgreSQL's head, from its recorded reflection (see
    :mod:`~drift_guard.migrations.server_head`); None when the cache holds none
    (the SQLite head is shown then, as before)."""
    from drift_guard.migrations.server_head import stored_head

    head = stored_head(ctx.service, dirs, recursive)
    if head is None or head.reflection is None or head.failure is not None:
        return None
    try:
        schema = reflect_recorded_head(head)
    except Exception as exc:  # a report must not fail the run: say what could not be shown
        return None, f"the replayed head could not be read ({exc.__class__.__name__}: {exc})"
    return schema, f"the head after {head.applied} revision(s), replayed on the embedded PostgreSQL"


def reflect_recorded_head(head: ReplayedHead) -> Schema:
    """A server head's tables as drift-guard records, read with SQLAlchemy's
    inspector from the recorded reflection (no server): types as the server's
    dialect writes them (``VARCHAR(120)``), columns located as in :func:`reflect_head`."""
    import sqlalchemy as sa

    from drift_guard.migrations.recorded import playback

    assert head.reflection is not None
    connection = playback(head.reflection)
    inspector = sa.inspect(connection)
    recorder = head.recorder()
    tables = []
    for name in sorted(inspector.get_table_names()):
        if name.lower() in IGNORED_HEAD_TABLES:
            continue
        table_location = recorder.table(name) or Location("(migrations)")
        primary = {c.lower() for c in inspector.get_pk_constraint(name).get("constrained_columns") or ()}
        unique = {
            u["column_names"][0].lower() for u in inspector.get_unique_constraints(name) if len(u["column_names"]) == 1
        }
        unique |= {
            i["column_names"][0].lower()
            for i in inspector.get_indexes(name)
            if i.get("unique") and len(i["column_names"]) == 1 and i["column_names"][0]
        }
        references = {
            fk["constrained_columns"][0].lower(): fk
            for fk in inspector.get_foreign_keys(name)
            if len(fk["constrained_columns"]) == 1
        }
        columns = []
        for found in inspector.get_columns(name):
            column = found["name"]
            columns.append(
                Column(
                    name=column,
                    attribute=column,
                    type=_column_type(found["type"].compile(dialect=connection.dialect)),
                    location=recorder.column(name, column) or table_location,
                    nullable=bool(found["nullable"]) and column.lower() not in primary,
                    primary_key=column.lower() in primary,
                    unique=column.lower() in unique,
                    foreign_key=_server_reference(references.get(column.lower())),
                    server_default=found.get("default"),
                )
            )
        tables.append(Table(name, Layer.MIGRATIONS, table_location, tuple(columns), symbol=name))
    return Schema(Layer.MIGRATIONS, tuple(tables))


def _server_reference(fk: Any) -> ForeignKey | None:
    """A reflected foreign key (one column) as drift-guard records it."""
    if fk is None:
        return None
    options = fk.get("options") or {}
    referred = fk.get("referred_columns") or [None]

    def action(value: Any) -> str | None:
        return None if not value or str(value).upper() == "NO ACTION" else str(value).upper()

    return ForeignKey(
        str(fk["referred_table"]).lower(),
        str(referred[0]).lower() if referred[0] else None,
        action(options.get("ondelete")),
        action(options.get("onupdate")),
    )


def reflect_head(head: ReplayedHead) -> Schema:
    """The head's tables as drift-guard records (types as declared in the SQLite
    image), each column located at the revision line that created it.

    Read with SQLite's own pragmas rather than SQLAlchemy's inspector: the
    inspector runs about nine queries per table and takes seconds on a
    1,000-table head; these run three or four."""
    import sqlite3
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="driftguard_") as folder:
        path = Path(folder) / "head.db"
        path.write_bytes(head.database)
        connection = sqlite3.connect(path)
        try:
            return _reflect(connection, head)
        finally:
            connection.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reflect(connection: Any, head: ReplayedHead) -> Schema:
    recorder = head.recorder()
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    tables = []
    for name in names:
        if name.lower() in IGNORED_HEAD_TABLES:
            continue
        quoted = _quote(name)
        table_location = recorder.table(name) or Location("(migrations)")
        by_id: dict[int, list[Any]] = {}
        for row in connection.execute(f"PRAGMA foreign_key_list({quoted})"):
            by_id.setdefault(row[0], []).append(row)  # id, seq, table, from, to, on_update, on_delete, match
        references = {rows[0][3].lower(): rows[0] for rows in by_id.values() if len(rows) == 1}
        unique: set[str] = set()
        for index in connection.execute(f"PRAGMA index_list({quoted})").fetchall():
            if index[2] and index[3] != "pk":  # unique, and not the primary key's own index
                columns = [row[2] for row in connection.execute(f"PRAGMA index_info({_quote(index[1])})")]
                if len(columns) == 1 and columns[0]:
                    unique.add(columns[0].lower())
        columns = []
        for _, column, declared, notnull, default, primary in connection.execute(f"PRAGMA table_info({quoted})"):
            columns.append(
                Column(
                    name=column,
                    attribute=column,
                    type=_column_type(declared or ""),
                    location=recorder.column(name, column) or table_location,
                    nullable=not notnull and not primary,
                    primary_key=bool(primary),
                    unique=column.lower() in unique,
                    foreign_key=_reference(references.get(column.lower())),
                    server_default=default,
                )
            )
        tables.append(Table(name, Layer.MIGRATIONS, table_location, tuple(columns), symbol=name))
    return Schema(Layer.MIGRATIONS, tuple(tables))


def _column_type(declared: str) -> ColumnType:
    match = re.fullmatch(r"[A-Za-z ]+\(\s*(\d+)\s*\)", declared.strip())
    return ColumnType(Family.OTHER, declared, length=int(match.group(1)) if match else None)


def _reference(row: Any) -> ForeignKey | None:
    """A ``PRAGMA foreign_key_list`` row; SQLite says NO ACTION where nothing was
    given, which is what None means in drift-guard's records."""
    if row is None:
        return None
    _, _, table, _, column, onupdate, ondelete, _ = row
    return ForeignKey(
        str(table).lower(),
        str(column).lower() if column else None,
        None if (ondelete or "NO ACTION").upper() == "NO ACTION" else ondelete.upper(),
        None if (onupdate or "NO ACTION").upper() == "NO ACTION" else onupdate.upper(),
    )
