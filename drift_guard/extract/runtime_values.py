"""Static values of the flag and URI expressions runtime code passes to PyDAL.

Only what is certain gets a value: literals, ``not <literal>``, a module-level
name bound once to a literal, and a parameter of the enclosing function, which
resolves to its *default* (what a plain call uses; whether callers pass another
value is not knowable statically, so findings say the value came from a
default). Anything else (environment, settings objects, calls) is ``UNKNOWN``,
which DG304 reports by name instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import libcst as cst

from drift_guard.schema import UNKNOWN

_LITERAL_NAMES = {"True": True, "False": False, "None": None}


@dataclass(frozen=True)
class Value:
    """A resolved expression. ``value`` is a Python literal or UNKNOWN;
    ``via`` names the parameter default it came from, if any."""

    value: object
    spelled: str
    via: str | None = None
    given: bool = True  # False: the argument was not passed at all

    @property
    def known(self) -> bool:
        return self.given and self.value is not UNKNOWN

    @property
    def truthy(self) -> bool:
        return self.known and bool(self.value)

    @property
    def falsy(self) -> bool:
        return self.known and not self.value


@dataclass(frozen=True)
class Scope:
    """Parameter defaults of the enclosing functions (innermost last) and the
    module's single-assignment literal constants."""

    constants: Mapping[str, cst.BaseExpression]
    functions: Sequence[tuple[str, Mapping[str, cst.BaseExpression | None]]] = ()


def module_constants(module: cst.Module) -> dict[str, cst.BaseExpression]:
    """Names assigned exactly once at module level (``X = <expr>``)."""
    seen: dict[str, list[cst.BaseExpression]] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name):
                    seen.setdefault(target.value, []).append(small.value)
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value:
                seen.setdefault(small.target.value, []).append(small.value)
    return {name: values[0] for name, values in seen.items() if len(values) == 1}


def parameter_defaults(node: cst.FunctionDef) -> dict[str, cst.BaseExpression | None]:
    params = node.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    return {p.name.value: p.default for p in every}


def resolve(node: cst.BaseExpression, scope: Scope, code: str, depth: int = 0) -> Value:
    """Resolve ``node`` (shown to the user as ``code``)."""
    literal = _literal(node)
    if literal is not _NOT_LITERAL:
        return Value(literal, code)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        inner = resolve(node.expression, scope, code, depth + 1)
        return Value(not inner.value if inner.known else UNKNOWN, code, inner.via)
    if isinstance(node, cst.Name) and depth < 5:
        for func, defaults in reversed(scope.functions):
            if node.value in defaults:
                default = defaults[node.value]
                if default is None:
                    return Value(UNKNOWN, code)
                inner = resolve(default, scope, code, depth + 1)
                return Value(inner.value, code, f"the default of parameter `{node.value}` of `{func}()`")
        if node.value in scope.constants:
            inner = resolve(scope.constants[node.value], scope, code, depth + 1)
            return Value(inner.value, code, inner.via)
    return Value(UNKNOWN, code)


_NOT_LITERAL = object()


def _literal(node: cst.BaseExpression) -> object:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else _NOT_LITERAL
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in _LITERAL_NAMES:
        return _LITERAL_NAMES[node.value]
    return _NOT_LITERAL


def string_prefix(node: cst.BaseExpression, scope: Scope) -> str | None:
    """The literal text a string expression certainly starts with: the whole of
    a literal or constant, or the leading literal part of an f-string
    (``f"postgres://{user}@..."`` -> ``postgres://``)."""
    if isinstance(node, cst.FormattedString):
        text = ""
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringText):
                break
            text += part.value
        return text or None
    if isinstance(node, cst.ConcatenatedString) and node.evaluated_value is None:
        return string_prefix(node.left, scope)
    value = resolve(node, scope, "")
    return value.value if isinstance(value.value, str) else None


def sql_text(node: cst.BaseExpression, scope: Scope) -> str | None:
    """Literal SQL passed to an execute call: a string, a constant, an f-string
    with its placeholders blanked, or ``text("...")``."""
    if isinstance(node, cst.Call) and node.args and _callee_last(node.func) == "text":
        return sql_text(node.args[0].value, scope)
    if isinstance(node, cst.FormattedString):
        return "".join(p.value if isinstance(p, cst.FormattedStringText) else "x" for p in node.parts)
    if isinstance(node, cst.ConcatenatedString) and node.evaluated_value is None:
        left, right = sql_text(node.left, scope), sql_text(node.right, scope)
        return None if left is None or right is None else left + right
    value = resolve(node, scope, "")
    return value.value if isinstance(value.value, str) else None


def built_sql_text(node: cst.BaseExpression, scope: Scope) -> str | None:
    """:func:`sql_text`, or for SQL built at run time the literal start of
    ``"..." + x`` (rest shown as ``{...}``), ``"..." % x`` and
    ``"...".format(x)``: the statement's keyword is in that start, which is
    all DG305 needs to tell DDL from a query."""
    if isinstance(node, cst.Call) and node.args and _callee_last(node.func) == "text":
        return built_sql_text(node.args[0].value, scope)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        left = built_sql_text(node.left, scope)
        suffix = "{...}" if isinstance(node.operator, cst.Add) else ""
        return None if left is None else left + suffix
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        return built_sql_text(node.func.value, scope)
    return sql_text(node, scope)


def _callee_last(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None
