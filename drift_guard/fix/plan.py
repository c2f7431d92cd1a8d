"""Plan the edits that bring one service's PyDAL layer in line with its models.

Which aspects differ is what the rules report (their findings, after inline
suppressions, name the code, table and column), so ``fix`` and ``check`` can
never disagree on what is drift; what to write is read from the schemas
(``ServiceContext.models`` / ``.pydal`` / ``.table_pairs``), never from the text
of a message. A drift PyDAL cannot express (a reference to a non-key column, a
type PyDAL lacks) is a :class:`HandEdit`, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Union

from drift_guard.fix.fields import (
    STRINGLIKE,
    WantedField,
    implicit_id,
    model_unique,
    ondelete_of,
    pydal_type,
    reference_type,
    string_length,
    wanted_field,
)
from drift_guard.schema import Column, Location, Table

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext
    from drift_guard.pairing import TablePair

# The codes ``fix`` can act on; DG102/DG104 only with ``--remove``.
FIXABLE = ("DG101", "DG103", "DG105", "DG106", "DG107", "DG108", "DG109", "DG111")
REMOVABLE = ("DG102", "DG104")


@dataclass(frozen=True)
class ChangeField:
    """Set the type and/or keyword options of an existing ``Field(...)`` call."""

    location: Location  # the Field call
    table: str
    column: str
    codes: tuple[str, ...]
    type: str | None = None
    options: tuple[tuple[str, object], ...] = ()
    owner: Location | None = None  # the PyDAL table's name argument: the Field must be written in that call


@dataclass(frozen=True)
class AddField:
    """Add a Field to a ``define_table`` call, after the Field of ``after`` (else first)."""

    location: Location  # the define_table's table-name argument
    after: Location | None
    table: str
    column: str
    codes: tuple[str, ...]
    field: WantedField


@dataclass(frozen=True)
class AddTable:
    """Add a ``define_table`` statement after the one whose name argument is at ``after``."""

    after: Location
    table: str
    codes: tuple[str, ...]
    name: str
    fields: tuple[WantedField, ...]
    primarykey: tuple[str, ...] | None = None
    column: str | None = None


@dataclass(frozen=True)
class RemoveField:
    location: Location
    table: str
    column: str
    codes: tuple[str, ...] = ("DG104",)
    owner: Location | None = None


@dataclass(frozen=True)
class RemoveTable:
    location: Location
    table: str
    codes: tuple[str, ...] = ("DG102",)
    column: str | None = None


Edit = Union[ChangeField, AddField, AddTable, RemoveField, RemoveTable]


@dataclass(frozen=True)
class HandEdit:
    """A finding ``fix`` leaves alone, and why."""

    code: str
    table: str | None
    column: str | None
    location: Location
    why: str


@dataclass
class Plan:
    edits: list[Edit] = field(default_factory=list)
    hand: list[HandEdit] = field(default_factory=list)


Wanted = set[tuple[str, str | None, str | None]]  # (code, table, column) of the findings to fix


def plan_service(ctx: ServiceContext, wanted: Wanted) -> Plan:
    """The edits for the findings in ``wanted`` (each a (code, table, column))."""
    plan = Plan()
    if not wanted:
        return plan
    postgres = _postgres(ctx)
    model_tables = ctx.models.first_tables()
    symbols = {p.key: (p.pydal.symbol or p.pydal.name) for p in ctx.table_pairs if p.pydal is not None}
    for pair in ctx.table_pairs:
        if pair.model is not None and pair.pydal is None and ("DG101", pair.key, None) in wanted:
            _add_table(plan, pair.model, _neighbour_table(ctx, pair.model), symbols, model_tables, postgres)
        elif pair.pydal is not None and pair.model is None and ("DG102", pair.key, None) in wanted:
            plan.edits.append(RemoveTable(pair.pydal.location, pair.key))
        elif pair.model is not None and pair.pydal is not None:
            _columns(plan, pair, wanted, symbols, model_tables, postgres)
    return plan


def _postgres(ctx: ServiceContext) -> bool:
    from drift_guard.dialect import target_dialects

    targets = target_dialects(ctx)
    return bool(targets) and all(t.family == "postgres" for t in targets)


def _neighbour_table(ctx: ServiceContext, model: Table) -> Table | None:
    """The PyDAL table of the model table defined just before ``model`` (model
    order), else the first PyDAL table: a new table goes next to it."""
    pydal_of = {p.key: p.pydal for p in ctx.table_pairs if p.pydal is not None}
    before: Table | None = None
    for table in ctx.models.first_tables().values():
        if table.key == model.key:
            break
        before = pydal_of.get(table.key, before)
    if before is not None:
        return before
    return next(iter(pydal_of.values()), None)


def _add_table(
    plan: Plan,
    model: Table,
    neighbour: Table | None,
    symbols: dict[str, str],
    model_tables: dict[str, Table],
    postgres: bool,
) -> None:
    if neighbour is None:
        plan.hand.append(HandEdit("DG101", model.key, None, model.location, "no define_table to put it next to"))
        return
    fields: list[WantedField] = []
    keyed = not implicit_id(model)
    for column in model.columns:
        if column.primary_key and not keyed:
            continue
        wanted = wanted_field(column, model, symbols, model_tables, postgres)
        if wanted is None:
            why = _no_field(column)
            plan.hand.append(HandEdit("DG101", model.key, None, model.location, why))
            return
        fields.append(wanted)
    primarykey = model.primary_key if keyed else None
    if keyed and not primarykey:
        why = "the model table has no primary key; PyDAL needs one"
        plan.hand.append(HandEdit("DG101", model.key, None, model.location, why))
        return
    plan.edits.append(AddTable(neighbour.location, model.key, ("DG101",), model.name, tuple(fields), primarykey))


def _columns(
    plan: Plan,
    pair: TablePair,
    wanted: Wanted,
    symbols: dict[str, str],
    model_tables: dict[str, Table],
    postgres: bool,
) -> None:
    from drift_guard.pairing import pair_columns

    model, pydal = pair.model, pair.pydal
    assert model is not None and pydal is not None
    previous: Column | None = None  # the last model column PyDAL has, in model order
    pydal_cols = {c.key: c for c in pydal.columns}
    for column in model.columns:
        if ("DG103", pair.key, column.key) in wanted and column.key not in pydal_cols:
            found = wanted_field(column, model, symbols, model_tables, postgres)
            if found is None or column.primary_key:
                why = "the model's primary key" if column.primary_key else _no_field(column)
                plan.hand.append(HandEdit("DG103", pair.key, column.key, column.location, why))
            else:
                after = previous.location if previous is not None else None
                plan.edits.append(AddField(pydal.location, after, pair.key, column.key, ("DG103",), found))
        if column.key in pydal_cols and not pydal_cols[column.key].type.pydal_type == "id":
            previous = pydal_cols[column.key]
    for cpair in pair_columns(model, pydal):
        if cpair.model is None and cpair.pydal is not None and ("DG104", pair.key, cpair.key) in wanted:
            if cpair.pydal.type.pydal_type == "id" and cpair.key == "id":
                why = "PyDAL's implicit id: key the table with primarykey=[...]"
                plan.hand.append(HandEdit("DG104", pair.key, cpair.key, cpair.pydal.location, why))
            else:
                plan.edits.append(RemoveField(cpair.pydal.location, pair.key, cpair.key, owner=pydal.location))
        if cpair.model is not None and cpair.pydal is not None:
            _change(plan, pair, cpair.model, cpair.pydal, wanted, symbols, model_tables, postgres)


def _change(
    plan: Plan,
    pair: TablePair,
    model_c: Column,
    pydal_c: Column,
    wanted: Wanted,
    symbols: dict[str, str],
    model_tables: dict[str, Table],
    postgres: bool,
) -> None:
    codes = [code for code in FIXABLE if (code, pair.key, model_c.key) in wanted]
    if not codes:
        return
    assert pair.model is not None
    new_type: str | None = None
    options: dict[str, object] = {}
    hand: list[tuple[str, str]] = []
    for code in codes:
        if code == "DG105":
            new_type = pydal_type(model_c.type, postgres)
            if model_c.foreign_key is not None and pydal_c.foreign_key is not None:
                new_type = None  # a reference keeps its type; DG109 owns the target
            if new_type is None:
                hand.append((code, f"PyDAL has no type matching {model_c.type.spelled}"))
        elif code == "DG106":
            if pydal_c.type.family.value == "decimal":
                new_type = pydal_type(model_c.type, postgres)
                if new_type is None:
                    hand.append((code, "the model's decimal has no precision"))
            elif isinstance(model_c.type.length, int):
                options["length"] = model_c.type.length
            else:
                hand.append((code, "the model column has no length"))
        elif code == "DG107":
            options["notnull"] = model_c.nullable is False
        elif code == "DG108":
            options["unique"] = bool(model_unique(pair.model, model_c))
        elif code == "DG109":
            if model_c.foreign_key is None:
                new_type = pydal_type(model_c.type, postgres)
                if new_type is None:
                    hand.append((code, f"PyDAL has no type matching {model_c.type.spelled}"))
            else:
                new_type = reference_type(model_c, symbols, model_tables)
                if new_type is None:
                    hand.append((code, "PyDAL can only reference the target table's primary key"))
                else:
                    options["ondelete"] = ondelete_of(model_c)
        elif code == "DG111":
            options["ondelete"] = ondelete_of(model_c)
    if new_type in STRINGLIKE and "length" not in options:
        length = string_length(model_c.type)
        if length is not None and length != pydal_c.type.length:
            options["length"] = length  # a new string type must not bring a DG106 of its own
    for code, why in hand:
        plan.hand.append(HandEdit(code, pair.key, model_c.key, pydal_c.location, why))
    fixed = tuple(code for code in codes if code not in {c for c, _ in hand})
    if fixed and (new_type is not None or options):
        owner = pair.pydal.location if pair.pydal is not None else None
        change = ChangeField(pydal_c.location, pair.key, model_c.key, fixed, new_type, tuple(options.items()), owner)
        plan.edits.append(change)


def _no_field(column: Column) -> str:
    from drift_guard.fix.fields import valid_name

    if not valid_name(column.name):
        return f"`{column.name}` is not a valid PyDAL field name: choose one and pass rname="
    return f"PyDAL has no type for `{column.name}` ({column.type.spelled})"


def edits_by_file(edits: Iterable[Edit]) -> dict[str, list[Edit]]:
    out: dict[str, list[Edit]] = {}
    for edit in edits:
        where = edit.after if isinstance(edit, AddTable) else edit.location
        out.setdefault(where.path, []).append(edit)
    return out
