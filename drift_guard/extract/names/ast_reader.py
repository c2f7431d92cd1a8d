"""Import statements and dotted names read from stdlib ``ast`` trees.

The runtime summaries walk files with the stdlib parser (much cheaper than
libcst for code that is only searched, never rewritten); their import
statements become the same :class:`~drift_guard.extract.names.imports.Import`
records the libcst reader makes, so a name means the same in both.
"""

from __future__ import annotations

import ast
from typing import Iterable, Mapping, Union

from drift_guard.extract.names.imports import Import, ImportMap, from_import, plain_import, qualify_parts

ImportNode = Union[ast.Import, ast.ImportFrom]


def read_import(node: ImportNode, package: str | None = None) -> list[Import]:
    """What one import statement binds, relative imports resolved against ``package``."""
    if isinstance(node, ast.Import):
        return [plain_import(alias.name, alias.asname) for alias in node.names]
    return [from_import(package, node.level or 0, node.module or "", a.name, a.asname) for a in node.names]


def import_names(statements: Iterable[ImportNode], package: str | None = None) -> dict[str, str]:
    """Local name -> qualified dotted name, from import statements in source order."""
    return ImportMap.of(imp for node in statements for imp in read_import(node, package)).names


def dotted_parts(node: ast.AST) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; None for anything that is not a plain chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return parts


def qualify(names: Mapping[str, str], node: ast.AST) -> str | None:
    """Qualified name of a ``Name``/``Attribute`` chain, or None if not a chain."""
    return qualify_parts(names, dotted_parts(node))
