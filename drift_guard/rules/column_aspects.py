"""DG105-DG111: columns defined in both layers, compared aspect by aspect.

Each rule looks at one aspect only (type family, length, nullability, unique,
foreign key, primary key, ON DELETE), like Alembic's per-aspect comparators, so
one drift gives one finding. Findings are located at the PyDAL field (the layer
that must follow the models) with the model column as the related location.
UNKNOWN on either side is compared as a match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.integer_widths import compare_widths, widths_differ
from drift_guard.rules._comparators import PairedColumn, TypedPair, column_rule
from drift_guard.schema import UNKNOWN, ColumnType, Family
from drift_guard.types import families_compatible, lengths_comparable, pydal_base_type

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext


def _declared_equivalent(ctx: ServiceContext, model: ColumnType, pydal: ColumnType) -> bool:
    """``type-equivalences`` from the configuration: (model type, PyDAL type) pairs."""
    model_names = {model.spelled, (model.sa_type or "").rsplit(".", 1)[-1], model.sa_type or ""}
    pydal_names = {pydal.pydal_type or "", pydal_base_type(pydal.pydal_type or "")}
    return any(m in model_names and p in pydal_names for m, p in ctx.config.type_equivalences)


@column_rule("DG105", "column-type-mismatch", Severity.ERROR)
def column_type_mismatch(pair: PairedColumn) -> Iterator[Finding]:
    """The two layers give a column types of different families, or integers of different widths.

    ## What it does
    Compares the type family of each paired column: the model's SQLAlchemy type
    is classified by SQLAlchemy's own class hierarchy (`postgresql.JSONB` is a
    `JSON`, `mysql.TINYINT` an `Integer`, `mysql.LONGTEXT` a text type,
    `Interval` a duration), the PyDAL type by its PyDAL name.
    JSON vs text, integer vs string, `list:string` vs JSON, float vs decimal are
    reported; `Enum`/`Uuid` vs `string`, and `list:*` vs `Text`/`ARRAY` (whose
    physical fit depends on the dialect, see DG112) are not. A type with
    `with_variant(...)` is compared as the type it is on each target database.

    Integer widths are compared too, except on SQLite (where every integer
    column holds 64 bits): a model `Integer` under PyDAL's `"bigint"` is an
    error, a model `BigInteger` under `"integer"` a warning. A `SmallInteger`
    under `"integer"` is not reported (PyDAL has nothing narrower), nor are ids
    and references (their width follows `DAL(bigint_id=...)`).

    ## Why is this bad?
    PyDAL encodes and decodes values by its own field type. A `text` field over a
    JSON column hands the application strings instead of dicts; a `double` field
    over a NUMERIC column turns money into floats; a `bigint` field over an
    INTEGER column writes values PostgreSQL rejects and MySQL clamps.

    ## Example
    ```python
    meta = Column(JSON)            # model
    Field("meta", "text")          # PyDAL
    ```

    ## Use instead
    ```python
    meta = Column(JSON)            # model
    Field("meta", "json")          # PyDAL
    ```

    ## How to fix
    Change the PyDAL field type to the one matching the model (`"json"` here).
    If the pair is deliberate, declare it in `type-equivalences`.
    """
    pydal_type = pair.pydal.type
    for typed in pair.typed():
        model_type = typed.model.type
        if _declared_equivalent(pair.ctx, model_type, pydal_type):
            continue
        if not families_compatible(model_type, pydal_type):
            yield pair.report(
                column_type_mismatch.finding,
                f"column `{pair.name}` is `{model_type.spelled}` ({model_type.family.value}) "
                f"in the model{typed.on} vs {pydal_type.spelled} ({pydal_type.family.value}) in PyDAL",
                _type_fix(model_type),
                model=typed.model,
            )
        else:
            yield from _width_mismatch(pair, typed)


def _width_mismatch(pair: PairedColumn, typed: TypedPair) -> Iterator[Finding]:
    """``Integer`` vs ``"bigint"`` and the reverse (:mod:`drift_guard.integer_widths`)."""
    model_type, pydal_type = typed.model.type, pair.pydal.type
    if not widths_differ(model_type, pydal_type):
        return
    if typed.targets is None:
        from drift_guard.dialect import target_dialects

        on = target_dialects(pair.ctx)
    else:
        on = typed.targets
    found = compare_widths(model_type, pydal_type, tuple(t.family for t in on))
    if found is not None:
        yield pair.report(
            column_type_mismatch.finding,
            f"column `{pair.name}` is `{model_type.spelled}` ({found.model_bits}-bit) in the "
            f"model{typed.on} vs {pydal_type.spelled} ({found.pydal_bits}-bit) in PyDAL: {found.why}",
            found.hint,
            model=typed.model,
            severity=found.severity,
        )


_LIST_FOR_ITEM = {Family.INTEGER: "list:integer", Family.STRING: "list:string", Family.TEXT: "list:string"}


def _type_fix(model: ColumnType) -> str:
    if model.family is Family.ARRAY and model.item is not None and model.item.family in _LIST_FOR_ITEM:
        return f'use "{_LIST_FOR_ITEM[model.item.family]}" for the model\'s array of {model.item.family.value}'
    if model.family is Family.INTERVAL:
        return (
            "PyDAL has no interval type: store the duration in a type both layers share (e.g. seconds "
            'as Integer / "integer"), or declare the pair in `type-equivalences`'
        )
    return f"give the PyDAL field a {model.family.value} type to match the model"


def _derived_from_target(pydal: ColumnType) -> bool:
    """A reference to a keyed/unique field, typed like that field (extract/pydal_refs.py)."""
    return "reference" in pydal.spelled and not (pydal.pydal_type or "").startswith(("reference", "big-reference"))


def _size(ctype: ColumnType, side: str) -> str:
    if ctype.family is Family.DECIMAL:
        if ctype.precision is None:
            return "no precision"
        return f"precision {ctype.precision}, scale {ctype.scale if ctype.scale is not None else 0}"
    if ctype.length is None:
        return "no length"
    implicit = side == "pydal" and "length=" not in ctype.spelled and ctype.length == 512
    return f"length {ctype.length}" + (", PyDAL's default" if implicit else "")


@column_rule("DG106", "length-mismatch", Severity.ERROR)
def length_mismatch(pair: PairedColumn) -> Iterator[Finding]:
    """String length or decimal precision/scale differ between the layers.

    ## What it does
    For string columns compares the model's length with PyDAL's `length=` (which
    is 512 when omitted: PyDAL's implicit default counts); for decimal columns
    compares precision and scale of `Numeric(p, s)` with `"decimal(p,s)"`.

    ## Why is this bad?
    The database enforces the model's size. PyDAL does not check lengths on
    insert, so values that fit PyDAL's idea of the column fail in the database
    (or are truncated on MySQL without strict mode); decimals are rounded
    differently.

    ## Example
    ```python
    full_name = Column(String(255))   # model
    Field("full_name", "string")      # PyDAL: length 512
    ```

    ## Use instead
    ```python
    full_name = Column(String(255))             # model
    Field("full_name", "string", length=255)    # PyDAL
    ```

    ## How to fix
    Give the PyDAL field the model's size: `Field("full_name", length=255)` or
    `"decimal(12,2)"`.
    """
    pydal_c = pair.pydal
    for typed in pair.typed():
        m, p = typed.model.type, pydal_c.type
        if not lengths_comparable(m, p):
            continue
        if m.family is Family.DECIMAL:
            differs = UNKNOWN not in (m.precision, m.scale) and (m.precision, m.scale or 0) != (p.precision, p.scale)
            fix = (
                f'use "decimal({m.precision},{m.scale or 0})"'
                if m.precision is not None
                else "give the model column a precision"
            )
        else:
            differs = m.length is not UNKNOWN and p.length is not UNKNOWN and m.length != p.length
            fix = (
                f"set length={m.length} on the PyDAL field"
                if isinstance(m.length, int)
                else "give the model column a length"
            )
            if pydal_c.foreign_key is not None and _derived_from_target(p):
                target = ".".join(filter(None, (pydal_c.foreign_key.table, pydal_c.foreign_key.column)))
                fix = f"the PyDAL column takes its type from the referenced `{target}`: fix it there"
        if differs:
            yield pair.report(
                length_mismatch.finding,
                f"column `{pair.name}` is `{m.spelled}` ({_size(m, 'model')}) in the model{typed.on} "
                f"vs {p.spelled} ({_size(p, 'pydal')}) in PyDAL",
                fix,
                model=typed.model,
            )


@column_rule("DG107", "nullability-mismatch", Severity.ERROR)
def nullability_mismatch(pair: PairedColumn) -> Iterator[Finding]:
    """NOT NULL on one side only.

    ## What it does
    Compares the model's nullability (`nullable=`, default nullable except primary
    keys; `Mapped[X]` is NOT NULL, `Mapped[Optional[X]]` nullable) with PyDAL's
    `notnull=True`. `required=True` and `requires=IS_NOT_EMPTY()` are validation
    only and do not make a PyDAL column NOT NULL.

    ## Why is this bad?
    A NOT NULL model column that PyDAL thinks is nullable fails on insert when the
    application leaves it empty; the reverse lets the database hold NULLs that
    PyDAL code assumes never happen.

    ## Example
    ```python
    name = Column(String(100), nullable=False)   # model
    Field("name", length=100)                     # PyDAL: nullable
    ```

    ## Use instead
    ```python
    name = Column(String(100), nullable=False)   # model
    Field("name", length=100, notnull=True)      # PyDAL
    ```

    ## How to fix
    Add `notnull=True` to the PyDAL field (or make the model column nullable,
    with a migration).
    """
    model_c, pydal_c = pair.model, pair.pydal
    if UNKNOWN in (model_c.nullable, pydal_c.nullable) or model_c.nullable == pydal_c.nullable:
        return
    if model_c.nullable is False:
        message, fix = "NOT NULL in the model but nullable in PyDAL", "add notnull=True to the PyDAL field"
    else:
        message, fix = (
            "nullable in the model but NOT NULL in PyDAL",
            "drop notnull=True from the PyDAL field, or make the model column nullable=False",
        )
    yield pair.report(nullability_mismatch.finding, f"column `{pair.name}` is {message}", fix)


@column_rule("DG108", "unique-mismatch", Severity.WARNING)
def unique_mismatch(pair: PairedColumn) -> Iterator[Finding]:
    """A column is unique on one side only.

    ## What it does
    Compares single-column uniqueness: the model's `unique=True`, a one-column
    `UniqueConstraint` or unique `Index`, against PyDAL's `unique=True`. Primary
    keys are unique by definition and are not compared.

    ## Why is this bad?
    The database enforces the model's constraint whatever PyDAL believes, so
    PyDAL code that does not expect an IntegrityError gets one; PyDAL's
    `unique=True` without a database constraint guarantees nothing.

    ## Example
    ```python
    email = Column(String(255), unique=True)   # model
    Field("email", length=255)                  # PyDAL
    ```

    ## Use instead
    ```python
    email = Column(String(255), unique=True)    # model
    Field("email", length=255, unique=True)     # PyDAL
    ```

    ## How to fix
    Make both sides agree: `unique=True` on the PyDAL field, or drop the
    constraint from the model (with a migration).
    """
    model_c, pydal_c = pair.model, pair.pydal
    if model_c.primary_key or pydal_c.primary_key:
        return
    model_unique = pair.model_table.unique_alone(model_c)
    if UNKNOWN in (model_unique, pydal_c.unique) or model_unique == pydal_c.unique:
        return
    where = "the model" if model_unique else "PyDAL"
    yield pair.report(
        unique_mismatch.finding,
        f"column `{pair.name}` is unique in {where} only",
        "add unique=True to the PyDAL field"
        if model_unique
        else "drop unique=True from the PyDAL field, or add the constraint to the model",
    )
