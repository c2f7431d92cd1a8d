"""What a qualified name means to SQLAlchemy, asked of SQLAlchemy itself.

The extractor meets ``sa.Column``, ``sqlalchemy.orm.mapped_column``,
``sqlalchemy.schema.Column`` ... spelled through many import paths. Instead of a
hand-kept table of spellings, the name is resolved to the real SQLAlchemy object
(only modules under ``sqlalchemy.`` are ever imported) and compared by identity,
so every alias path SQLAlchemy itself exports is understood.

The answers are kept across runs for the installed SQLAlchemy
(:mod:`drift_guard.library_facts`): a run that asks only what earlier runs
asked, such as one after a model edit, does not import SQLAlchemy.
"""

from __future__ import annotations

import enum
import importlib
from functools import cache, lru_cache
from typing import Callable, TypeVar

T = TypeVar("T")


class Role(str, enum.Enum):
    COLUMN = "column"  # Column(...)
    MAPPED_COLUMN = "mapped_column"  # mapped_column(...)
    WRAPPER = "wrapper"  # deferred(Column(...)), column_property(Column(...))
    FOREIGN_KEY = "foreign_key"
    TABLE = "table"
    METADATA = "metadata"
    REGISTRY = "registry"
    DECLARATIVE_BASE = "declarative_base"  # the function
    BASE_CLASS = "base_class"  # DeclarativeBase / DeclarativeBaseNoMeta
    AS_DECLARATIVE = "as_declarative"
    DECLARED_ATTR = "declared_attr"
    MAPPED = "mapped"  # Mapped[...]
    UNIQUE = "unique"
    INDEX = "index"
    FK_CONSTRAINT = "fk_constraint"
    PK_CONSTRAINT = "pk_constraint"
    CHECK = "check"
    SCHEMA_ITEM = "schema_item"  # Sequence, Identity, Computed, FetchedValue ... in Column(*args)
    TYPE_DECORATOR = "type_decorator"


@cache
def sa_object(qualname: str) -> object | None:
    """The object ``qualname`` names inside the sqlalchemy package, or None.

    ``sqlalchemy.testing`` is never imported: its pytest plugin modules run code
    at import time (found by running the extractor over SQLAlchemy's own files)."""
    if not qualname.startswith("sqlalchemy.") or qualname.startswith("sqlalchemy.testing"):
        return None
    parts = qualname.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            if not hasattr(obj, attr):
                return None
            obj = getattr(obj, attr)
        return obj
    return None


@lru_cache(maxsize=1)
def _roles() -> dict[int, Role]:
    import sqlalchemy as sa
    from sqlalchemy import orm
    from sqlalchemy.ext import declarative as ext_decl

    table: dict[object, Role] = {
        sa.Column: Role.COLUMN,
        orm.mapped_column: Role.MAPPED_COLUMN,
        orm.deferred: Role.WRAPPER,
        orm.column_property: Role.WRAPPER,
        sa.ForeignKey: Role.FOREIGN_KEY,
        sa.Table: Role.TABLE,
        sa.MetaData: Role.METADATA,
        orm.registry: Role.REGISTRY,
        orm.declarative_base: Role.DECLARATIVE_BASE,
        ext_decl.declarative_base: Role.DECLARATIVE_BASE,
        orm.DeclarativeBase: Role.BASE_CLASS,
        orm.DeclarativeBaseNoMeta: Role.BASE_CLASS,
        orm.as_declarative: Role.AS_DECLARATIVE,
        ext_decl.as_declarative: Role.AS_DECLARATIVE,
        orm.declared_attr: Role.DECLARED_ATTR,
        orm.Mapped: Role.MAPPED,
        sa.UniqueConstraint: Role.UNIQUE,
        sa.Index: Role.INDEX,
        sa.ForeignKeyConstraint: Role.FK_CONSTRAINT,
        sa.PrimaryKeyConstraint: Role.PK_CONSTRAINT,
        sa.CheckConstraint: Role.CHECK,
        sa.Sequence: Role.SCHEMA_ITEM,
        sa.Identity: Role.SCHEMA_ITEM,
        sa.Computed: Role.SCHEMA_ITEM,
        sa.FetchedValue: Role.SCHEMA_ITEM,
        sa.DefaultClause: Role.SCHEMA_ITEM,
        sa.types.TypeDecorator: Role.TYPE_DECORATOR,
    }
    return {id(obj): role for obj, role in table.items()}


