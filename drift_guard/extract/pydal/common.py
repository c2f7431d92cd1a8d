"""``db._common_fields``: Fields PyDAL appends to every table defined afterwards.

PyDAL's ``lazy_define_table`` does ``fields = list(fields) + [f if Table else
f.clone() for f in self._common_fields]``, so a change such as
``db._common_fields.append(auth.signature)`` adds columns to each *later*
``define_table``, as if they were passed last (a name a table already has is
skipped). Each change is read into the items it adds (or, for ``= [...]``,
the list it sets) and replayed on every table in the order the program runs:

* the same scope of the same file: source order;
* another file: the file that imports the other one (directly or through other
  files, before the table or the change) runs after it;
* anything else (two files that do not import each other, a change inside a
  function) has no known order: the table may or may not get the columns, so
  it is marked partial and the change is reported once, naming those tables.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import libcst as cst

from drift_guard.extract.pydal.args import item, sequence
from drift_guard.extract.pydal.fields import Ctx
from drift_guard.extract.pydal.messages import short, table_list
from drift_guard.extract.pydal.model import Group, Item, TableSpec, Unresolved
from drift_guard.extract.pydal.order import ImportGraph, Site, run_order
from drift_guard.extract.pydal.scope import Where
from drift_guard.schema import Location, Problem, ProblemKind


@dataclass(frozen=True)
class CommonChange:
    """One change of ``db._common_fields``: what it adds, or the list it sets."""

    spelled: str
    location: Location
    order: int
    scope: tuple[str, ...]  # enclosing function names: only module level has a known place in the run
    items: tuple[Item, ...]
    reset: bool = False  # `db._common_fields = [...]` replaces the list


def read_change(node: cst.Call | cst.Assign | cst.AugAssign, where: Where, ctx: Ctx, order: int) -> CommonChange:
    """What one ``_common_fields`` statement adds (``.append``, ``.insert``,
    ``.extend``, ``+=``) or sets (``=``); what cannot be read is an Unresolved item."""
    src = where.src
    spelled = short(src.code(node))
    scope = tuple(f.name.value for f in where.funcs)
    items: list[Item] | Unresolved
    reset = False
    if isinstance(node, cst.Call):
        assert isinstance(node.func, cst.Attribute)
        method = node.func.attr.value
        args = [a for a in node.args if a.keyword is None and not a.star]
        if len(args) != len(node.args) or len(args) != (2 if method == "insert" else 1):
            items = Unresolved(f"`{spelled}`: the arguments cannot be read statically", src.location(node))
        elif method in ("append", "insert"):
            items = _members(item(args[-1].value, where, ctx, 0))
        else:  # extend, __iadd__
            items = sequence(args[0].value, where, ctx, 0)
    elif isinstance(node, cst.AugAssign):
        added = isinstance(node.operator, cst.AddAssign)
        why = f"`{spelled}`: only `+=` of a list of Fields can be read statically"
        items = sequence(node.value, where, ctx, 0) if added else Unresolved(why, src.location(node))
    else:
        reset = True
        items = sequence(node.value, where, ctx, 0)
    found = [items] if isinstance(items, Unresolved) else items
    shown = tuple(_shown(i, spelled) if isinstance(i, Unresolved) else i for i in found)
    return CommonChange(spelled, src.location(node), order, scope, shown, reset)


def _members(found: Item) -> list[Item]:
    """A Field or a Table is one common field; a list (py4web's ``auth.signature``) is its members."""
    return list(found.items) if isinstance(found, Group) else [found]


def _shown(problem: Unresolved, spelled: str) -> Unresolved:
    message = problem.message if problem.message.startswith(f"`{spelled}`") else f"`{spelled}`: {problem.message}"
    return Unresolved(message, problem.location)


def apply_common(
    spec: TableSpec, scope: tuple[str, ...], changes: Sequence[CommonChange], imports: ImportGraph
) -> tuple[TableSpec, list[CommonChange]]:
    """``spec`` with the common fields in effect when it is defined, plus the
    changes whose order relative to it is unknown (the table is then partial)."""
    current: list[Item] = []
    unknown: list[CommonChange] = []
    for change in changes:
        when = run_order(
            Site(change.location, change.scope, change.order), Site(spec.location, scope, spec.order), imports
        )
        if when == "before":
            current = list(change.items) if change.reset else current + list(change.items)
        elif when == "unknown":
            unknown.append(change)
    if not current and not unknown:
        return spec, []
    return replace(spec, items=spec.items + tuple(current), partial=spec.partial or bool(unknown)), unknown


def unknown_order_problem(change: CommonChange, tables: Sequence[str]) -> Problem:
    shown = table_list(tables)
    return Problem(
        ProblemKind.UNRESOLVED,
        f"`{change.spelled}`: PyDAL adds db._common_fields to every table defined afterwards, and whether "
        f"{shown} {'is' if len(set(tables)) == 1 else 'are'} defined afterwards cannot be known statically "
        "(another file that does not import this one, or a function); so columns missing in PyDAL (DG103) "
        "are not reported for them (the columns that were read are still compared)",
        change.location,
    )
