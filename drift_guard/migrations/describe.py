"""Turn one raw Alembic diff tuple into a typed, readable :class:`MigrationDiff`.

Messages quote the model's type as the user wrote it (``String(255)``) and the
migrated side as SQL (``VARCHAR(50)``), never a Python repr; a dialect-specific
type a revision declared is quoted as declared (``MEDIUMTEXT``), not as what the
scratch database of another dialect made of it. Things the models
have are located at the model line; things only the migrations have at the
revision line that created them (recorded during the replay).
"""

from __future__ import annotations

import re
from typing import Any

from drift_guard.migrations.metadata import ModelMetadata
from drift_guard.migrations.origins import OriginRecorder
from drift_guard.migrations.report import DiffKind, MigrationDiff
from drift_guard.schema import Location

_TABLE_KINDS = {"add_table": DiffKind.ADD_TABLE, "remove_table": DiffKind.REMOVE_TABLE}
_COLUMN_KINDS = {"add_column": DiffKind.ADD_COLUMN, "remove_column": DiffKind.REMOVE_COLUMN}


def describe(item: tuple, model: ModelMetadata, origins: OriginRecorder, dialect: Any) -> MigrationDiff | None:
    tag = item[0]
    if tag in _TABLE_KINDS:
        return _table_diff(_TABLE_KINDS[tag], item[1], model, origins)
    if tag in _COLUMN_KINDS:
        return _column_diff(_COLUMN_KINDS[tag], item[2], item[3], model, origins, dialect)
    if tag == "modify_type":
        return _type_diff(item, model, origins, dialect)
    if tag == "modify_nullable":
        return _nullable_diff(item, model, origins)
    if tag in ("add_index", "remove_index"):
        return _index_diff(tag == "add_index", item[1], model, origins)
    if tag in ("add_constraint", "remove_constraint"):
        return _unique_diff(tag == "add_constraint", item[1], model, origins)
    if tag in ("add_fk", "remove_fk"):
        return _fk_diff(tag == "add_fk", item[1], model, origins)
    if tag == "modify_fk":
        return _fk_change(item[1], item[2], model, origins)
    return None  # server defaults and comments are not compared


_QUALIFIER = re.compile(r"^(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_]\w*(?:\(|$))")


def _spelled(column: Any, fallback: str) -> str:
    """The model's type as written, without its module prefix (``sa.String(255)``
    -> ``String(255)``), as the user thinks of it."""
    if column is None:
        return fallback
    return _QUALIFIER.sub("", column.type.spelled) or fallback


def _sql(type_: Any, dialect: Any) -> str:
    from sqlalchemy.exc import CompileError

    try:
        return type_.compile(dialect=dialect)
    except CompileError:
        return type(type_).__name__


def _model_column(model: ModelMetadata, table: str, column: str) -> Any:
    model_table = model.tables.get(table.lower())
    return model_table.column(column) if model_table is not None else None


def _model_column_location(model: ModelMetadata, table: str, column: str | None) -> Location | None:
    model_table = model.tables.get(table.lower())
    if model_table is None:
        return None
    if column is not None:
        col = model_table.column(column)
        if col is not None:
            return col.location
    return model_table.location


def _table_diff(kind: DiffKind, table: Any, model: ModelMetadata, origins: OriginRecorder) -> MigrationDiff:
    name = table.name
    if kind is DiffKind.ADD_TABLE:
        text = f"table `{name}` is in the models but no migration creates it"
    else:
        text = f"table `{name}` is created by the migrations but is not in the models"
    return MigrationDiff(kind, name, None, text, _model_column_location(model, name, None), origins.table(name))


def _column_diff(kind, table: str, column: Any, model, origins, dialect) -> MigrationDiff:
    ref = f"`{table}.{column.name}`"
    if kind is DiffKind.ADD_COLUMN:
        model_col = _model_column(model, table, column.name)
        spelled = _spelled(model_col, _sql(column.type, dialect))
        text = f"column {ref} (`{spelled}`) is in the model but no migration adds it"
    else:
        migrated = origins.declared_type(table, column.name, dialect.name) or _sql(column.type, dialect)
        text = f"column {ref} (`{migrated}`) is added by a migration but is not in the model"
    return MigrationDiff(
        kind,
        table,
        column.name,
        text,
        _model_column_location(model, table, column.name),
        origins.column(table, column.name),
    )


def _type_diff(item: tuple, model, origins, dialect) -> MigrationDiff:
    _, _, table, column, _, conn_type, md_type = item
    model_col = _model_column(model, table, column)
    spelled = _spelled(model_col, _sql(md_type, dialect))
    migrated_sql = origins.declared_type(table, column, dialect.name) or _sql(conn_type, dialect)
    text = f"column `{table}.{column}` is `{spelled}` in the model but `{migrated_sql}` after the migrations"
    migrated = origins.changes.get(("column", table.lower(), column.lower())) or origins.column(table, column)
    return MigrationDiff(
        DiffKind.MODIFY_TYPE, table, column, text, _model_column_location(model, table, column), migrated
    )


