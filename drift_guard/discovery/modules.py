"""Module names -> files, and names -> their definitions, for discovery.

Discovery follows env.py's ``target_metadata`` and the model files' bases to the
module-level statement that *defines* them, opening files found under the import
roots as it goes (the shared :class:`~drift_guard.extract.names.follow.Resolver`
does the walk). Files outside the import roots (installed packages) are never
opened: the chase stops there. What is discovery's own is here: a
:class:`Definition` identified by ``(file, name)``, the files a chase went
through, and which modules run while env.py loads.

A definition's dotted ``qualname`` uses the module name under which the file was
first reached (env.py's imports are followed first, so names match what Alembic
itself imports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import libcst as cst

from drift_guard.discovery.load_time import load_time, statements
from drift_guard.extract.names.cst_reader import dotted_parts
from drift_guard.extract.names.follow import Outside, Resolution, Resolver
from drift_guard.extract.names.modules import Module, build_module, find_module, module_names
from drift_guard.parsing import parse_file
from drift_guard.schema import Problem
from drift_guard.session import canonical

__all__ = ["Definition", "Module", "ModuleIndex"]

_OWNED = ("metadata", "Model")  # Base.metadata, registry.metadata, db.Model stand for their owner


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


class ModuleIndex(Resolver):
    """Loads each module once (``parse_file`` caches the parse itself)."""

    cache = False  # each chase records the files it goes through

    def __init__(self, roots: Sequence[Path]) -> None:
        super().__init__()
        self.roots = tuple(roots)
        self.problems: list[Problem] = []
        self._by_path: dict[Path, Module | None] = {}
        self._found: dict[str, Path | None] = {}
        self._trails: list[list[Path]] = []

    def module(self, dotted: str) -> Module | None:
        path = self.find(dotted)
        return self.load(path, dotted) if path is not None else None

    def visit(self, module: Module) -> None:
        for trail in self._trails:
            trail.append(module.path)

    def resolve_traced(self, module: Module, expr: cst.BaseExpression) -> tuple[Definition | None, frozenset[Path]]:
        """Like ``resolve(qualify(module, expr))``, plus every file the chase went
        through (re-exporting ``__init__.py`` files, star-import hops): the
        extractor only follows names across the files it is given."""
        self._trails.append([])
        try:
            name = self.qualify(module, expr)
            found = self.definition(self.resolve_qualname(name)) if name else None
        finally:
            trail = self._trails.pop()
        return found, frozenset(trail)

    def find(self, dotted: str) -> Path | None:
        """The file of module ``dotted`` under the import roots (first root wins)."""
        if dotted not in self._found:
            self._found[dotted] = find_module(self.roots, dotted) if dotted.strip(".") else None
        return self._found[dotted]

    def name_for(self, path: Path) -> str:
        """Dotted module name of ``path`` under the first root holding it."""
        return module_names(path, self.roots)[0]

    def load(self, path: Path, name: str | None = None) -> Module | None:
        if path not in self._by_path:
            parsed = parse_file(path, canonical(path))
            if isinstance(parsed, Problem):
                self.problems.append(parsed)
                self._by_path[path] = None
            else:
                self._by_path[path] = build_module(parsed, path, (name or self.name_for(path),))
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
        elif module.defines(head):
            base = f"{module.name}.{head}"
        else:
            base = next(
                (f"{star}.{head}" for star in module.imports.star_modules if self.resolve_name(f"{star}.{head}")),
                None,
            )
            if base is None:
                return None
        return ".".join([base, *rest])

    def resolve_in(self, module: Module, expr: cst.BaseExpression) -> Definition | None:
        """The definition a Name/Attribute chain in ``module`` refers to; works for
        modules that are not importable themselves (env.py)."""
        return self.definition(self.resolve(module, expr))

    def resolve_name(self, qualname: str) -> Definition | None:
        """The definition ``qualname`` refers to; ``X.metadata`` resolves to ``X``."""
        return self.definition(self.resolve_qualname(qualname))

    def lookup(self, module: Module, name: str) -> Definition | None:
        """Where ``name`` in ``module`` is defined (following imports and aliases)."""
        return self.definition(self.resolve_parts(module, (name,)))

    def definition(self, found: Resolution | None) -> Definition | None:
        """A resolution as discovery sees it: an alias of something outside the
        roots is the alias itself; attributes other than ``metadata``/``Model``
        lead to nothing discovery follows."""
        if isinstance(found, Outside):
            found = found.alias
        if found is None or any(attr not in _OWNED for attr in found.attrs):
            return None
        module = found.module
        if not found.name:
            return Definition(module.name, module.path, "", "module", module)
        kind = "class" if found.name in module.classes else "value"
        return Definition(f"{module.name}.{found.name}", module.path, found.name, kind, module)

    def reached(self, start: Module) -> list[Path]:
        """Files executed by loading ``start``: what its load-time imports run,
        transitively, including the imports inside functions of other modules that
        a loading module calls (``from app.db import load_models; load_models()``)."""
        seen: dict[Path, None] = {}
        called: set[tuple[Path, str]] = set()
        queue: list[tuple[Module, tuple[str, ...], tuple[tuple[str, ...], ...]]] = [(start, *_load_time(start))]
        while queue:
            module, names, calls = queue.pop()
            for parts in calls:
                target = self.definition(self.resolve_parts(module, parts))
                if target is None or target.name not in target.module.functions or target.key in called:
                    continue
                called.add(target.key)
                owner = target.module
                body = statements(owner.functions[target.name])
                queue.append((owner, *load_time(owner.functions, owner.package, body)))
            for name in names:
                path = self.find(name)
                if path is None or path in seen or path == start.path:
                    continue
                seen[path] = None
                loaded = self.load(path, name)
                if loaded is not None:
                    queue.append((loaded, *_load_time(loaded)))
        return sorted(seen)


def _load_time(module: Module) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    return load_time(module.functions, module.package, list(module.source.module.body))
