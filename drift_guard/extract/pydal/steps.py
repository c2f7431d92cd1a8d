"""Field lists built in steps, read as the one list they end up being.

Services rarely write a field list in one literal::

    user_fields = [Field("email"), Field("name")]
    user_fields += [Field("phone")]
    user_fields.append(Field("role"))
    user_fields.extend(audit_fields)
    db.define_table("users", *user_fields)

Any mutation used to make the name unreadable, so the whole table became a
DG002 and a partial table (a Field dropped from the list was never reported).
When every change is a plain statement of the same scope, in order, with no
other use of the name in between (so no reader sees a half-built list), the
list is exactly ``[...] + [...] + [Field("role")] + audit_fields``: that
expression is what the name is bound to. Changes inside ``if``/``for`` blocks,
in other functions, ``insert``/``remove``/``pop``, or a use between two
changes keep the name ambiguous, as before.
"""

from __future__ import annotations

from typing import Mapping, Sequence, Union

import libcst as cst

_STEP_METHODS = ("append", "extend")
# (name, the statement's index in the scope body, what the step adds as a sequence)
_Step = tuple[str, int, cst.BaseExpression]


def fold_steps(
    body: Sequence[cst.BaseStatement], bound: Mapping[str, object], mutations: Mapping[str, int]
) -> dict[str, Union[cst.BaseExpression, str]]:
    """For each name changed in steps: its whole value as one expression, or why
    it cannot be read (a reason phrased to follow "`name` ...").

    ``bound``: the scope's bindings (an expression when assigned exactly once);
    ``mutations``: how many changes (method calls, item or augmented assignments) the scope makes to each name.
    """
    assigned: dict[str, int] = {}
    steps: list[_Step] = []
    for index, stmt in enumerate(body):
        found = _step(stmt)
        if found is not None:
            steps.append((found[0], index, found[1]))
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                target = None
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target = small.target
                if isinstance(target, cst.Name):
                    assigned.setdefault(target.value, index)
    out: dict[str, Union[cst.BaseExpression, str]] = {}
    for name in {step[0] for step in steps}:
        own = [step for step in steps if step[0] == name]
        out[name] = _fold(name, own, body, bound.get(name), assigned.get(name), mutations.get(name, 0))
    return out


def _fold(
    name: str, own: list[_Step], body: Sequence[cst.BaseStatement], value: object, start: int | None, calls: int
) -> Union[cst.BaseExpression, str]:
    changed = "is modified after its definition"
    reason = getattr(value, "reason", None)  # already ambiguous (assigned twice, a parameter ...)
    if isinstance(reason, str):
        return reason
    if start is None or not isinstance(value, cst.BaseExpression) or any(i < start for _, i, _ in own):
        return f"{changed} (`{_spelled(name, body[own[0][1]])}`)"
    if calls != len(own):
        return f"{changed} outside plain statements of its scope (in a block, a function, or by another method)"
    last = max(i for _, i, _ in own)
    step_rows = {i for _, i, _ in own}
    for index in range(start + 1, last + 1):
        if index in step_rows:
            added = _step_argument(body[index])
            if isinstance(added, cst.Name) and added.value == name:  # deeper self-references end as a cycle
                return f"{changed} with itself (`{_spelled(name, body[index])}`)"
        elif _mentions(body[index], name):  # rare: steps are usually consecutive
            return f"is used before all its changes are made (`{_spelled(name, body[last])}` comes later)"
    result: cst.BaseExpression = value
    for _, _, added in sorted(own, key=lambda step: step[1]):
        result = cst.BinaryOperation(left=result, operator=cst.Add(), right=added)
    return result


def _step(stmt: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    """``name.append(x)`` -> (name, ``[x]``); ``name.extend(s)`` / ``name += s`` -> (name, ``s``)."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if (
        isinstance(small, cst.AugAssign)
        and isinstance(small.target, cst.Name)
        and isinstance(small.operator, cst.AddAssign)
    ):
        return small.target.value, small.value
    if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)):
        return None
    call = small.value
    func = call.func
    if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in _STEP_METHODS):
        return None
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    arg = call.args[0].value
    added = cst.List([cst.Element(arg)]) if func.attr.value == "append" else arg
    return func.value.value, added


def _is_call_step(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Expr)


def _step_argument(stmt: cst.BaseStatement) -> cst.BaseExpression:
    found = _step(stmt)
    assert found is not None
    return found[1]


def _spelled(name: str, stmt: cst.BaseStatement) -> str:
    found = _step(stmt)
    if found is None or not _is_call_step(stmt):
        return f"{name} += ..."
    assert isinstance(stmt, cst.SimpleStatementLine)
    small = stmt.body[0]
    assert isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)
    assert isinstance(small.value.func, cst.Attribute)
    return f"{name}.{small.value.func.attr.value}(...)"


def _mentions(node: cst.CSTNode, name: str) -> bool:
    finder = _NameUse(name)
    node.visit(finder)
    return finder.found


class _NameUse(cst.CSTVisitor):
    """Whether ``name`` is read (not as an attribute or keyword name)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        self.found = self.found or node.value == self.name

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False
