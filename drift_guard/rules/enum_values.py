"""DG115: the values an Enum column takes, compared between the layers.

The model's ``Enum`` decides what the database stores (a native enum type, or a
CHECK/length on non-native backends, and SQLAlchemy's own lookup when it reads a
row back); PyDAL's ``requires=IS_IN_SET(...)`` decides what the runtime layer
lets through. Only values both sides state literally are compared: an Enum
whose values cannot be read (``values_callable``, an unresolved ``*names``), a
set built at run time, or a PyDAL field without a set is not reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.pairing import both_columns, both_tables
from drift_guard.rules import Group, rule

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext


def _shown(values: list[str]) -> str:
    return ", ".join(repr(v) for v in values)


@rule("DG115", "enum-values-mismatch", Severity.ERROR, group=Group.CROSS_LAYER, needs=("models", "pydal"))
def enum_values_mismatch(ctx: ServiceContext) -> Iterator[Finding]:
    """An Enum column accepts values in one layer that the other layer rejects.

    ## What it does
    For every column that is an `Enum` in the model and has
    `requires=IS_IN_SET(...)` in PyDAL (also inside `IS_EMPTY_OR(...)` or a list
    of validators), compares the values each side accepts. `Enum("a", "b")` stores
    its strings; `Enum(MyEnum)` stores the Python enum's member *names*, as
    SQLAlchemy does unless `values_callable` is given. A value PyDAL accepts and
    the model rejects is an error; a value only the model accepts is a warning.
    Values that cannot be read statically on either side are not compared.

    ## Why is this bad?
    A value PyDAL lets through but the Enum does not know fails the insert on a
    native enum (PostgreSQL: `invalid input value for enum`), and where it is
    stored anyway SQLAlchemy raises `LookupError` when it reads the row back. A
    value only the model knows is rejected by PyDAL's forms and
    `validate_and_insert`, and rows holding it fail validation when edited.

    ## Example
    ```python
    class Status(enum.Enum):
        ACTIVE = "active"
        BANNED = "banned"
    status = Column(Enum(Status))                  # stores 'ACTIVE', 'BANNED'
    db.define_table("users", Field("status", requires=IS_IN_SET(["active", "banned"])))
    ```

    ## Use instead
    ```python
    status = Column(Enum(Status, values_callable=lambda e: [m.value for m in e]))  # stores 'active', 'banned'
    db.define_table("users", Field("status", requires=IS_IN_SET(["active", "banned"])))
    ```

    ## How to fix
    Make the two lists the same: add the missing value to the model's `Enum`
    (and a migration that alters the enum type), or to PyDAL's `IS_IN_SET`. For
    `Enum(MyEnum)`, remember that SQLAlchemy stores the member names; pass
    `values_callable=lambda e: [m.value for m in e]` to store the values instead.
    """
    for model, pydal in both_tables(ctx.table_pairs):
        for model_c, pydal_c in both_columns(model, pydal):
            stored = model_c.type.enum_values
            accepted = pydal_c.choices
            if stored is None or not isinstance(accepted, tuple):
                continue
            only_pydal = [v for v in accepted if v not in stored]
            only_model = [v for v in stored if v not in accepted]
            if not only_pydal and not only_model:
                continue
            enum = model_c.type.spelled
            parts = []
            if only_pydal:
                parts.append(f"PyDAL's IS_IN_SET accepts {_shown(only_pydal)}, which the model's {enum} rejects")
            if only_model:
                who = "the model" if only_pydal else f"the model's {enum}"
                parts.append(f"{who} accepts {_shown(only_model)}, which PyDAL's IS_IN_SET rejects")
            yield enum_values_mismatch.finding(
                f"column `{model.name}.{model_c.name}`: " + "; ".join(parts),
                f"make IS_IN_SET and the Enum list the same values (the model stores {_shown(list(stored))}; "
                "Enum(PyEnum) stores member names unless values_callable is given)",
                pydal_c.location,
                table=model.key,
                column=model_c.key,
                related=[model_c.location],
                severity=Severity.ERROR if only_pydal else Severity.WARNING,
            )
