"""DG116: a PyDAL reference that turns a non-integer key into an integer.

PyDAL writes the value of a ``reference <table>`` field with ``str(int(value))``
whenever ``<table>`` is one of its tables, and reads it back as a ``Reference``,
an ``int`` (pydal/representers/base.py ``_reference``, pydal/parsers/base.py
``_reference``). Both are right for an ``id``; for a table keyed by a string
(``primarykey=["code"]``) every write raises ``ValueError`` and every read of a
stored key does too. Only ``reference <table>.<field>`` keeps the field's own type,
and ``list:reference`` converts every element to an integer whatever it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, rule
from drift_guard.types import pydal_reference_target

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext
    from drift_guard.schema import Column, Table

_INTEGER_KEYS = ("id", "big-id", "integer", "bigint")


@rule("DG116", "keyed-reference-cast", Severity.ERROR, group=Group.CROSS_LAYER, needs=("pydal",))
def keyed_reference_cast(ctx: ServiceContext) -> Iterator[Finding]:
    """A PyDAL reference to a table keyed by a non-integer field: PyDAL casts its values to int.

    ## What it does
    Reports a `Field(..., "reference <table>")` (or `Field(..., db.<table>)`)
    whose table is keyed (`primarykey=[...]`) by a single field that is not an
    integer, and any `list:reference` to such a table.

    ## Why is this bad?
    PyDAL converts the value of a plain reference to an integer on every write
    (`str(int(value))`) and every read (a `Reference` is an `int`): inserting
    `"WH01"` raises `ValueError: invalid literal for int()`, and so does selecting
    a row that holds one. The column itself is created with the key's type, so
    nothing fails until the first query. `list:reference` stores integers only.

    ## Example
    ```python
    db.define_table("warehouses", Field("code", length=8), primarykey=["code"])
    db.define_table("stock", Field("warehouse_code", "reference warehouses"))
    ```

    ## Use instead
    ```python
    db.define_table("warehouses", Field("code", length=8), primarykey=["code"])
    db.define_table("stock", Field("warehouse_code", "reference warehouses.code"))
    ```

    ## How to fix
    Name the key field in the reference (`"reference warehouses.code"`): PyDAL
    then writes and reads the field's own type. A `list:reference` cannot hold
    such keys: use `list:string`.
    """
    tables = ctx.pydal.first_tables()
    by_name = {(t.symbol or t.name).lower(): t for t in tables.values()} | {t.key: t for t in tables.values()}
    for table in tables.values():
        for column in table.columns:
            found = _casting_reference(column, by_name)
            if found is None:
                continue
            target, key, is_list = found
            name = target.symbol or target.name
            spelled = f"{table.symbol or table.name}.{column.attribute}"
            if is_list:
                message = (
                    f"field `{spelled}` is a list:reference to `{name}`, keyed by the {key.type.pydal_type} field "
                    f"`{key.attribute}`: PyDAL stores every element as an integer"
                )
                hint = 'use "list:string" for a list of keys; list:reference holds integers only'
            else:
                message = (
                    f"field `{spelled}` references `{name}`, keyed by the {key.type.pydal_type} field "
                    f"`{key.attribute}`: PyDAL converts the values of a plain reference to integers"
                )
                hint = (
                    f'use Field("{column.attribute}", "reference {name}.{key.attribute}"), which keeps the key\'s type'
                )
            yield keyed_reference_cast.finding(message, hint, column.location, table=table.key, column=column.key)


def _casting_reference(column: Column, tables: dict[str, Table]) -> tuple[Table, Column, bool] | None:
    """(referenced table, its key field, is a list) when PyDAL casts the values to int."""
    type_string = (column.type.pydal_type or "").strip()
    is_list = type_string.startswith("list:reference ")
    if not (is_list or type_string.startswith("reference ")):
        return None  # big-reference has no integer conversion of its own
    target = pydal_reference_target(type_string[len("list:") :] if is_list else type_string)
    if target is None or (target[1] is not None and not is_list):
        return None  # `reference t.field` keeps the field's type
    referenced = tables.get(target[0].lower())
    if referenced is None or any(c.type.pydal_type in ("id", "big-id") for c in referenced.columns):
        return None  # not keyed: references its integer id
    keys = [c for c in referenced.columns if c.primary_key]
    field = keys[0] if len(keys) == 1 and target[1] is None else None
    if target[1] is not None:
        field = next((c for c in referenced.columns if c.attribute == target[1]), None)
    key_type = field.type.pydal_type if field is not None else None
    if field is None or key_type is None or key_type in _INTEGER_KEYS or key_type.startswith(("reference", "big-")):
        return None
    return referenced, field, is_list
