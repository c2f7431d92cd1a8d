"""Pair the two layers' tables and columns by sorted set difference.

As in Alembic's autogenerate: only-left, only-right and both, keyed by the
lower-cased database name and sorted, so output never depends on dict order.
Only the first definition of a duplicated table takes part (DG114 reports the
rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Iterable, Mapping

from drift_guard.extract.pydal.refs import keyed_reference_types
from drift_guard.schema import Column, Schema, Table


@dataclass(frozen=True)
class TablePair:
    key: str
    model: Table | None
    pydal: Table | None


@dataclass(frozen=True)
class ColumnPair:
    key: str
    model: Column | None
    pydal: Column | None


def table_ignored(name: str, patterns: Iterable[str]) -> bool:
    lowered = name.lower()
    return any(fnmatchcase(lowered, pattern.lower()) for pattern in patterns)


def pair_tables(
    models: Schema,
    pydal: Schema,
    table_map: Mapping[str, str] | None = None,
    ignore_tables: Iterable[str] = (),
) -> list[TablePair]:
    """``table_map`` maps a PyDAL table (its PyDAL name or database name) to the
    model table it stands for, where the two legitimately differ."""
    mapping = {k.lower(): v.lower() for k, v in (table_map or {}).items()}
    patterns = tuple(ignore_tables)
    model_tables = models.first_tables()
    pydal_tables: dict[str, Table] = {}
    firsts = pydal.first_tables()
    # compared physically: a reference to a keyed table has its target's type
    retyped = keyed_reference_types(tuple(firsts.values()), {t.symbol or t.name: t for t in firsts.values()})
    for key, table in zip(firsts, retyped):
        symbol = (table.symbol or "").lower()
        mapped = mapping.get(symbol) or mapping.get(key) or key
        pydal_tables.setdefault(mapped, table)
    pairs = []
    for key in sorted(set(model_tables) | set(pydal_tables)):
        if table_ignored(key, patterns):
            continue
        pairs.append(TablePair(key, model_tables.get(key), pydal_tables.get(key)))
    return pairs


def pair_columns(model: Table, pydal: Table) -> list[ColumnPair]:
    model_cols: dict[str, Column] = {}
    for col in model.columns:
        model_cols.setdefault(col.key, col)
    pydal_cols: dict[str, Column] = {}
    for col in pydal.columns:
        pydal_cols.setdefault(col.key, col)
    return [
        ColumnPair(key, model_cols.get(key), pydal_cols.get(key)) for key in sorted(set(model_cols) | set(pydal_cols))
    ]


def both_tables(pairs: Iterable[TablePair]) -> Iterable[tuple[Table, Table]]:
    for pair in pairs:
        if pair.model is not None and pair.pydal is not None:
            yield pair.model, pair.pydal


def both_columns(model: Table, pydal: Table) -> Iterable[tuple[Column, Column]]:
    for pair in pair_columns(model, pydal):
        if pair.model is not None and pair.pydal is not None:
            yield pair.model, pair.pydal
