"""What each layer's type names mean, taken from the libraries themselves.

* SQLAlchemy side: the written name is resolved to the real SQLAlchemy class
  (``sqlalchemy.dialects.postgresql.JSONB`` -> the JSONB class) and classified by
  SQLAlchemy's own hierarchy (JSONB *is a* ``sqlalchemy.JSON``, ``mysql.TINYINT``
  *is an* ``Integer``). Only modules under ``sqlalchemy.`` are ever imported.
* PyDAL side: a type string is valid when PyDAL's own dialect type tables know it
  (``SQLiteDialect(None).types`` etc.), exactly the check PyDAL makes when it
  builds DDL; its family follows from the PyDAL type name.

Both imports are lazy: the knowledge is only loaded when a type is classified.
"""

from __future__ import annotations

import importlib
import re
from functools import cache, lru_cache

from drift_guard.schema import UNKNOWN, ColumnType, Family, MaybeInt

PYDAL_DEFAULT_STRING_LENGTH = 512
_STRINGLIKE = ("string", "password", "upload")
_DECIMAL_RE = re.compile(r"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")
_GEO_RE = re.compile(r"^(geometry|geography)\(.*\)$")


# --------------------------------------------------------------------------- SQLAlchemy


@cache
def sqlalchemy_class(qualname: str) -> type | None:
    """The SQLAlchemy type class a qualified name refers to, or None.

    Never imports anything outside the ``sqlalchemy`` package.
    """
    if not (qualname == "sqlalchemy" or qualname.startswith("sqlalchemy.")):
        return None
    if qualname.startswith("sqlalchemy.testing"):  # runs code at import (pytest plugin bootstrap)
        return None
    parts = qualname.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name, attrs = ".".join(parts[:split]), parts[split:]
        try:
            obj: object = importlib.import_module(module_name)
        except ImportError:
            continue
        try:
            for attr in attrs:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj if isinstance(obj, type) else None
    return None


@cache
def type_family(qualname: str) -> Family:
    """The family of the SQLAlchemy type class ``qualname`` names (UNKNOWN for
    anything else). Kept across runs for the installed SQLAlchemy
    (:mod:`drift_guard.library_facts`), so reading an edited models file does
    not import SQLAlchemy to classify the types it used before."""
    if not qualname.startswith("sqlalchemy."):
        return Family.UNKNOWN

    def ask() -> str:
        cls = sqlalchemy_class(qualname)
        return (sqlalchemy_family(cls) if cls is not None else Family.UNKNOWN).value

    from drift_guard.session import library_answer

    return Family(library_answer("sqlalchemy", f"family:{qualname}", ask))


@cache
def sqlalchemy_family(cls: type) -> Family:
    import sqlalchemy as sa
    from sqlalchemy.types import TypeDecorator, TypeEngine

    if not issubclass(cls, TypeEngine):
        return Family.UNKNOWN
    if issubclass(cls, _abstract_interval()):
        # sa.Interval (a TypeDecorator over DateTime where there is no native type) and
        # the native postgresql/oracle INTERVAL share this base: a duration, not a datetime
        return Family.INTERVAL
    if issubclass(cls, TypeDecorator):
        impl = getattr(cls, "impl", None)
        if isinstance(impl, TypeEngine):
            impl = type(impl)
        return sqlalchemy_family(impl) if isinstance(impl, type) else Family.UNKNOWN
    order = (
        (sa.Enum, Family.ENUM),
        (sa.Text, Family.TEXT),
        (sa.String, Family.STRING),
        (sa.Boolean, Family.BOOLEAN),
        (sa.Integer, Family.INTEGER),
        (sa.Float, Family.FLOAT),
        (sa.Numeric, Family.DECIMAL),
        (sa.DateTime, Family.DATETIME),
        (sa.Date, Family.DATE),
        (sa.Time, Family.TIME),
        (sa.Interval, Family.INTERVAL),
        (sa.JSON, Family.JSON),
        (sa.ARRAY, Family.ARRAY),
        (sa.LargeBinary, Family.BINARY),
        (sa.types._Binary, Family.BINARY),
        (sa.Uuid, Family.UUID),
    )
    for base, family in order:
        if issubclass(cls, base):
            if family is Family.STRING and _text_visit_name(cls):
                return Family.TEXT
            return family
    return Family.OTHER


def _abstract_interval() -> type:
    from sqlalchemy.sql.sqltypes import _AbstractInterval

    return _AbstractInterval


