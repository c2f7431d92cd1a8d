"""Resolve names to qualified names from a module's imports, on stdlib ``ast`` nodes.

The same flat map as :class:`drift_guard.extract.names.ImportMap` (which the
libcst-based schema extractors use), built from import statements collected
during a walk rather than by a walk of its own: ``import sqlalchemy as sa`` +
``sa.Column`` -> ``sqlalchemy.Column``; imports nested in functions or
``if TYPE_CHECKING`` blocks are merged in, in source order. Relative imports
are resolved against ``package`` when it is given.
"""

from __future__ import annotations

import ast
from typing import Iterable, Mapping, Union

ImportNode = Union[ast.Import, ast.ImportFrom]


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


def resolve_relative(package: str | None, level: int, module: str | None) -> str:
    """Resolve ``from ..x import y`` (level 2, module "x") against ``package``."""
    if level == 0:
        return module or ""
    base = package.split(".") if package else []
    if level - 1:
        base = base[: len(base) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(p for p in base if p)


def import_names(statements: Iterable[ImportNode], package: str | None = None) -> dict[str, str]:
    """Local name -> qualified dotted name, from import statements in source order."""
    names: dict[str, str] = {}
    for node in statements:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    names.setdefault(head, head)
            continue
        module = resolve_relative(package, node.level or 0, node.module)
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname if alias.asname is not None else alias.name
            names[local] = f"{module}.{alias.name}" if module else alias.name
    return names


def qualify_parts(names: Mapping[str, str], parts: list[str] | tuple[str, ...] | None) -> str | None:
    """Qualified name of a dotted chain's parts; a local name with no import
    stays as it is (``Column`` stays ``Column``)."""
    if not parts:
        return None
    head = parts[0]
    base = names.get(head, head)
    return ".".join([base, *parts[1:]]) if len(parts) > 1 else base


def qualify(names: Mapping[str, str], node: ast.AST) -> str | None:
    """Qualified name of a ``Name``/``Attribute`` chain, or None if not a chain."""
    return qualify_parts(names, dotted_parts(node))