def _asked(question: str, ask: Callable[[], T]) -> T:
    from drift_guard.session import library_answer

    return library_answer("sqlalchemy", question, ask)


@cache
def sa_role(qualname: str) -> Role | None:
    """The role of a qualified name (``sqlalchemy.orm.mapped_column`` -> MAPPED_COLUMN)."""
    if qualname.startswith("sqlalchemy.") and qualname.endswith((".directive", ".cascading")):
        head = qualname.rsplit(".", 1)[0]
        return Role.DECLARED_ATTR if sa_role(head) is Role.DECLARED_ATTR else None
    if not qualname.startswith("sqlalchemy."):
        return None  # sa_object's answer, without asking
    value = _asked(f"role:{qualname}", lambda: _live_role(qualname))
    return None if value is None else Role(value)


def _live_role(qualname: str) -> str | None:
    obj = sa_object(qualname)
    role = None if obj is None else _roles().get(id(obj))
    return None if role is None else role.value


@cache
def is_sa_export(qualname: str) -> bool:
    """Whether SQLAlchemy has an object by that name."""
    if not qualname.startswith("sqlalchemy."):
        return False
    return _asked(f"exists:{qualname}", lambda: sa_object(qualname) is not None)


@cache
def is_sa_type_class(qualname: str) -> bool:
    return _subclass_of(qualname, "TypeEngine")


@cache
def is_type_decorator(qualname: str) -> bool:
    return _subclass_of(qualname, "TypeDecorator")


def _subclass_of(qualname: str, base: str) -> bool:
    """Whether ``qualname`` names a subclass of ``sqlalchemy.types.<base>``."""
    if not qualname.startswith("sqlalchemy."):
        return False

    def ask() -> bool:
        import sqlalchemy.types

        obj = sa_object(qualname)
        return isinstance(obj, type) and issubclass(obj, getattr(sqlalchemy.types, base))

    return _asked(f"{base}:{qualname}", ask)


# Modules whose classes are known to contribute no mapped columns when used as
# a base or mixin of a model (``MappedAsDataclass``, ``Generic[T]``, ``ABC``).
_COLUMNLESS_MODULES = ("sqlalchemy", "typing", "typing_extensions", "abc", "dataclasses", "collections")
_BUILTINS = frozenset({"object", "builtins.object", "int", "str", "dict", "list", "Exception"})
PY_ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})


def is_columnless_external(qualname: str) -> bool:
    """An external base that cannot add columns to a model."""
    if qualname in _BUILTINS or qualname in PY_ENUM_BASES:
        return True
    head = qualname.split(".", 1)[0]
    return head in _COLUMNLESS_MODULES


# Python annotation -> SQLAlchemy type, SQLAlchemy 2.x's default type map plus
# the dict/list -> JSON reading drift-guard applies.
DEFAULT_ANNOTATION_TYPES = {
    "int": "sqlalchemy.Integer",
    "str": "sqlalchemy.String",
    "bool": "sqlalchemy.Boolean",
    "float": "sqlalchemy.Float",
    "bytes": "sqlalchemy.LargeBinary",
    "dict": "sqlalchemy.JSON",
    "list": "sqlalchemy.JSON",
    "typing.Dict": "sqlalchemy.JSON",
    "typing.List": "sqlalchemy.JSON",
    "decimal.Decimal": "sqlalchemy.Numeric",
    "datetime.datetime": "sqlalchemy.DateTime",
    "datetime.date": "sqlalchemy.Date",
    "datetime.time": "sqlalchemy.Time",
    "datetime.timedelta": "sqlalchemy.Interval",
    "uuid.UUID": "sqlalchemy.Uuid",
}


def annotation_key(qualname: str) -> str:
    """Normalise a resolved annotation name (``builtins.int`` -> ``int``)."""
    return qualname[len("builtins.") :] if qualname.startswith("builtins.") else qualname
