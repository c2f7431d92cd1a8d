"""Alembic's ``compare_metadata`` between the replayed database and the models.

Each raw Alembic diff (a tuple, or a list of tuples for column modifications)
becomes one typed :class:`MigrationDiff` with a readable description and both
locations. On SQLite, types are compared by drift-guard's normalized families
of what each side becomes *on SQLite*, so SQLite's loss of type detail (JSONB
stored as JSON, INET as TEXT) never produces a finding; but SQLite keeps the
declared type text (``VARCHAR(32)`` is reflected as such), so within a family
a length, precision or scale both sides state is compared as well.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Iterator

from drift_guard.migrations.describe import describe
from drift_guard.migrations.metadata import ModelMetadata, quiet_sqlalchemy
from drift_guard.migrations.origins import OriginRecorder
from drift_guard.migrations.report import DiffKind, MigrationDiff

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

IGNORED_TABLES = frozenset({"alembic_version"})


def compare(
    connection: Connection,
    model: ModelMetadata,
    recorder: OriginRecorder,
    fallback: Callable[[], OriginRecorder] | None = None,
) -> list[MigrationDiff]:
    """Typed diffs; ``fallback`` (static creation sites, costly to read) is only
    consulted when a migrations-only diff has no recorded location."""
    with quiet_sqlalchemy():
        raw = raw_diffs(connection, model)
    diffs = typed_diffs(raw, model, recorder, connection.dialect)
    if fallback is not None and any(d.migration_location is None and not d.kind.model_side for d in diffs):
        merged = fallback()
        merged.origins.update(recorder.origins)
        merged.changes.update(recorder.changes)
        merged.types.update(recorder.types)
        diffs = typed_diffs(raw, model, merged, connection.dialect)
    return diffs


def raw_diffs(connection: Connection, model: ModelMetadata) -> list[Any]:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    sqlite = connection.dialect.name == "sqlite"
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": sqlite_compare_type if sqlite else True,
            "include_name": lambda name, type_, parents: _include_name(name, type_, parents, model.skipped_tables),
            "target_metadata": model.metadata,
        },
    )
    return compare_metadata(context, model.metadata)


def typed_diffs(raw: list[Any], model: ModelMetadata, recorder: OriginRecorder, dialect: Any) -> list[MigrationDiff]:
    """Alembic's raw diff list -> sorted, readable records."""
    diffs = []
    for item in _changed_foreign_keys(list(_flatten(raw))):
        diff = describe(item, model, recorder, dialect)
        if diff is not None:
            diffs.append(diff)
    return sorted(
        _without_parts_of_whole_tables(diffs), key=lambda d: (d.table, d.column or "", d.kind.value, d.name or "")
    )


def _without_parts_of_whole_tables(diffs: list[MigrationDiff]) -> list[MigrationDiff]:
    """A table missing on one side is one finding, not one more per index of it."""
    added = {d.table for d in diffs if d.kind is DiffKind.ADD_TABLE}
    removed = {d.table for d in diffs if d.kind is DiffKind.REMOVE_TABLE}
    kept = []
    for diff in diffs:
        whole = added if diff.kind.model_side else removed
        if diff.kind not in (DiffKind.ADD_TABLE, DiffKind.REMOVE_TABLE) and diff.table in whole:
            continue
        kept.append(diff)
    return kept


def _changed_foreign_keys(items: list[tuple]) -> list[tuple]:
    """One defect, one finding: Alembic reports a foreign key whose ON DELETE (or
    ON UPDATE) changed as a ``remove_fk`` plus an ``add_fk`` of the same columns
    and target; the pair becomes one ``modify_fk`` item (removed, added)."""

    def key(fk: Any) -> tuple:
        columns = tuple(c.lower() for c in fk.column_keys)
        return fk.parent.name.lower(), columns, tuple(e.target_fullname.lower() for e in fk.elements)

    added = {key(item[1]): item for item in items if item[0] == "add_fk"}
    removed = {key(item[1]): item for item in items if item[0] == "remove_fk"}
    both = added.keys() & removed.keys()
    if not both:
        return items
    result = []
    for item in items:
        if item[0] in ("add_fk", "remove_fk") and key(item[1]) in both:
            if item[0] == "add_fk":
                result.append(("modify_fk", removed[key(item[1])][1], item[1]))
            continue
        result.append(item)
    return result


def _flatten(raw: list[Any]) -> Iterator[tuple]:
    for item in raw:
        if isinstance(item, list):
            yield from item
        else:
            yield item


def _include_name(name: str | None, type_: str, parent_names: dict, skipped: set[str]) -> bool:
    if type_ != "table" or name is None:
        return True
    if name in IGNORED_TABLES or name.lower() in skipped:
        return False
    return not name.startswith(("sqlite_", "_alembic_tmp_"))


def sqlite_family(type_: Any, dialect: Any) -> Any:
    """The family of what ``type_`` is stored as on SQLite: compile it with the
    scratch dialect, then read the DDL string back the way reflection does."""
    from sqlalchemy.exc import CompileError
    from sqlalchemy.types import NullType

    from drift_guard.types import sqlalchemy_family

    try:
        compiled = type_.compile(dialect=dialect)
    except CompileError:
        return None
    resolved = dialect._resolve_type_affinity(compiled)
    if isinstance(type_, NullType) or isinstance(resolved, NullType) or resolved is NullType:
        return None  # no type (unknown in the models, a stand-in or typeless column): nothing to compare
    return sqlalchemy_family(type(resolved) if not isinstance(resolved, type) else resolved)


def sqlite_compare_type(context: Any, conn_column: Any, md_column: Any, conn_type: Any, md_type: Any) -> bool:
    """Alembic ``compare_type`` callable: True when the families differ, or when
    a length, precision or scale stated on both sides differs."""
    dialect = context.dialect
    model_family = sqlite_family(md_type, dialect)
    migrated_family = sqlite_family(conn_type, dialect)
    if model_family is None or migrated_family is None:
        return False
    if model_family is not migrated_family:
        return True
    model_sizes, migrated_sizes = _sizes(md_type, dialect), _sizes(conn_type, dialect)
    return bool(model_sizes) and bool(migrated_sizes) and model_sizes != migrated_sizes


_SIZES = re.compile(r"\(\s*(\d+(?:\s*,\s*\d+)?)\s*\)")


def _sizes(type_: Any, dialect: Any) -> tuple[int, ...]:
    """The length, or precision and scale, in the type text SQLite keeps
    (``VARCHAR(32)``, ``NUMERIC(10, 2)``); () when it states none. An Enum's
    length is derived from its values, not declared: not compared here."""
    import sqlalchemy as sa
    from sqlalchemy.exc import CompileError

    if isinstance(type_, sa.Enum):
        return ()
    try:
        compiled = type_.compile(dialect=dialect)
    except CompileError:
        return ()
    match = _SIZES.search(compiled)
    return tuple(int(n) for n in match.group(1).split(",")) if match else ()
