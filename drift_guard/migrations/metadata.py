"""Build a real ``sqlalchemy.MetaData`` from the statically extracted models.

Alembic's ``compare_metadata`` needs real Table/Column/type objects. They are
constructed here from the normalized Schema: type classes are looked up by
their qualified name (only ``sqlalchemy.*`` is ever imported, through
:func:`drift_guard.types.sqlalchemy_class`) and called with the literal
arguments the extractor recorded. Anything that cannot be rebuilt faithfully
becomes ``NullType``, which Alembic refuses to compare instead of guessing.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from drift_guard.schema import UNKNOWN, ColumnType, Location, Schema, Table

if TYPE_CHECKING:
    import sqlalchemy as sa


@dataclass
class ModelMetadata:
    """The MetaData plus what the compare needs to locate and filter diffs."""

    metadata: sa.MetaData
    tables: dict[str, Table] = field(default_factory=dict)  # db name (lower) -> model table
    unknown_nullable: set[tuple[str, str]] = field(default_factory=set)  # (table, column)
    index_locations: dict[str, Location] = field(default_factory=dict)  # index name -> line
    # Tables the extractor could not read completely: left out of the compare
    # on both sides, so neither "missing" nor "extra" is reported for them.
    skipped_tables: set[str] = field(default_factory=set)


@contextlib.contextmanager
def quiet_sqlalchemy() -> Iterator[None]:
    """SQLAlchemy's and Alembic's warnings about the objects drift-guard builds and
    reflects (``SAWarning: Skipped unsupported reflection of expression-based
    index``, Alembic's ``UserWarning`` that it skips one) are not the user's to
    read on stderr: what they say is already a finding or a documented blind spot
    (expression indexes are not compared on either side)."""
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def build_metadata(models: Schema) -> ModelMetadata:
    with quiet_sqlalchemy():
        return _build_metadata(models)


def _build_metadata(models: Schema) -> ModelMetadata:
    import sqlalchemy as sa

    result = ModelMetadata(sa.MetaData())
    tables = models.first_tables()
    result.skipped_tables.update(key for key, table in tables.items() if table.partial)
    readable = {key: table for key, table in tables.items() if not table.partial}
    for key, table in sorted(readable.items()):
        result.tables[key] = table
        _add_table(result, table, readable)
    return result


def _add_table(result: ModelMetadata, table: Table, tables: dict[str, Table]) -> None:
    import sqlalchemy as sa

    items: list[Any] = []
    for column in table.columns:
        nullable = column.nullable
        if nullable is UNKNOWN:
            result.unknown_nullable.add((table.key, column.key))
            nullable = True
        unique = column.unique is True
        fk = _column_fk(column.foreign_key, tables)
        args = [fk] if fk is not None else []
        items.append(
            sa.Column(
                column.name,
                build_type(column.type),
                *args,
                nullable=bool(nullable) and not column.primary_key,
                primary_key=column.primary_key,
                unique=unique or None,
                index=column.index or None,
                autoincrement=False if column.primary_key and len(table.primary_key) > 1 else "auto",
            )
        )
    names = {column.name for column in table.columns}
    for index in table.indexes:
        if not set(index.columns) <= names:
            continue  # an expression index (`func.lower(...)`): not compared
        name = index.name or f"ix_{table.name}_{'_'.join(index.columns)}"
        result.index_locations[name] = index.location
        items.append(sa.Index(name, *index.columns, unique=index.unique))
    for uc in table.unique_constraints:
        if not set(uc.columns) <= names:
            continue
        items.append(sa.UniqueConstraint(*uc.columns, name=uc.name))
    for fkc in table.foreign_key_constraints:
        if fkc.ref_table is UNKNOWN or UNKNOWN in fkc.ref_columns or fkc.ref_table.lower() not in tables:
            continue  # the target is not compared (partial or not a model table)
        if not all(_has_column(tables[fkc.ref_table.lower()], c) for c in fkc.ref_columns):
            continue  # see _column_fk
        refs = [f"{fkc.ref_table}.{c}" for c in fkc.ref_columns]
        items.append(
            sa.ForeignKeyConstraint(
                list(fkc.columns), refs, name=fkc.name, ondelete=fkc.ondelete, onupdate=fkc.onupdate
            )
        )
    sa.Table(table.name, result.metadata, *items)


def _column_fk(fk, tables: dict[str, Table]):
    """The column's ForeignKey; a reference to the target's implicit primary key
    is resolved against the target table, and dropped if that is impossible."""
    import sqlalchemy as sa

    if fk is None or fk.table is UNKNOWN or fk.column is UNKNOWN:
        return None  # unresolvable target: reported as DG002 by the extractor
    target = tables.get(fk.table.lower())
    if target is None:
        return None  # the target is not compared (partial or not a model table)
    column = fk.column
    if column is None:
        if len(target.primary_key) != 1:
            return None
        column = target.primary_key[0]
    elif not _has_column(target, column):
        # A target column the models do not have (a file that is being edited,
        # or one the extractor could not read): SQLAlchemy would refuse the
        # whole MetaData (NoReferencedColumnError), so the key is left out.
        return None
    return sa.ForeignKey(f"{fk.table}.{column}", ondelete=fk.ondelete, onupdate=fk.onupdate)


def _has_column(table: Table, name: str) -> bool:
    return any(c.name.lower() == str(name).lower() for c in table.columns)


def build_type(column_type: ColumnType) -> Any:
    """A SQLAlchemy type instance for ``column_type``; NullType when unknown."""
    from sqlalchemy.types import NullType, TypeEngine

    from drift_guard.types import sqlalchemy_class

    cls = sqlalchemy_class(column_type.sa_type) if column_type.sa_type else None
    if cls is None or column_type.is_unknown or not issubclass(cls, TypeEngine):
        return NullType()
    args: list[Any] = list(column_type.args)
    kwargs = dict(column_type.kwargs)
    if any(a is UNKNOWN for a in args) or any(v is UNKNOWN for v in kwargs.values()):
        return NullType()
    if column_type.item is not None and not args:
        args = [build_type(column_type.item)]
        if isinstance(args[0], NullType):
            return NullType()
    try:
        built = cls(*args, **kwargs)
    except (TypeError, ValueError, LookupError):
        # The literal arguments do not fit the class's signature (e.g. an Enum
        # of a Python enum class we could not read): compare as unknown.
        return NullType()
    for dialect, variant in column_type.variants:  # with_variant(type, "sqlite"): as the model wrote it
        variant_type = build_type(variant)
        if isinstance(variant_type, NullType):
            return NullType()  # what it is on that database is unknown: not compared at all
        built = built.with_variant(variant_type, dialect)
    return built
