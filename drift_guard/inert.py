"""Top-level statements whose only effect is to bind names.

A model file's readers (discovery, the SQLAlchemy extraction) act on classes,
calls and imports; a statement such as ``PAGE_SIZE = 50``, a docstring or an
undecorated helper ``def`` does nothing they read, except through the names it
binds. So an edit that changes only such statements, in a file where none of
the names they bind (before or after) is written anywhere else the reader
looked, leaves the reader's result as it was (:mod:`drift_guard.layout` moves
its locations). This module decides the first half, on the stdlib syntax tree
(C code: cheap enough to run on the changed lines of every edit); the caller
checks the names.

What counts is deliberately narrow: no call anywhere in what runs when the
module is imported (a call may register a table, an index or a listener), no
import (an import may be what registers a model module), no attribute or
subscript target (``Base.metadata.naming_convention = ...``), no dunder name
(``__all__``, a module ``__getattr__``), no decorator, nothing that is not
plain ASCII (the caller's text search is byte-wise).
"""

from __future__ import annotations

import ast
import re

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# evaluated when the module is imported and able to run code of the project's
_ACTIVE = (
    ast.Call,
    ast.NamedExpr,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def inert_names(text: bytes) -> tuple[str, ...] | None:
    """The names ``text`` (whole top-level statements) binds, sorted, when
    every statement in it only binds names; None when one does more, or the
    text is not such statements."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return statements_binding(tree.body)


def statements_binding(statements: list[ast.stmt]) -> tuple[str, ...] | None:
    """:func:`inert_names` of statements already parsed."""
    names: set[str] = set()
    for statement in statements:
        bound = _binds(statement)
        if bound is None:
            return None
        names.update(bound)
    if not all(_plain(name) for name in names):
        return None
    return tuple(sorted(names))


# called by Python itself, never named by a mapping: an edit of one is not looked up
# (the declarative ones, __tablename__, __table_args__, __mapper_args__..., are not here)
_IMPLICIT_METHODS = frozenset(
    "__repr__ __str__ __format__ __init__ __eq__ __ne__ __hash__ __lt__ __le__ __gt__ __ge__ __bool__ "
    "__len__ __iter__ __contains__".split()
)


def member_binding(statement: ast.stmt) -> tuple[str, ...] | None:
    """The names a class-body statement binds when it is inert there: an
    undecorated method (its body runs only when called), the docstring, a
    ``pass``. A class-level assignment is never inert: the mapping reads
    those (columns, ``__tablename__``). The methods Python calls implicitly
    bind no name a reader could look up."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name in _IMPLICIT_METHODS:
        return () if not statement.decorator_list and _passive_signature(statement) else None
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        return None
    return statements_binding([statement])


def _binds(statement: ast.stmt) -> list[str] | None:
    if isinstance(statement, ast.Pass):
        return []
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return []  # a docstring, or any other constant on its own
    if isinstance(statement, ast.Assign):
        names: list[str] = []
        for target in statement.targets:
            found = _target_names(target)
            if found is None:
                return None
            names.extend(found)
        return names if _passive(statement.value) else None
    if isinstance(statement, ast.AnnAssign):
        if not isinstance(statement.target, ast.Name) or not _passive(statement.annotation):
            return None
        if statement.value is not None and not _passive(statement.value):
            return None
        return [statement.target.id]
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if statement.decorator_list or not _passive_signature(statement):
            return None
        return [statement.name]  # the body runs only when called
    return None


def _target_names(target: ast.expr) -> list[str] | None:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        names: list[str] = []
        for element in target.elts:
            inner = _target_names(element.value if isinstance(element, ast.Starred) else element)
            if inner is None:
                return None
            names.extend(inner)
        return names
    return None


def _passive_signature(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Defaults and annotations are evaluated when the ``def`` runs (unless
    annotations are postponed, which is not assumed here)."""
    arguments = function.args
    parts: list[ast.expr | None] = [*arguments.defaults, *arguments.kw_defaults, function.returns]
    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg):
        if argument is not None:
            parts.append(argument.annotation)
    return all(part is None or _passive(part) for part in parts)


def _passive(node: ast.AST) -> bool:
    return not any(isinstance(inner, _ACTIVE) for inner in ast.walk(node))


def _plain(name: str) -> bool:
    return bool(_IDENTIFIER.match(name)) and not (name.startswith("__") and name.endswith("__"))
