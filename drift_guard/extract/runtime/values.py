"""Static values of the flag and URI expressions runtime code passes to PyDAL.

Only what is certain gets a value: literals, ``not <literal>``, a module-level
name bound once to a literal, and a parameter of the enclosing function, which
resolves to its *default* (what a plain call uses; whether callers pass another
value is not knowable statically, so findings say the value came from a
default). Anything else (environment, settings objects, calls) is ``UNKNOWN``,
which DG304 reports by name instead of guessing.

Works on stdlib :mod:`ast` nodes. Nothing here recurses on the shape of the
expression (a 400-term ``"..." + a + b + ...`` or 150 nested ``text(...)``
calls are followed with loops), so deeply nested code cannot exhaust the stack.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Mapping, Sequence

from drift_guard.schema import UNKNOWN


@dataclass(frozen=True)
class Value:
    """A resolved expression. ``value`` is a Python literal (str, int, bool,
    None) or UNKNOWN; ``via`` names the parameter default it came from, if any."""

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
    module's single-assignment constants."""

    constants: Mapping[str, ast.expr]
    functions: Sequence[tuple[str, Mapping[str, ast.expr | None]]] = ()


def module_constants(module: ast.Module) -> dict[str, ast.expr]:
    """Names assigned exactly once at module level (``X = <expr>``, ``X: T = <expr>``)."""
    seen: dict[str, list[ast.expr]] = {}
    for stmt in module.body:
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                seen.setdefault(stmt.targets[0].id, []).append(stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            seen.setdefault(stmt.target.id, []).append(stmt.value)
    return {name: values[0] for name, values in seen.items() if len(values) == 1}


def parameter_defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr | None]:
    """Parameter name -> default expression (None: no default); ``*args`` and
    ``**kwargs`` are not parameters with defaults."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    found = {param.arg: default for param, default in zip(positional, defaults)}
    for param, default in zip(args.kwonlyargs, args.kw_defaults):
        found[param.arg] = default
    return found


_NOT_LITERAL = object()


def _literal(node: ast.AST) -> object:
    """The value of a str/int/True/False/None literal (implicit concatenation
    included), else _NOT_LITERAL: floats, bytes, f-strings are not literals here."""
    if type(node) is ast.Constant:
        value = node.value
        if value is None or isinstance(value, (str, bool)) or type(value) is int:
            return value
    return _NOT_LITERAL


def resolve(node: ast.AST, scope: Scope, code: str, depth: int = 0) -> Value:
    """Resolve ``node`` (shown to the user as ``code``).

    Follows ``not``, parameter defaults of the enclosing functions (innermost
    first) and module constants, at most five hops deep; ``via`` names the
    first parameter default followed."""
    negations = 0
    via: str | None = None
    value: object = UNKNOWN
    while True:
        literal = _literal(node)
        if literal is not _NOT_LITERAL:
            value = literal
            break
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            negations += 1
            node = node.operand
            depth += 1
            continue
        if isinstance(node, ast.Name) and depth < 5:
            name = node.id
            followed = False
            for func, defaults in reversed(scope.functions):
                if name in defaults:
                    default = defaults[name]
                    if default is not None:
                        if via is None:
                            via = f"the default of parameter `{name}` of `{func}()`"
                        node = default
                        depth += 1
                        followed = True
                    break
            else:
                if name in scope.constants:
                    node = scope.constants[name]
                    depth += 1
                    followed = True
            if followed:
                continue
        value = UNKNOWN
        break
    if negations and value is not UNKNOWN:
        value = (not value) if negations % 2 else (not not value)
    return Value(value, code, via)


def _joined_text(node: ast.JoinedStr, placeholder: str | None) -> str:
    """The text of an f-string: its literal parts, each ``{...}`` as
    ``placeholder`` (None: stop at the first one)."""
    text = []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text.append(part.value)
        elif placeholder is None:
            break
        else:
            text.append(placeholder)
    return "".join(text)


def string_prefix(node: ast.AST, scope: Scope) -> str | None:
    """The literal text a string expression certainly starts with: the whole of
    a literal or constant, or the leading literal part of an f-string
    (``f"postgres://{user}@..."`` -> ``postgres://``)."""
    if isinstance(node, ast.JoinedStr):
        return _joined_text(node, None) or None
    value = resolve(node, scope, "")
    return value.value if isinstance(value.value, str) else None


def first_argument(node: ast.Call) -> ast.expr | None:
    """The value of the call's first argument in source order (``*x`` / ``**x``
    give ``x``), or None without arguments."""
    first: ast.expr | None = node.args[0] if node.args else None
    if node.keywords:
        keyword = node.keywords[0]
        if first is None or (keyword.lineno, keyword.col_offset) < (first.lineno, first.col_offset):
            return keyword.value
    if isinstance(first, ast.Starred):
        return first.value
    return first


def callee_last(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _unwrap_text(node: ast.AST) -> ast.AST:
    """``text(text("..."))`` -> ``"..."``: SQLAlchemy's ``text()`` is transparent."""
    while isinstance(node, ast.Call) and callee_last(node.func) == "text":
        first = first_argument(node)
        if first is None:
            break
        node = first
    return node


def sql_text(node: ast.AST, scope: Scope) -> str | None:
    """Literal SQL passed to an execute call: a string, a constant, an f-string
    with its placeholders blanked, or ``text("...")``."""
    node = _unwrap_text(node)
    if isinstance(node, ast.JoinedStr):
        return _joined_text(node, "x")
    value = resolve(node, scope, "")
    return value.value if isinstance(value.value, str) else None


def built_sql_text(node: ast.AST, scope: Scope) -> str | None:
    """:func:`sql_text`, or for SQL built at run time the literal start of
    ``"..." + x`` (rest shown as ``{...}``), ``"..." % x`` and
    ``"...".format(x)``: the statement's keyword is in that start, which is
    all DG305 needs to tell DDL from a query."""
    suffixes: list[str] = []
    while True:
        node = _unwrap_text(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            suffixes.append("{...}" if isinstance(node.op, ast.Add) else "")
            node = node.left
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            node = node.func.value
        else:
            break
    text = sql_text(node, scope)
    if text is None:
        return None
    return text + "".join(reversed(suffixes))
