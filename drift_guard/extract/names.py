"""Resolve names in a module to qualified names, from its import statements.

``import sqlalchemy as sa`` + ``sa.Column`` -> ``sqlalchemy.Column``;
``from sqlalchemy import Enum as SQLEnum`` + ``SQLEnum`` -> ``sqlalchemy.Enum``;
``from sqlalchemy.orm import mapped_column`` -> ``sqlalchemy.orm.mapped_column``.

This is deliberately a flat, module-level map (plus imports nested in
functions/``if TYPE_CHECKING`` blocks, which are merged in): libcst's
ScopeProvider would be exact for shadowing but costs an order of magnitude more
on large files, and schema modules do not shadow their SQLAlchemy imports.
Relative imports are resolved against ``package`` (the dotted package of the
module) when it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from drift_guard.source import SourceFile


@dataclass
class ImportMap:
    """Local name -> qualified dotted name."""

    names: dict[str, str] = field(default_factory=dict)
    star_modules: list[str] = field(default_factory=list)  # from X import *

    @classmethod
    def from_module(cls, module: cst.Module, package: str | None = None) -> ImportMap:
        collector = _ImportCollector(package)
        for node in import_statements(module):
            if isinstance(node, cst.Import):
                collector.visit_Import(node)
            else:
                collector.visit_ImportFrom(node)
        return cls(collector.names, collector.star_modules)

    def qualify(self, node: cst.BaseExpression) -> str | None:
        """Qualified name of a ``Name``/``Attribute`` chain, or None if not a chain.

        A local name with no import is returned as is (``Column`` stays ``Column``),
        so callers can still recognise names defined in the same module.
        """
        parts = dotted_parts(node)
        if parts is None:
            return None
        head, rest = parts[0], parts[1:]
        base = self.names.get(head, head)
        return ".".join([base, *rest])

    def is_imported(self, local: str) -> bool:
        return local in self.names


def imports_of(source: SourceFile, package: str | None = None) -> ImportMap:
    """The import map of a parsed file, built once per file and package."""
    key = ("imports", package)
    if key not in source._cache:
        source._cache[key] = ImportMap.from_module(source.module, package)
    return source._cache[key]


def import_statements(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    """Every import statement, in source order, at module level or nested in
    compound statements (``if TYPE_CHECKING:``, ``try:``, function and class
    bodies). Imports are statements, so expressions are never entered: this is
    a walk over a few hundred statements, not over every node of the file."""
    found: list[cst.Import | cst.ImportFrom] = []
    stack: list[cst.CSTNode] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        if isinstance(node, cst.SimpleStatementLine):
            found.extend(s for s in node.body if isinstance(s, (cst.Import, cst.ImportFrom)))
        elif isinstance(node, cst.SimpleStatementSuite):
            found.extend(s for s in node.body if isinstance(s, (cst.Import, cst.ImportFrom)))
        elif isinstance(node, cst.BaseCompoundStatement):
            stack.extend(reversed(nested_blocks(node)))
        elif isinstance(node, (cst.IndentedBlock,)):
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


def resolve_relative(package: str | None, level: int, module: str | None) -> str:
    """Resolve ``from ..x import y`` (level 2, module "x") against ``package``."""
    if level == 0:
        return module or ""
    base = (package or "").split(".") if package else []
    if level - 1:
        base = base[: len(base) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(p for p in base if p)


class _ImportCollector(cst.CSTVisitor):
    def __init__(self, package: str | None) -> None:
        self.package = package
        self.names: dict[str, str] = {}
        self.star_modules: list[str] = []

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.names[alias.asname.name.value] = full
            else:
                head = full.split(".")[0]
                self.names.setdefault(head, head)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        level = len(node.relative)
        module = resolve_relative(self.package, level, dotted_name(node.module))
        if isinstance(node.names, cst.ImportStar):
            self.star_modules.append(module)
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.names[local] = f"{module}.{name}" if module else name
