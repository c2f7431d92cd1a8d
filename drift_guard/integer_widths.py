"""Integer widths of both layers, and what a difference does (DG105).

The model's width comes from SQLAlchemy's ``__visit_name__`` (the type its
compilers render: ``integer``, ``big_integer``, ``MEDIUMINT``); PyDAL's from its
``integer``/``bigint``. What each difference does was checked on the real
databases (tests/test_integer_widths.py): PostgreSQL rejects, and MariaDB
clamps, the 64-bit values PyDAL's ``bigint`` writes into an INTEGER column;
PyDAL's ``integer`` has no range check, so a BIGINT column still round-trips;
on SQLite every integer column holds 64 bits.
"""

from __future__ import annotations

from dataclasses import dataclass

from drift_guard.findings import Severity
from drift_guard.schema import ColumnType, Family
from drift_guard.types import pydal_base_type, sqlalchemy_class

_INTEGER_BYTES = {
    "TINYINT": 1,
    "SMALL_INTEGER": 2,
    "SMALLINT": 2,
    "MEDIUMINT": 3,
    "INTEGER": 4,
    "INT": 4,
    "BIG_INTEGER": 8,
    "BIGINT": 8,
}
_PYDAL_INTEGER_BYTES = {"integer": 4, "bigint": 8}


def model_integer_bytes(ctype: ColumnType) -> int | None:
    """How many bytes the model's integer type holds (None: not an integer type we know)."""
    cls = sqlalchemy_class(ctype.sa_type) if ctype.sa_type and ctype.family is Family.INTEGER else None
    for klass in cls.__mro__ if cls is not None else ():  # class MyInt(Integer) is an Integer
        name = klass.__dict__.get("__visit_name__")
        if isinstance(name, str):
            return _INTEGER_BYTES.get(name.upper())
    return None


def pydal_integer_bytes(ctype: ColumnType) -> int | None:
    """4 for ``integer``, 8 for ``bigint``; None for ids and references, whose width
    depends on ``DAL(bigint_id=...)``, and for anything else."""
    return _PYDAL_INTEGER_BYTES.get(pydal_base_type(ctype.pydal_type or ""))


@dataclass(frozen=True)
class WidthMismatch:
    model_bits: int
    pydal_bits: int
    severity: Severity
    why: str
    hint: str


def widths_differ(model: ColumnType, pydal: ColumnType) -> bool:
    """A difference worth a look: PyDAL has nothing narrower than ``integer``, so a
    SmallInteger under ``"integer"`` is not one."""
    p = pydal_integer_bytes(pydal)
    if p is None:  # the common case, answered without importing SQLAlchemy
        return False
    m = model_integer_bytes(model)
    return m is not None and m != p and not (p == 4 and m < 4)


def compare_widths(model: ColumnType, pydal: ColumnType, on: tuple[str, ...]) -> WidthMismatch | None:
    """The width mismatch on the target database families ``on`` (``()``: unknown)."""
    if not widths_differ(model, pydal) or (on and all(family == "sqlite" for family in on)):
        return None
    m, p = model_integer_bytes(model), pydal_integer_bytes(pydal)
    assert m is not None and p is not None
    if m < p:
        return WidthMismatch(
            m * 8,
            p * 8,
            Severity.ERROR,
            "values PyDAL accepts beyond the column's range fail, or are clamped, in the database",
            'make the PyDAL field "integer" to match the model, or widen the model column to '
            "BigInteger (with a migration)",
        )
    return WidthMismatch(
        m * 8,
        p * 8,
        Severity.WARNING,
        "PyDAL reads and writes the 64-bit values, but its declaration no longer says what the column holds",
        'make the PyDAL field "bigint" to match the model',
    )
