"""``define_table`` positional arguments -> PyDAL's argument kinds (:data:`Item`).

Follows what ``Table.__init__`` accepts (pydal/objects.py): a Field, a list or
tuple of Fields, a Table (``db.person``, or a name bound to a ``define_table``
result), a dict (``Field(**d)``), a virtual field; ``*seq`` splices a literal
sequence (possibly ``a + b``, a helper's literal ``return [...]``, an imported
list, ``auth.signature``). Anything else is :class:`Unresolved`, never guessed.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from drift_guard.extract.pydal.calls import bind_arguments
from drift_guard.extract.pydal.fields import (
    Ctx,
    dict_args,
    field_from_args,
    read_field,
    table_symbol,
)
from drift_guard.extract.pydal.model import (
    FieldSpec,
    Group,
    Item,
    TableRef,
    Template,
    Unresolved,
    Virtual,
)
from drift_guard.extract.pydal.scope import Failure, Where
from drift_guard.extract.pydal.values import string_value
from drift_guard.schema import Location

_VIRTUAL = frozenset({"Virtual", "Method", "Lazy"})
_MAX_DEPTH = 25

# py4web's Auth.signature (py4web/utils/auth.py): a list, spliced or passed as is.
_SIGNATURE = (
    ("created_on", "datetime"),
    ("created_by", "reference auth_user"),
    ("modified_on", "datetime"),
    ("modified_by", "reference auth_user"),
    ("is_active", "boolean"),
)


def expand_arg(arg: cst.Arg, where: Where, ctx: Ctx) -> list[Item]:
    """The items one positional ``define_table`` argument contributes."""
    if arg.star == "*":
        return expand_star(arg.value, where, ctx, f"*{where.src.code(arg.value)}")
    found = item(arg.value, where, ctx, 0)
    return [_named(found, where.src.code(arg.value), arg, where)] if isinstance(found, Unresolved) else [found]


def expand_star(node: cst.BaseExpression, where: Where, ctx: Ctx, shown: str) -> list[Item]:
    """``*node`` (or ``fields=node``): every element is a top-level argument."""
    seq = sequence(node, where, ctx, 0)
    return [_named(seq, shown, node, where)] if isinstance(seq, Unresolved) else seq


def _named(problem: Unresolved, shown: str, arg: cst.CSTNode, where: Where) -> Unresolved:
    """Name and locate the argument as written in the define_table call, where the user looks."""
    if problem.message.startswith(f"`{shown}`"):
        return Unresolved(problem.message, where.src.location(arg))
    return Unresolved(f"`{shown}`: {problem.message}", where.src.location(arg))


def item(node: cst.BaseExpression, where: Where, ctx: Ctx, depth: int) -> Item:
    """What a single positional argument is, in PyDAL's terms."""
    src = where.src
    if depth > _MAX_DEPTH:
        return _unresolved(node, where, "is defined through too many names")
    if isinstance(node, cst.Call):
        return _call_item(node, where, ctx, depth)
    if isinstance(node, (cst.List, cst.Tuple)) or (
        isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add)
    ):  # a list, or lists added (also a list built in steps, see steps.py)
        members = sequence(node, where, ctx, depth + 1)
        return members if isinstance(members, Unresolved) else Group(tuple(members))
    if isinstance(node, cst.Dict):
        args = dict_args(node, where, ctx.resolver)
        if args is None:
            return _unresolved(node, where, "is not a literal dict of Field arguments")
        return field_from_args(args, node, where, ctx, [])
    if _is_signature(node):
        return Group(_signature(src.location(node), src.code(node)))
    symbol = table_symbol(node, where, ctx)
    if symbol is not None:
        return TableRef(symbol, src.code(node), src.location(node))
    found = ctx.resolver.deref(node, where)
    if isinstance(found, Failure):
        return _unresolved(node, where, found.reason)
    target, home = found
    if target is node or not isinstance(target, cst.BaseExpression):
        return _unresolved(node, where, "cannot be resolved statically")
    found_item = item(target, home, ctx, depth + 1)
    if isinstance(found_item, TableRef):  # `person = db.define_table(...)`: name it as written here
        return TableRef(found_item.symbol, src.code(node), src.location(node))
    if isinstance(found_item, Template):
        return Template(found_item.symbol, found_item.items, src.code(node), src.location(node))
    return found_item


