"""Which imports run while a module loads, read without running it.

``import app.db.billing`` at module level runs when the module is imported; the
same line in a function body runs only if the function is called. Alembic reads
``target_metadata`` as env.py loads, so only the imports that have run by then put
tables on it (DG206), and only those modules are schema code that env.py runs
(DG401). Functions called while loading count, env.py's ``run_migrations_online()``
and a package's ``load_models()`` alike; following a call into another module
needs the module index, so :meth:`ModuleIndex.reached
<drift_guard.discovery.modules.ModuleIndex.reached>` does that part.
"""

from __future__ import annotations

from typing import Mapping

import libcst as cst

from drift_guard.extract.names.cst_reader import dotted_name, dotted_parts, nested_blocks, read_import
from drift_guard.extract.names.imports import STAR


def load_time(
    functions: Mapping[str, cst.FunctionDef], package: str | None, body: list[cst.CSTNode]
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """What running ``body`` (a module's, or one of its ``functions``') imports:
    (module names, dotted names of functions of other modules it calls).

    An import runs when the module loads if it is at module level (also in
    ``if``/``try``/``with`` blocks and class bodies), or in a function called while
    it loads (env.py's ``run_migrations_online()``), transitively. An import in any
    other function body runs only if someone calls it later, after Alembic has read
    ``target_metadata``; an ``if TYPE_CHECKING:`` block never runs. Statements are
    walked, expressions are not: a call counts when it is a statement's value
    (``f()``, ``x = f()``), which is how set-up code is called."""
    found: list[cst.Import | cst.ImportFrom] = []
    called: list[tuple[str, ...]] = []
    _walk_statements(body, found, called)
    done: set[str] = set()
    external: list[tuple[str, ...]] = []
    while called:
        parts = called.pop()
        name = parts[0] if len(parts) == 1 else None
        if name is None or name not in functions:
            external.append(parts)
        elif name not in done:
            done.add(name)
            _walk_statements(statements(functions[name]), found, called)
    return _imported_modules(found, package), tuple(dict.fromkeys(external))


def statements(function: cst.FunctionDef) -> list[cst.CSTNode]:
    body = function.body
    return list(body.body) if isinstance(body, cst.IndentedBlock) else [body]


def _imported_modules(imports: list[cst.Import | cst.ImportFrom], package: str | None) -> tuple[str, ...]:
    """Every module name these import statements may execute (``import a.b`` runs
    ``a`` then ``a.b``; ``from a import b`` runs ``a`` and, if it is one, ``a.b``)."""
    names: list[str] = []
    for imp in (imp for node in imports for imp in read_import(node, package)):
        names.extend(_prefixes(imp.module))
        if imp.name is not None and imp.name != STAR:
            names.append(imp.target)
    return tuple(n for n in dict.fromkeys(names) if n)


def _walk_statements(
    stack: list[cst.CSTNode], found: list[cst.Import | cst.ImportFrom], called: list[tuple[str, ...]]
) -> None:
    stack.reverse()
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in node.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    found.append(small)
                else:
                    value = getattr(small, "value", None)
                    parts = dotted_parts(value.func) if isinstance(value, cst.Call) else None
                    if parts:
                        called.append(tuple(parts))
        elif isinstance(node, cst.FunctionDef):
            continue  # runs when called
        elif isinstance(node, cst.If) and _is_type_checking(node.test):
            orelse = node.orelse
            if orelse is not None:
                stack.append(orelse if isinstance(orelse, cst.If) else orelse.body)
        elif isinstance(node, cst.BaseCompoundStatement):
            stack.extend(reversed(nested_blocks(node)))
        elif isinstance(node, cst.IndentedBlock):
            stack.extend(reversed(node.body))


def _is_type_checking(test: cst.BaseExpression) -> bool:
    return dotted_name(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _prefixes(dotted: str) -> list[str]:
    parts = dotted.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts)) if parts[0]]