def _nullable_diff(item: tuple, model: ModelMetadata, origins: OriginRecorder) -> MigrationDiff | None:
    _, _, table, column, _, conn_nullable, md_nullable = item
    if (table.lower(), column.lower()) in model.unknown_nullable:
        return None
    state = {True: "nullable", False: "NOT NULL"}
    text = (
        f"column `{table}.{column}` is {state[bool(md_nullable)]} in the model "
        f"but {state[bool(conn_nullable)]} after the migrations"
    )
    migrated = origins.changes.get(("column", table.lower(), column.lower())) or origins.column(table, column)
    return MigrationDiff(
        DiffKind.MODIFY_NULLABLE, table, column, text, _model_column_location(model, table, column), migrated
    )


def _names(columns: Any) -> list[str]:
    return [getattr(c, "name", str(c)) for c in columns]


def _index_diff(added: bool, index: Any, model: ModelMetadata, origins: OriginRecorder) -> MigrationDiff:
    table = index.table.name
    cols = _names(index.columns) or [str(e) for e in index.expressions]
    what = f"{'unique index' if index.unique else 'index'} `{index.name}` on `{table}({', '.join(cols)})`"
    first = cols[0] if len(cols) == 1 else None
    model_loc = model.index_locations.get(str(index.name)) or _model_column_location(model, table, first)
    kind = DiffKind.ADD_INDEX if added else DiffKind.REMOVE_INDEX
    text = (
        f"{what} is in the model but no migration creates it"
        if added
        else f"{what} is created by a migration but is not in the model"
    )
    migrated = origins.origins.get(("index", str(index.name).lower()))
    if migrated is None and index.unique:  # MySQL reflects a UNIQUE constraint as a unique index
        migrated = origins.origins.get(("unique", table.lower(), tuple(sorted(c.lower() for c in cols))))
    return MigrationDiff(kind, table, first, text, model_loc, migrated, name=index.name)


def _unique_diff(added: bool, constraint: Any, model, origins) -> MigrationDiff | None:
    import sqlalchemy as sa

    if not isinstance(constraint, sa.UniqueConstraint):
        return None
    table = constraint.table.name
    cols = _names(constraint.columns)
    first = cols[0] if len(cols) == 1 else None
    what = f"unique constraint on `{table}({', '.join(cols)})`"
    kind = DiffKind.ADD_UNIQUE if added else DiffKind.REMOVE_UNIQUE
    text = (
        f"{what} is in the model but no migration creates it"
        if added
        else f"{what} is created by a migration but is not in the model"
    )
    migrated = origins.origins.get(("unique", table.lower(), tuple(sorted(c.lower() for c in cols))))
    return MigrationDiff(
        kind,
        table,
        first,
        text,
        _model_column_location(model, table, first),
        migrated,
        # SQLAlchemy types the name str | _NoneName | None; the _NONE_NAME sentinel is only
        # given to the CHECK constraints of Enum/Boolean types, never to a UniqueConstraint
        name=constraint.name if isinstance(constraint.name, str) else None,
    )


def _fk_diff(added: bool, fk: Any, model: ModelMetadata, origins: OriginRecorder) -> MigrationDiff | None:
    table = fk.parent.name
    cols = list(fk.column_keys)
    target = fk.elements[0].target_fullname.rsplit(".", 1)[0] if fk.elements else "?"
    if target.lower() in model.skipped_tables:
        return None  # references into a table we could not read are not compared
    remote = [e.target_fullname.rsplit(".", 1)[-1] for e in fk.elements]
    what = f"foreign key `{table}({', '.join(cols)})` -> `{target}({', '.join(remote)})`"
    if fk.ondelete:
        what += f" ON DELETE {fk.ondelete.upper()}"
    first = cols[0] if len(cols) == 1 else None
    kind = DiffKind.ADD_FK if added else DiffKind.REMOVE_FK
    text = (
        f"{what} is in the model but no migration creates it"
        if added
        else f"{what} is created by a migration but is not in the model"
    )
    migrated = origins.origins.get(("fk", table.lower(), tuple(sorted(c.lower() for c in cols))))
    return MigrationDiff(kind, table, first, text, _model_column_location(model, table, first), migrated, name=fk.name)


def _fk_options(fk: Any) -> str:
    parts = [f"ON DELETE {(fk.ondelete or 'NO ACTION').upper()}"]
    if fk.onupdate:
        parts.append(f"ON UPDATE {fk.onupdate.upper()}")
    return " ".join(parts)


def _fk_change(migrated: Any, modelled: Any, model: ModelMetadata, origins: OriginRecorder) -> MigrationDiff | None:
    """The same foreign key (columns and target) with other options on each side:
    one diff saying what changed, instead of a "remove" and an "add"."""
    table = modelled.parent.name
    cols = list(modelled.column_keys)
    target = modelled.elements[0].target_fullname.rsplit(".", 1)[0] if modelled.elements else "?"
    if target.lower() in model.skipped_tables:
        return None
    remote = [e.target_fullname.rsplit(".", 1)[-1] for e in modelled.elements]
    what = f"foreign key `{table}({', '.join(cols)})` -> `{target}({', '.join(remote)})`"
    text = f"{what} is {_fk_options(modelled)} in the model but {_fk_options(migrated)} after the migrations"
    first = cols[0] if len(cols) == 1 else None
    where = origins.origins.get(("fk", table.lower(), tuple(sorted(c.lower() for c in cols))))
    location = _model_column_location(model, table, first)
    return MigrationDiff(DiffKind.MODIFY_FK, table, first, text, location, where, name=modelled.name)