def _call_item(call: cst.Call, where: Where, ctx: Ctx, depth: int) -> Item:
    src = where.src
    func = call.func
    last = ctx.resolver.last_name(func, src)
    if isinstance(func, cst.Attribute) and last in _VIRTUAL and ctx.resolver.last_name(func.value, src) == "Field":
        return Virtual(src.location(call))
    if last == "Field":
        return read_field(call, where, ctx)
    if isinstance(func, cst.Attribute) and func.attr.value == "define_table" and call.args:
        name = string_value(call.args[0].value, where, ctx.resolver)
        if name is not None:
            return TableRef(name, src.code(call.args[0].value), src.location(call))
        return _unresolved(call, where, "defines a table whose name is not a literal")
    if last == "Table":
        return _template(call, where, ctx, depth)
    result = _helper_result(call, where, ctx)
    if isinstance(result, Unresolved):
        return result
    found = item(result[0], result[1], ctx, depth + 1)
    if isinstance(found, FieldSpec) and call.args:
        # a helper given this field's name/options: the call is the field's definition site
        return replace(found, location=src.location(call))
    return found


def _template(call: cst.Call, where: Where, ctx: Ctx, depth: int) -> Item:
    """``db.Table(db, "name", *fields)``: a table that is never defined, only copied."""
    positional = [arg for arg in call.args if arg.keyword is None]
    if len(positional) < 2 or positional[0].star or positional[1].star:
        return _unresolved(call, where, "is a Table template whose name cannot be resolved statically")
    name = string_value(positional[1].value, where, ctx.resolver)
    if name is None:
        return _unresolved(call, where, "is a Table template whose name is not a literal")
    items: list[Item] = []
    for arg in positional[2:]:
        if arg.star == "*":
            spliced = sequence(arg.value, where, ctx, depth + 1)
            items.extend([spliced] if isinstance(spliced, Unresolved) else spliced)
        else:
            items.append(item(arg.value, where, ctx, depth + 1))
    return Template(name, tuple(items), where.src.code(call), where.src.location(call))


def sequence(node: cst.BaseExpression, where: Where, ctx: Ctx, depth: int) -> list[Item] | Unresolved:
    """The items of a sequence spliced with ``*``: each one a top-level argument."""
    if depth > _MAX_DEPTH:
        return _unresolved(node, where, "is defined through too many names")
    src = where.src
    if isinstance(node, (cst.List, cst.Tuple)):
        out: list[Item] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                inner = sequence(element.value, where, ctx, depth + 1)
                if isinstance(inner, Unresolved):
                    return inner
                out.extend(inner)
            else:
                out.append(item(element.value, where, ctx, depth + 1))
        return out
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left = sequence(node.left, where, ctx, depth + 1)
        right = sequence(node.right, where, ctx, depth + 1)
        return left if isinstance(left, Unresolved) else right if isinstance(right, Unresolved) else left + right
    if _is_signature(node):
        return list(_signature(src.location(node), src.code(node)))
    if isinstance(node, cst.Call):
        result = _helper_result(node, where, ctx)
        return result if isinstance(result, Unresolved) else sequence(result[0], result[1], ctx, depth + 1)
    found = ctx.resolver.deref(node, where)
    if isinstance(found, Failure):
        return _unresolved(node, where, found.reason)
    target, home = found
    if target is node or not isinstance(target, cst.BaseExpression):
        return _unresolved(node, where, "is not a literal list of Fields")
    return sequence(target, home, ctx, depth + 1)


def _helper_result(call: cst.Call, where: Where, ctx: Ctx) -> tuple[cst.BaseExpression, Where] | Unresolved:
    """``helper()`` -> the expression of its single ``return`` (read in its own scope)."""
    found = ctx.resolver.deref(call.func, where)
    if isinstance(found, Failure):
        return _unresolved(call, where, f"calls a function that {found.reason}")
    func, home = found
    if not isinstance(func, cst.FunctionDef):
        return _unresolved(call, where, "is a call that cannot be resolved statically")
    finder = _Returns()
    func.body.visit(finder)
    if len(finder.values) != 1 or finder.values[0] is None:
        return _unresolved(call, where, f"calls `{func.name.value}`, which has no single literal `return`")
    bound = bind_arguments(call, where, func, home)
    return finder.values[0], (Where(home.src, home.funcs, home.args + bound) if bound else home)


class _Returns(cst.CSTVisitor):
    def __init__(self) -> None:
        self.values: list[cst.BaseExpression | None] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # nested functions return for themselves

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        self.values.append(node.value)


def _is_signature(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value == "signature" and _last(node.value) == "auth"


def _signature(loc: Location, spelled: str) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(name, kind, repr(kind), loc) for name, kind in _SIGNATURE)


def _last(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _unresolved(node: cst.CSTNode, where: Where, why: str) -> Unresolved:
    return Unresolved(f"`{where.src.code(node)}` {why}", where.src.location(node))
