"""Intermediate records of the PyDAL extractor, between the source and the Schema.

A ``define_table`` call is first read into a :class:`TableSpec` whose positional
arguments keep PyDAL's own structure (a bare Field, a list of Fields, another
Table, a virtual field, something unreadable), because PyDAL treats each kind
differently: a duplicate name is skipped for a bare Field but raises for a list
member, and only bare Fields can suppress the implicit ``id``. The builder
(:mod:`drift_guard.extract.pydal.build`) then replays ``Table.__init__`` on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from drift_guard.schema import Location, MaybeBool, MaybeInt, _Unknown


@dataclass(frozen=True)
class Note:
    """A located remark that becomes a DG002 Problem once the table is known."""

    message: str
    location: Location
    column: str | None = None
    partial: bool = False  # the table's column list is incomplete because of it


@dataclass(frozen=True)
class FieldSpec:
    """One ``Field(...)`` as PyDAL would build it (defaults applied)."""

    name: str
    type_text: str | None  # the PyDAL type string; None when not statically known
    spelled: str  # the type argument as written (``'string'`` when omitted)
    location: Location
    length: MaybeInt = None
    notnull: MaybeBool = False
    unique: MaybeBool = False
    default: str | None = None
    ondelete: str | None | _Unknown = "CASCADE"
    onupdate: str | None | _Unknown = "CASCADE"
    rname: str | None = None
    custom: bool = False  # SQLCustomType: native type not compared
    notes: tuple[Note, ...] = ()
    choices: tuple[str, ...] | None | _Unknown = None  # what requires=IS_IN_SET(...) accepts


@dataclass(frozen=True)
class Group:
    """A positional list/tuple of Fields: PyDAL adds every member, even duplicates."""

    items: tuple[Item, ...]


@dataclass(frozen=True)
class TableRef:
    """A positional Table (``db.person``): its fields except the id are copied in."""

    symbol: str
    spelled: str
    location: Location


@dataclass(frozen=True)
class Template:
    """A positional undefined Table (``db.Table(db, "name", Field(...))``): its
    fields except the id are copied in, self-references re-pointed (§4.1)."""

    symbol: str
    items: tuple[Item, ...]
    spelled: str
    location: Location


@dataclass(frozen=True)
class Virtual:
    """``Field.Virtual`` / ``Field.Method`` / ``Field.Lazy``: not a column."""

    location: Location


@dataclass(frozen=True)
class Unresolved:
    """An argument that cannot be read statically; the table becomes partial."""

    message: str
    location: Location


Item = Union[FieldSpec, Group, TableRef, Template, Virtual, Unresolved]


@dataclass(frozen=True)
class TableSpec:
    """One ``define_table`` call, read but not yet replayed."""

    symbol: str  # PyDAL table name
    db_name: str  # rname without quotes, else the PyDAL name
    location: Location  # the table-name argument
    call_location: Location  # the define_table call (the implicit id lives here)
    items: tuple[Item, ...]
    primarykey: tuple[str, ...] | None | _Unknown = None
    options: tuple[tuple[str, str], ...] = ()
    notes: tuple[Note, ...] = ()
    partial: bool = False
    order: int = 0  # position of the call in the whole run (for _common_fields)
    scope: tuple[str, ...] = ()  # names of the enclosing functions (for _common_fields)
