"""What a PyDAL ``Field`` should say for a model column: type string and options.

The mapping is PyDAL's own vocabulary (``/work/shared`` notes, pydal/objects.py):
``JSON`` -> ``"json"`` (``"jsonb"`` only where PyDAL has it, on PostgreSQL),
``Numeric(12, 2)`` -> ``"decimal(12,2)"``, ``ForeignKey("users.id")`` ->
``"reference users"`` with the model's ON DELETE written out (PyDAL's default is
CASCADE, the database's NO ACTION). ``None`` means PyDAL has no faithful type
(``Interval``, a type the extractor could not read): that column needs a hand edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from drift_guard.schema import UNKNOWN, Column, ColumnType, Family, Table

_PLAIN = {
    Family.STRING: "string",
    Family.TEXT: "text",
    Family.BOOLEAN: "boolean",
    Family.FLOAT: "double",
    Family.DATE: "date",
    Family.TIME: "time",
    Family.DATETIME: "datetime",
    Family.BINARY: "blob",
    Family.ENUM: "string",
    Family.UUID: "string",
}
_LIST = {Family.INTEGER: "list:integer", Family.STRING: "list:string", Family.TEXT: "list:string"}
STRINGLIKE = ("string", "password", "upload")
PYDAL_DEFAULT_LENGTH = 512


@dataclass(frozen=True)
class WantedField:
    """A Field to write: its name, PyDAL type and keyword options, in writing order."""

    name: str
    type: str
    options: tuple[tuple[str, object], ...] = ()


def valid_name(name: str) -> bool:
    """Whether PyDAL accepts ``name`` as a field name as it is (pydal/objects.py:
    ``^[a-zA-Z]\\w*$``, not a keyword, not a Table attribute); otherwise the
    Field needs another name and ``rname=``, which is a person's choice."""
    import keyword
    import re

    return bool(re.match(r"^[a-zA-Z]\w*\Z", name)) and not keyword.iskeyword(name) and name not in _TABLE_ATTRIBUTES


# Field names PyDAL refuses because they are Table attributes (PYDAL_NOTES.md §5).
_TABLE_ATTRIBUTES = frozenset(
    "as_dict as_json as_xml as_yaml bulk_insert clear copy create_index drop drop_index fields get has_key "
    "import_from_csv_file insert items iteritems iterkeys itervalues keys on pop query_name sql_fullref "
    "sql_shortref sqlsafe sqlsafe_alias truncate update update_or_insert validate_and_insert "
    "validate_and_update validate_and_update_or_insert values with_alias".split()
)


def pydal_type(ctype: ColumnType, postgres: bool = False) -> str | None:
    """The PyDAL type string for a model column type (no reference), or None."""
    family = ctype.family
    if family is Family.INTEGER:
        from drift_guard.integer_widths import model_integer_bytes

        return "bigint" if model_integer_bytes(ctype) == 8 else "integer"
    if family is Family.DECIMAL:
        if not isinstance(ctype.precision, int):
            return None  # PyDAL has no bare decimal (it raises when it builds DDL)
        scale = ctype.scale if isinstance(ctype.scale, int) else 0
        return f"decimal({ctype.precision},{scale})"
    if family is Family.JSON:
        return "jsonb" if postgres and (ctype.sa_type or "").endswith("JSONB") else "json"
    if family is Family.ARRAY:
        item = ctype.item.family if ctype.item is not None else None
        return _LIST.get(item) if item is not None else None
    return _PLAIN.get(family)


def string_length(ctype: ColumnType) -> int | None:
    """The model's string length, when it has one PyDAL can take."""
    if ctype.family in (Family.STRING, Family.ENUM) and isinstance(ctype.length, int):
        return ctype.length
    if ctype.family is Family.UUID:
        return 36
    return None


def ondelete_of(column: Column) -> str:
    """The model's ON DELETE as PyDAL spells it; none is the database's NO ACTION."""
    fk = column.foreign_key
    return ((fk.ondelete if fk is not None else None) or "NO ACTION").upper()


def reference_type(column: Column, pydal_symbols: dict[str, str], model_tables: dict[str, Table]) -> str | None:
    """``reference <table>`` for a model foreign key to the target's primary key
    (``<table>`` is the PyDAL name of the target); None when PyDAL cannot express
    it (a reference to a non-key column, an unresolved target)."""
    fk = column.foreign_key
    if fk is None or fk.table is UNKNOWN or fk.column is UNKNOWN:
        return None
    target = fk.table.lower().split(".")[-1]
    table = model_tables.get(target)
    pk = table.primary_key if table is not None else ("id",)
    if len(pk) != 1 or (fk.column or pk[0]).lower() != pk[0]:
        return None
    return f"reference {pydal_symbols.get(target, target)}"


def wanted_field(
    column: Column,
    table: Table,
    pydal_symbols: dict[str, str],
    model_tables: dict[str, Table],
    postgres: bool = False,
) -> WantedField | None:
    """The whole Field for a model column (None: PyDAL has no type for it, or
    the column's name is not one PyDAL accepts)."""
    if not valid_name(column.name):
        return None
    options: list[tuple[str, object]] = []
    if column.foreign_key is not None:
        type_ = reference_type(column, pydal_symbols, model_tables)
    else:
        type_ = pydal_type(column.type, postgres)
    if type_ is None:
        return None
    length = string_length(column.type) if type_ in STRINGLIKE else None
    if length is not None:
        options.append(("length", length))
    if column.nullable is False and not column.primary_key:
        options.append(("notnull", True))
    if not column.primary_key and model_unique(table, column):
        options.append(("unique", True))
    if type_.startswith("reference "):
        options.append(("ondelete", ondelete_of(column)))
    return WantedField(column.name, type_, tuple(options))


def model_unique(table: Table, column: Column) -> bool | None:
    """Single-column uniqueness as DG108 reads it (None: unknown)."""
    found = table.unique_alone(column)
    return None if found is UNKNOWN else bool(found)


def implicit_id(table: Table) -> bool:
    """Whether PyDAL's implicit ``id`` stands for the model's key (one integer ``id``)."""
    pk = [c for c in table.columns if c.primary_key]
    return len(pk) == 1 and pk[0].key == "id" and pk[0].type.family is Family.INTEGER
