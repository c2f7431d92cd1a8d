"""Import statements and dotted names read from libcst trees.

``import sqlalchemy as sa`` + ``sa.Column`` -> ``sqlalchemy.Column``;
``from sqlalchemy import Enum as SQLEnum`` + ``SQLEnum`` -> ``sqlalchemy.Enum``.
The statements become :class:`~drift_guard.extract.names.imports.Import`
records, the same the stdlib-``ast`` reader makes, so both follow one set of
relative-import rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from drift_guard.extract.names.imports import Import, ImportMap, from_import, plain_import, qualify_parts

if TYPE_CHECKING:
    from drift_guard.source import SourceFile


def read_import(node: cst.Import | cst.ImportFrom, package: str | None = None) -> list[Import]:
    """What one import statement binds, relative imports resolved against ``package``."""
    if isinstance(node, cst.Import):
        return [plain_import(dotted_name(alias.name) or "", _asname(alias)) for alias in node.names]
    level = len(node.relative)
    written = dotted_name(node.module) or ""
    if isinstance(node.names, cst.ImportStar):
        return [from_import(package, level, written, "*", None)]
    return [from_import(package, level, written, dotted_name(a.name) or "", _asname(a)) for a in node.names]


def _asname(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


def imports_of(source: SourceFile, package: str | None = None) -> ImportMap:
    """The import map of a parsed file, built once per file and package."""
    key = ("imports", package)
    if key not in source._cache:
        found = [imp for node in import_statements(source.module) for imp in read_import(node, package)]
        source._cache[key] = ImportMap.of(found)
    return source._cache[key]


def qualify(imports: ImportMap, node: cst.BaseExpression) -> str | None:
    """Qualified name of a ``Name``/``Attribute`` chain, or None if not a chain
    (a local name with no import is returned as is)."""
    return qualify_parts(imports.names, dotted_parts(node))


def import_statements(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    """Every import statement, in source order, at module level or nested in
    compound statements (``if TYPE_CHECKING:``, ``try:``, function and class
    bodies). Imports are statements, so expressions are never entered: this is
    a walk over a few hundred statements, not over every node of the file."""
    found: list[cst.Import | cst.ImportFrom] = []
    stack: list[cst.CSTNode] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            found.extend(s for s in node.body if isinstance(s, (cst.Import, cst.ImportFrom)))
        elif isinstance(node, cst.BaseCompoundStatement):
            stack.extend(reversed(nested_blocks(node)))
        elif isinstance(node, cst.IndentedBlock):
            stack.extend(reversed(node.body))
    return found


def nested_blocks(node: cst.BaseCompoundStatement) -> list[cst.CSTNode]:
    """The statement blocks of a compound statement, in source order."""
    blocks: list[cst.CSTNode] = [node.body] if hasattr(node, "body") else []
    for name in ("handlers", "cases"):
        blocks.extend(item.body for item in getattr(node, name, ()) or ())
    orelse = getattr(node, "orelse", None)
    while orelse is not None:
        if isinstance(orelse, cst.If):  # elif chains
            blocks.append(orelse.body)
            orelse = orelse.orelse
        else:
            blocks.append(orelse.body)
            orelse = None
    final = getattr(node, "finalbody", None)
    if final is not None:
        blocks.append(final.body)
    return blocks


def dotted_parts(node: cst.BaseExpression) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; None for anything that is not a plain chain."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return parts[::-1]


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    if node is None:
        return None
    parts = dotted_parts(node)
    return ".".join(parts) if parts else None