def _text_visit_name(cls: type) -> bool:
    """A String subclass whose SQL type (its ``__visit_name__``, the name the
    dialect's type compiler renders) is a TEXT type: MySQL's TINYTEXT, MEDIUMTEXT
    and LONGTEXT derive from String, not Text, yet hold unbounded text (LONGTEXT is
    what PyDAL's ``text`` creates on MySQL)."""
    name = getattr(cls, "__visit_name__", None)
    return isinstance(name, str) and name.upper().endswith("TEXT")


def _arg(args: tuple, kwargs: dict, index: int, name: str) -> MaybeInt:
    if name in kwargs:
        value = kwargs[name]
    elif len(args) > index:
        value = args[index]
    else:
        return None
    if value is UNKNOWN or value is None:
        return value
    return value if isinstance(value, int) and not isinstance(value, bool) else UNKNOWN


def model_column_type(
    qualname: str | None,
    args: tuple = (),
    kwargs: tuple[tuple[str, object], ...] = (),
    spelled: str = "",
    item: ColumnType | None = None,
) -> ColumnType:
    """Classify a SQLAlchemy type as written (``qualname`` already resolved
    through the module's imports). Unresolvable names give Family.UNKNOWN."""
    family = type_family(qualname) if qualname else Family.UNKNOWN
    kw = dict(kwargs)
    length: MaybeInt = None
    precision: MaybeInt = None
    scale: MaybeInt = None
    if family in (Family.STRING, Family.TEXT):
        length = _arg(args, kw, 0, "length")
    elif family is Family.ENUM:
        enum_length = kw.get("length")
        length = enum_length if isinstance(enum_length, int) else None
    elif family is Family.DECIMAL:
        precision = _arg(args, kw, 0, "precision")
        scale = _arg(args, kw, 1, "scale")
    return ColumnType(
        family=family,
        spelled=spelled or (qualname or "?").rsplit(".", 1)[-1],
        length=length,
        precision=precision,
        scale=scale,
        sa_type=qualname,
        args=tuple(args),
        kwargs=tuple(kwargs),
        item=item,
    )


# --------------------------------------------------------------------------- PyDAL


def pydal_type_names() -> frozenset[str]:
    """Every type key PyDAL's SQL dialects register (``string``, ``list:integer``,
    ``reference``, ``big-id``, ``jsonb`` ...), read from PyDAL itself (kept in the
    run's cache per installed PyDAL, so a cached run does not import it)."""
    from drift_guard.session import current

    session = current()
    if session is None:
        return _pydal_type_names()
    return session.cached_for_package("pydal-types", "pydal", _pydal_type_names)


@lru_cache(maxsize=1)
def _pydal_type_names() -> frozenset[str]:
    from pydal.dialects.mysql import MySQLDialect
    from pydal.dialects.postgre import PostgreDialectBooleanJSON
    from pydal.dialects.sqlite import SQLiteDialect

    names: set[str] = set()
    for dialect in (SQLiteDialect, PostgreDialectBooleanJSON, MySQLDialect):
        names.update(dialect(None).types)
    return frozenset(names)


def pydal_base_type(type_string: str) -> str:
    """The key PyDAL looks the type up under: ``reference person`` -> ``reference``,
    ``decimal(10,2)`` -> ``decimal``, ``list:reference t`` -> ``list:reference``."""
    text = type_string.strip()
    for prefix in ("list:reference", "big-reference", "reference"):
        if text == prefix or text.startswith(prefix + " "):
            return prefix
    if "(" in text:
        return text.split("(", 1)[0].strip()
    return text


def pydal_type_problem(type_string: str) -> str | None:
    """Why PyDAL would reject ``type_string`` when building DDL, or None if valid."""
    text = type_string.strip()
    base = pydal_base_type(text)
    if _GEO_RE.match(text):
        return None
    if base in ("geometry", "geography"):
        return f"`{text}` needs parentheses, e.g. `{base}()`"
    if base == "decimal":
        if _DECIMAL_RE.match(text):
            return None
        return "`decimal` needs a precision and scale, e.g. `decimal(10,2)`"
    if base in ("reference", "big-reference", "list:reference"):
        return None if text != base else f"`{base}` needs a table name, e.g. `{base} person`"
    if base == "reference FK" or base not in pydal_type_names() or "(" in text:
        return f"`{text}` is not a PyDAL field type"
    return None


def pydal_reference_target(type_string: str) -> tuple[str, str | None] | None:
    """``reference person`` -> ("person", None); ``reference t.col`` -> ("t", "col")."""
    text = type_string.strip()
    for prefix in ("big-reference ", "reference "):
        if text.startswith(prefix):
            target = text[len(prefix) :].strip()
            table, _, column = target.partition(".")
            return table, (column or None)
    return None


