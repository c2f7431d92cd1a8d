"""The column type of a reference to a keyed table (PyDAL's ``Migrator.create_table``).

``Field("country_code", "reference country.code")`` (or ``"reference country"``
when ``country`` is keyed by ``code``) is *not* an integer: PyDAL gives the
column the referenced field's own type and length (``types[rfield.type[:9]] %
dict(length=rfield.length)``) whenever that field is in the referenced table's
``primarykey`` or is unique. Classifying every reference as an integer made a
CHAR(2) foreign key in the model look like a type drift (DG105).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from drift_guard.schema import Column, Table
from drift_guard.types import pydal_reference_target

_ID_TYPES = ("id", "big-id")


def keyed_reference_types(tables: tuple[Table, ...], symbols: Mapping[str, Table]) -> tuple[Table, ...]:
    """``tables`` with reference columns to keyed/unique fields typed like their target."""
    return tuple(_retyped(table, symbols) for table in tables)


def _retyped(table: Table, symbols: Mapping[str, Table]) -> Table:
    columns = tuple(_column(col, table, symbols) for col in table.columns)
    return table if columns == table.columns else replace(table, columns=columns)


def _column(col: Column, table: Table, symbols: Mapping[str, Table]) -> Column:
    pydal_type = col.type.pydal_type or ""
    target = pydal_reference_target(pydal_type) if pydal_type.startswith("reference ") else None
    if target is None:
        return col
    referenced = table if target[0] == table.symbol else symbols.get(target[0])
    field = _referenced_field(referenced, target[1]) if referenced is not None else None
    if field is None or (field.type.pydal_type or "").startswith(("reference", "big-reference")):
        return col
    keyed = referenced is not None and not any(c.type.pydal_type in _ID_TYPES for c in referenced.columns)
    if not ((keyed and field.primary_key) or field.unique is True):
        return col
    return replace(col, type=replace(field.type, spelled=col.type.spelled, pydal_type=field.type.pydal_type))


def _referenced_field(table: Table, name: str | None) -> Column | None:
    """``reference t.f`` -> f; ``reference t`` -> t's ``_id``: its id field, or
    the single key field of a keyed table (several keys: no ``_id``)."""
    if name is not None:
        return next((c for c in table.columns if c.attribute == name), None)
    keys = [c for c in table.columns if c.primary_key]
    return keys[0] if len(keys) == 1 else None
