"""Module names -> files, and names -> their definitions, without importing.

This is the small slice of Python's import system discovery needs: find
``a.b`` as ``a/b.py`` or ``a/b/__init__.py`` under the import roots, and follow a
name through ``from x import y`` / ``import x as y`` / star imports / package
re-exports / plain aliases (``Base = base.Base``) to the module-level statement
that *defines* it. Files outside the import roots (installed packages) are never
opened: the chase stops there.

A definition is identified by ``(file, name)``; its dotted ``qualname`` uses the
module name under which the file was first reached (env.py's imports are
followed first, so names match what Alembic itself imports).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import libcst as cst

from drift_guard.discovery.load_time import load_time, statements
from drift_guard.extract.names import (
    ImportMap,
    dotted_parts,
    imports_of,
)
from drift_guard.parsing import SourceFile, parse_file
from drift_guard.schema import Problem
from drift_guard.session import canonical


@dataclass(eq=False)
class Module:
    name: str
    path: Path
    is_package: bool
    source: SourceFile
    imports: ImportMap
    classes: dict[str, cst.ClassDef] = field(default_factory=dict)
    assigns: dict[str, cst.BaseExpression] = field(default_factory=dict)
    functions: set[str] = field(default_factory=set)
    function_nodes: dict[str, cst.FunctionDef] = field(default_factory=dict)
    imported: tuple[str, ...] = ()  # candidate module names its load-time imports execute
    # dotted names of functions from elsewhere it calls while loading (``load_models()``)
    load_calls: tuple[tuple[str, ...], ...] = ()

    @property
    def package(self) -> str | None:
        if self.is_package:
            return self.name
        return self.name.rpartition(".")[0] or None


@dataclass(frozen=True)
class Definition:
    qualname: str
    path: Path
    name: str  # "" for a module
    kind: str  # "class" | "value" | "module"
    module: Module = field(compare=False, repr=False)

    @property
    def key(self) -> tuple[Path, str]:
        return (self.path, self.name)


class ModuleIndex:
    """Loads each module once (``parse_file`` caches the parse itself)."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = tuple(roots)
        self.problems: list[Problem] = []
        self._by_path: dict[Path, Module | None] = {}
        self._found: dict[str, Path | None] = {}
        self._resolving: set[str] = set()
        self._trails: list[list[Path]] = []

    def resolve_traced(self, module: Module, expr: cst.BaseExpression) -> tuple[Definition | None, frozenset[Path]]:
        """Like ``resolve(qualify(module, expr))``, plus every file the chase went
        through (re-exporting ``__init__.py`` files, star-import hops): the
        extractor only follows names across the files it is given."""
        self._trails.append([])
        try:
            name = self.qualify(module, expr)
            found = self.resolve(name) if name else None
        finally:
            trail = self._trails.pop()
        return found, frozenset(trail)

    def find(self, dotted: str) -> Path | None:
        """The file of module ``dotted`` under the import roots (first root wins)."""
        if dotted not in self._found:
            parts = [p for p in dotted.split(".") if p]
            hit = None
            for root in self.roots if parts else ():
                # the package first: Python imports ``a/b/__init__.py`` over a ``a/b.py`` beside it
                for candidate in (root.joinpath(*parts, "__init__.py"), root.joinpath(*parts[:-1], parts[-1] + ".py")):
                    # also a module that is there but cannot be read (a dangling
                    # symlink, no permission): loading it reports it (DG001)
                    if _present(candidate):
                        hit = candidate
                        break
                if hit:
                    break
            self._found[dotted] = hit
        return self._found[dotted]

    def name_for(self, path: Path) -> str:
        """Dotted module name of ``path`` relative to the first root holding it."""
        for root in self.roots:
            try:
                rel = path.relative_to(root)
            except ValueError:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            if parts:
                return ".".join(parts)
        return path.stem

    def load(self, path: Path, name: str | None = None) -> Module | None:
        if path not in self._by_path:
            parsed = parse_file(path, canonical(path))
            if isinstance(parsed, Problem):
                self.problems.append(parsed)
                self._by_path[path] = None
            else:
                self._by_path[path] = _build(parsed, path, name or self.name_for(path))
        return self._by_path[path]

    def qualify(self, module: Module, expr: cst.BaseExpression) -> str | None:
        """Dotted name of a Name/Attribute chain as seen from ``module``."""
        parts = dotted_parts(expr)
        if not parts:
            return None
        head, rest = parts[0], parts[1:]
        base: str | None
        if head in module.imports.names:
            base = module.imports.names[head]
        elif head in module.classes or head in module.assigns or head in module.functions:
            base = f"{module.name}.{head}"
        else:
            base = next(
                (f"{star}.{head}" for star in module.imports.star_modules if self.resolve(f"{star}.{head}")), None
            )
            if base is None:
                return None
        return ".".join([base, *rest])

    def resolve_in(self, module: Module, expr: cst.BaseExpression) -> Definition | None:
        """The definition a Name/Attribute chain in ``module`` refers to; works for
        modules that are not importable themselves (env.py)."""
        parts = dotted_parts(expr)
        if not parts:
            return None
        found = self.lookup(module, parts[0])
        return self._walk(found, parts[1:])

    def resolve(self, qualname: str) -> Definition | None:
        """The definition ``qualname`` refers to; ``X.metadata`` resolves to ``X``."""
        if qualname in self._resolving:  # import cycle
            return None
        self._resolving.add(qualname)
        try:
            return self._resolve(qualname)
        finally:
            self._resolving.discard(qualname)

    def _resolve(self, qualname: str) -> Definition | None:
        parts = qualname.split(".")
        for cut in range(len(parts), 0, -1):
            path = self.find(".".join(parts[:cut]))
            if path is not None:
                break
        else:
            return None
        module = self.load(path, ".".join(parts[:cut]))
        if module is None:
            return None
        return self._walk(Definition(module.name, path, "", "module", module), parts[cut:])

    def _walk(self, found: Definition | None, attrs: list[str]) -> Definition | None:
        for attr in attrs:
            if found is None:
                return None
            if found.kind == "module":
                found = self.lookup(found.module, attr)
            elif attr not in ("metadata", "Model"):  # Base.metadata, registry.metadata, db.Model
                return None
        return found

    def lookup(self, module: Module, name: str) -> Definition | None:
        """Where ``name`` in ``module`` is defined (following imports and aliases)."""
        for trail in self._trails:
            trail.append(module.path)
        if name in module.classes:
            return Definition(f"{module.name}.{name}", module.path, name, "class", module)
        if name in module.assigns:
            value = module.assigns[name]
            target = self.qualify(module, value) if dotted_parts(value) else None
            alias = self.resolve(target) if target else None
            return alias or Definition(f"{module.name}.{name}", module.path, name, "value", module)
        if name in module.imports.names:
            return self.resolve(module.imports.names[name])
        if module.is_package and self.find(f"{module.name}.{name}"):
            return self.resolve(f"{module.name}.{name}")
        for star in module.imports.star_modules:
            hit = self.resolve(f"{star}.{name}")
            if hit is not None:
                return hit
        if name in module.functions:
            return Definition(f"{module.name}.{name}", module.path, name, "value", module)
        return None

    def reached(self, start: Module) -> list[Path]:
        """Files executed by loading ``start``: what its load-time imports run,
        transitively, including the imports inside functions of other modules that
        a loading module calls (``from app.db import load_models; load_models()``)."""
        seen: dict[Path, None] = {}
        called: set[tuple[Path, str]] = set()
        queue: list[tuple[Module, tuple[str, ...], tuple[tuple[str, ...], ...]]] = [
            (start, start.imported, start.load_calls)
        ]
        while queue:
            module, names, calls = queue.pop()
            for parts in calls:
                target = self._walk(self.lookup(module, parts[0]), list(parts[1:]))
                if target is None or target.name not in target.module.function_nodes or target.key in called:
                    continue
                called.add(target.key)
                owner = target.module
                body = statements(owner.function_nodes[target.name])
                queue.append((owner, *load_time(owner.function_nodes, owner.package, body)))
            for name in names:
                path = self.find(name)
                if path is None or path in seen or path == start.path:
                    continue
                seen[path] = None
                loaded = self.load(path, name)
                if loaded is not None:
                    queue.append((loaded, loaded.imported, loaded.load_calls))
        return sorted(seen)


def _present(path: Path) -> bool:
    """A module file is there, readable or not (a dangling symlink, no read
    permission), as long as it is not a folder. Behind a folder that cannot be
    searched nothing is known: that folder is reported (DG001), not guesses."""
    try:
        os.lstat(path)
    except OSError:
        return False
    return not os.path.isdir(path)


def _build(source: SourceFile, path: Path, name: str) -> Module:
    is_package = path.name == "__init__.py"
    package = name if is_package else (name.rpartition(".")[0] or None)
    module = Module(name, path, is_package, source, imports_of(source, package))
    for stmt in source.module.body:
        if isinstance(stmt, cst.ClassDef):
            module.classes[stmt.name.value] = stmt
        elif isinstance(stmt, cst.FunctionDef):
            module.functions.add(stmt.name.value)
            module.function_nodes[stmt.name.value] = stmt
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                for target, value in _assignments(small):
                    module.assigns.setdefault(target, value)  # first wins: the declaration
    module.imported, module.load_calls = load_time(module.function_nodes, package, list(source.module.body))
    return module


def _assignments(small: cst.BaseSmallStatement) -> Iterable[tuple[str, cst.BaseExpression]]:
    if isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Name):
                yield target.target.value, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
        yield small.target.value, small.value
