"""The normalized schema that both layers are turned into.

Extractors (SQLAlchemy models, PyDAL tables) produce these frozen records; rules
only ever read them. Implicit behaviour (PyDAL's implicit ``id``, string length
512, ``Mapped[Optional[X]]`` meaning nullable, a primary key meaning NOT NULL) is
normalised *before* a value lands here, so a rule never has to know where a value
came from.

"Unknown" is a value, not a guess: anything the extractor could not resolve
statically is the ``UNKNOWN`` sentinel, which rules treat as "matches anything"
(the extractor reports the blind spot separately as a :class:`Problem`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Union

from drift_guard.paths import relative_path


class _Unknown:
    """Sentinel for a value that could not be resolved statically."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # never let UNKNOWN pass for True or False silently
        raise TypeError("UNKNOWN has no truth value; test `is UNKNOWN` first")

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
MaybeBool = Union[bool, _Unknown]
MaybeInt = Union[int, None, _Unknown]


def is_unknown(value: object) -> bool:
    return value is UNKNOWN


@dataclass(frozen=True, order=True)
class Location:
    """A point in a source file. ``line`` and ``column`` are 1-based.

    ``path`` is the file's canonical absolute path (``Session.canonical``), the
    same whatever directory the run started in; a reporter shows it relative
    to its base (:meth:`shown_from`). A few locations name no file (a
    configured service name, ``(migrations)``): those are kept as written."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def shown_from(self, base: Path) -> Location:
        """The same point with its path relative to ``base`` when inside it."""
        return Location(relative_path(self.path, base), self.line, self.column)


class Layer(str, enum.Enum):
    MODELS = "models"
    PYDAL = "pydal"
    MIGRATIONS = "migrations"


class Family(str, enum.Enum):
    """Logical type families compared by DG105.

    The SQLAlchemy side is mapped through SQLAlchemy's own class hierarchy
    (``TypeEngine._type_affinity`` / ``issubclass``), the PyDAL side through
    PyDAL's type names; see :mod:`drift_guard.types`.
    """

    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    FLOAT = "float"
    DECIMAL = "decimal"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    INTERVAL = "interval"
    JSON = "json"
    BINARY = "binary"
    UUID = "uuid"
    ENUM = "enum"
    ARRAY = "array"  # SQLAlchemy ARRAY
    LIST = "list"  # PyDAL list:* (bar-encoded text or a native array, per dialect)
    OTHER = "other"  # a known type with no family of its own (INET, geometry, ...)
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ColumnType:
    """A column type as written in one layer plus its canonical reading.

    ``spelled`` is the type exactly as the user wrote it (``String(20)``,
    ``'string'``) so messages can quote both sides. ``sa_type`` (models) is the
    qualified SQLAlchemy class name (``sqlalchemy.String``,
    ``sqlalchemy.dialects.postgresql.JSONB``) with the literal ``args`` /
    ``kwargs`` it was called with, enough to rebuild a real type object for the
    migration compare. ``pydal_type`` (PyDAL) is the type string as PyDAL sees it.
    """

    family: Family
    spelled: str
    length: MaybeInt = None
    precision: MaybeInt = None
    scale: MaybeInt = None
    sa_type: str | None = None
    args: tuple[object, ...] = ()
    kwargs: tuple[tuple[str, object], ...] = ()
    pydal_type: str | None = None
    item: ColumnType | None = None  # element type of ARRAY / list:*
    # ``with_variant(type, "sqlite")``: (SQLAlchemy dialect name, the type used there)
    variants: tuple[tuple[str, ColumnType], ...] = ()

    @property
    def is_unknown(self) -> bool:
        return self.family is Family.UNKNOWN

    @property
    def enum_values(self) -> tuple[str, ...] | None:
        """The values an ``Enum`` column stores (for ``Enum(PyEnum)``: the member
        names, which is what SQLAlchemy writes); None when this is not an Enum or
        a value could not be read (``values_callable``, an unresolved ``*names``)."""
        if self.family is not Family.ENUM or not self.args:
            return None
        if not all(isinstance(value, str) for value in self.args):
            return None
        return tuple(value for value in self.args if isinstance(value, str))

    def on(self, dialect: str) -> ColumnType:
        """The type SQLAlchemy uses on ``dialect`` (``sqlite``, ``postgresql``,
        ``mysql``, ``mssql``): a ``with_variant`` for it, else this type."""
        for name, variant in reversed(self.variants):
            if name == dialect:
                return variant
        return self


@dataclass(frozen=True)
class ForeignKey:
    """A reference from a column to ``table.column`` (database names, lower case).

    ``column`` is None when the reference targets the referenced table's primary
    key implicitly (PyDAL ``reference t``); rules resolve it against that table.
    ``ondelete``/``onupdate`` are upper-cased; None means the database default
    (NO ACTION).
    """

    table: str
    column: str | None
    ondelete: str | None = None
    onupdate: str | None = None
    location: Location | None = None
    spelled: str = ""


@dataclass(frozen=True)
class Column:
    name: str  # database name, as written (compare with .key)
    attribute: str  # Python attribute / PyDAL field name
    type: ColumnType
    location: Location
    nullable: MaybeBool = True
    primary_key: bool = False
    unique: MaybeBool = False
    index: bool = False
    autoincrement: MaybeBool = UNKNOWN
    foreign_key: ForeignKey | None = None
    default: str | None = None  # source text of the Python-side default
    server_default: str | None = None  # source text of the server default
    # PyDAL: the values ``requires=IS_IN_SET(...)`` accepts, as strings (None: no
    # such set; UNKNOWN: a set that cannot be read). Models: see ColumnType.enum_values.
    choices: tuple[str, ...] | None | _Unknown = None

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Index:
    name: str | None
    columns: tuple[str, ...]
    unique: bool
    location: Location


@dataclass(frozen=True)
class UniqueConstraint:
    name: str | None
    columns: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class ForeignKeyConstraint:
    """A table-level (possibly composite) foreign key."""

    name: str | None
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    ondelete: str | None
    onupdate: str | None
    location: Location


@dataclass(frozen=True)
class Table:
    name: str  # database name as written
    layer: Layer
    location: Location
    columns: tuple[Column, ...] = ()
    symbol: str | None = None  # class name (models) or PyDAL table name
    indexes: tuple[Index, ...] = ()
    unique_constraints: tuple[UniqueConstraint, ...] = ()
    foreign_key_constraints: tuple[ForeignKeyConstraint, ...] = ()
    # PyDAL: the keyword arguments of define_table that matter to rules, as
    # source text (``migrate``, ``fake_migrate``, ``primarykey``, ``rname``).
    options: tuple[tuple[str, str], ...] = ()
    # True when the field list could not be fully resolved: a rule must not
    # report "column missing" against a table it could not read completely.
    partial: bool = False

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.primary_key)

    def unique_alone(self, column: Column) -> MaybeBool:
        """Whether ``column`` is unique on its own: ``unique=True``, or a
        one-column unique constraint or unique index of this table (UNKNOWN when
        the column's own flag could not be read). DG108 and ``fix`` read it."""
        if column.unique is UNKNOWN:
            return UNKNOWN
        if column.unique:
            return True
        single = [c.columns for c in self.unique_constraints] + [i.columns for i in self.indexes if i.unique]
        return any(len(cols) == 1 and cols[0].lower() == column.key for cols in single)

    def column(self, name: str) -> Column | None:
        wanted = name.lower()
        for col in self.columns:
            if col.key == wanted:
                return col
        return None

    def option(self, name: str) -> str | None:
        return dict(self.options).get(name)


class ProblemKind(str, enum.Enum):
    SYNTAX_ERROR = "syntax-error"  # DG001: file does not parse / decode
    UNRESOLVED = "unresolved"  # DG002: a schema-affecting construct not resolvable


@dataclass(frozen=True)
class Problem:
    """Something an extractor could not read. Rules turn these into DG0xx findings."""

    kind: ProblemKind
    message: str
    location: Location
    table: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Schema:
    """Everything one layer of one service defines.

    ``tables`` keeps every definition in source order, duplicates included
    (DG114 needs them); use :meth:`tables_by_key` for pairing.
    """

    layer: Layer
    tables: tuple[Table, ...] = ()
    problems: tuple[Problem, ...] = ()
    files: tuple[str, ...] = ()

    def tables_by_key(self) -> dict[str, list[Table]]:
        """Every definition per database name (a new dict each call; computed once)."""
        return {key: list(defs) for key, defs in self._grouped.items()}

    def first_tables(self) -> dict[str, Table]:
        """One table per database name: the definition in effect. That is the
        first one, except that a later PyDAL ``define_table(..., redefine=True)``
        replaces it, as PyDAL does. Computed once per schema: rules ask for it
        per column, and a 1,000-table schema must not make that quadratic."""
        return dict(self._first)

    def __getstate__(self) -> dict[str, Any]:
        """What is stored (:mod:`drift_guard.codec`): the fields, not the indexes
        computed from them, so a schema is stored the same whether or not a rule
        asked for them first (its digest keys other results)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_grouped", "_first")}

    @cached_property
    def _grouped(self) -> dict[str, tuple[Table, ...]]:
        grouped: dict[str, list[Table]] = {}
        for table in self.tables:
            grouped.setdefault(table.key, []).append(table)
        return {key: tuple(defs) for key, defs in grouped.items()}

    @cached_property
    def _first(self) -> dict[str, Table]:
        chosen: dict[str, Table] = {}
        for key, defs in self._grouped.items():
            chosen[key] = defs[0]
            for later in defs[1:]:
                if later.option("redefine") == "True":
                    chosen[key] = later
        return chosen

    def __iter__(self) -> Iterator[Table]:
        return iter(self.tables)