_PYDAL_FAMILIES = {
    "string": Family.STRING,
    "password": Family.STRING,
    "upload": Family.STRING,
    "text": Family.TEXT,
    "blob": Family.BINARY,
    "boolean": Family.BOOLEAN,
    "integer": Family.INTEGER,
    "bigint": Family.INTEGER,
    "id": Family.INTEGER,
    "big-id": Family.INTEGER,
    "reference": Family.INTEGER,
    "big-reference": Family.INTEGER,
    "float": Family.FLOAT,
    "double": Family.FLOAT,
    "decimal": Family.DECIMAL,
    "date": Family.DATE,
    "time": Family.TIME,
    "datetime": Family.DATETIME,
    "json": Family.JSON,
    "jsonb": Family.JSON,
    "list:string": Family.LIST,
    "list:integer": Family.LIST,
    "list:reference": Family.LIST,
    "geometry": Family.OTHER,
    "geography": Family.OTHER,
}
_LIST_ITEMS = {"list:string": Family.STRING, "list:integer": Family.INTEGER, "list:reference": Family.INTEGER}


def pydal_column_type(type_string: str, length: MaybeInt = None, spelled: str = "") -> ColumnType:
    """Classify a PyDAL type string with PyDAL's implicit defaults applied
    (string/password/upload length 512)."""
    text = type_string.strip()
    spelled = spelled or repr(text)
    if pydal_type_problem(text) is not None:
        return ColumnType(Family.UNKNOWN, spelled, pydal_type=text)
    base = pydal_base_type(text)
    family = _PYDAL_FAMILIES.get(base, Family.OTHER)
    col_length: MaybeInt = None
    precision: MaybeInt = None
    scale: MaybeInt = None
    item = None
    if base in _STRINGLIKE:
        col_length = PYDAL_DEFAULT_STRING_LENGTH if length is None else length
    elif base == "decimal":
        match = _DECIMAL_RE.match(text)
        assert match is not None  # validated above
        precision, scale = int(match.group(1)), int(match.group(2))
    elif base in _LIST_ITEMS:
        item = ColumnType(_LIST_ITEMS[base], base, pydal_type=base)
    return ColumnType(
        family=family,
        spelled=spelled,
        length=col_length,
        precision=precision,
        scale=scale,
        pydal_type=text,
        item=item,
    )


# --------------------------------------------------------------------------- comparison

# (model family, pydal family) pairs that describe the same stored values even
# though the families differ. Anything not here and not equal is DG105.
_COMPATIBLE = frozenset(
    {
        (Family.ENUM, Family.STRING),  # an Enum column is written and read as its string values
        (Family.UUID, Family.STRING),  # PyDAL reads and writes UUIDs as strings
        (Family.TEXT, Family.LIST),  # list:* is bar-encoded text outside postgres2/3 (DG112 checks the dialect)
        (Family.ARRAY, Family.LIST),  # list:* is a native array on postgres2/3 (DG112 checks the dialect)
    }
)


def families_compatible(model: ColumnType, pydal: ColumnType) -> bool:
    if model.is_unknown or pydal.is_unknown or Family.OTHER in (model.family, pydal.family):
        return True  # unknown is compared as a match; the blind spot is reported as DG002
    if (model.family, pydal.family) == (Family.STRING, Family.BOOLEAN) and model.length == 1:
        # CHAR(1) / String(1) (or a TypeDecorator over one) holding 'T'/'F' is what
        # PyDAL's boolean stores (CHAR(1) outside postgres3://); DG112 checks the dialect
        return True
    if (model.family, pydal.family) == (Family.ARRAY, Family.LIST) and model.item and pydal.item:
        # ARRAY(Integer) under list:string: the elements PyDAL writes are not the column's
        return _item_family(model.item) is _item_family(pydal.item) or Family.UNKNOWN in (
            _item_family(model.item),
            _item_family(pydal.item),
        )
    return model.family is pydal.family or (model.family, pydal.family) in _COMPATIBLE


# Array elements: list:string is TEXT[] on postgres2/3, so any string-like element matches it.
_ELEMENT = {Family.TEXT: Family.STRING, Family.ENUM: Family.STRING, Family.UUID: Family.STRING}


def _item_family(item: ColumnType) -> Family:
    if item.is_unknown or item.family is Family.OTHER:
        return Family.UNKNOWN
    return _ELEMENT.get(item.family, item.family)


def lengths_comparable(model: ColumnType, pydal: ColumnType) -> bool:
    """Whether DG106 should compare length/precision: same concrete family only."""
    return model.family is pydal.family and model.family in (Family.STRING, Family.DECIMAL)
