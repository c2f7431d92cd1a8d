"""In which order does the program run two statements of the PyDAL layer?

PyDAL's meaning depends on it: ``db._common_fields`` reach only the tables
defined after the change, and Auth leaves alone a table defined before it. In
one scope of one file it is source order. Across files, a module's top-level
imports run the imported file first, so a file that imports another (directly
or through other files, above the statement) runs after it. Anything else (two
files that do not import each other, a statement inside a function) has no
order that can be known statically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import libcst as cst

from drift_guard.extract.names.cst_reader import read_import
from drift_guard.extract.names.imports import STAR
from drift_guard.extract.pydal.scope import Resolver
from drift_guard.parsing import SourceFile
from drift_guard.schema import Location

Order = Literal["before", "after", "unknown"]


@dataclass(frozen=True)
class Site:
    """Where a statement is: its location, enclosing functions and run-wide order."""

    location: Location
    scope: tuple[str, ...]
    order: int


def run_order(first: Site, second: Site, imports: ImportGraph) -> Order:
    """Whether ``first`` runs before or after ``second``, or "unknown"."""
    here, there = first.location.path, second.location.path
    if here == there:
        if first.scope == second.scope:
            return "before" if first.order < second.order else "after"
        return "unknown"
    if first.scope or second.scope:
        return "unknown"
    if _imports(there, here, second.location.line, imports):
        return "before"  # the second file imports the first one before the statement
    if _imports(here, there, first.location.line, imports):
        return "after"
    return "unknown"


def _imports(importer: str, imported: str, before_line: int, imports: ImportGraph) -> bool:
    """Whether ``importer`` runs ``imported`` (directly, or through the files it
    imports) in a statement above ``before_line``."""
    seen: set[str] = set()
    todo = [path for line, path in imports.get(importer) if line < before_line]
    while todo:
        path = todo.pop()
        if path == imported:
            return True
        if path not in seen:
            seen.add(path)
            todo.extend(p for _, p in imports.get(path))
    return False


class ImportGraph:
    """Which files each file imports at module level (and on which line), read on demand."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.files: dict[str, SourceFile] = {}
        self._edges: dict[str, list[tuple[int, str]]] = {}

    def add(self, src: SourceFile) -> None:
        self.files.setdefault(src.path, src)

    def get(self, path: str) -> list[tuple[int, str]]:
        if path not in self._edges:
            src = self.files.get(path)
            found = module_imports(src, self.resolver) if src is not None else []
            for _, imported in found:
                self.add(imported)
            self._edges[path] = [(line, imported.path) for line, imported in found]
        return self._edges[path]


def module_imports(src: SourceFile, resolver: Resolver) -> list[tuple[int, SourceFile]]:
    """(line, file) of every file of the tree that a module's top-level import statements run."""
    out: list[tuple[int, SourceFile]] = []
    for stmt in src.module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        line = src.location(stmt).line
        for small in stmt.body:
            if not isinstance(small, (cst.Import, cst.ImportFrom)):
                continue
            wanted: dict[tuple[str, int], None] = {}  # (module as written, level), in order, once
            for imp in read_import(small):
                wanted[(imp.written, imp.level)] = None
                if imp.name is not None and imp.name != STAR:  # `from app import models`: maybe a submodule
                    wanted[(f"{imp.written}.{imp.name}" if imp.written else imp.name, imp.level)] = None
            for module, level in wanted:
                found = resolver.find_module(module, level, src)
                if found is not None:
                    out.append((line, found))
    return out
