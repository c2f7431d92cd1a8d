"""Static name lookup for PyDAL field lists: which expression does a name stand for?

Field lists are often spliced from elsewhere (``*common_fields``, ``helper()``,
``from app.fields import audit_fields``). The linter must follow those names
without executing anything, so a name is only resolved when the scope binds it
exactly once to a literal definition and never mutates it (``+=``,
``.append(...)``). Everything else is an :class:`Ambiguous` binding carrying the
reason, which the extractor turns into a located DG002 problem instead of a
guess. Imports are followed into other files of the same source tree (the file
is located from any parent directory of the importing file), never imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import libcst as cst

from drift_guard.extract.names.cst_reader import imports_of, qualify
from drift_guard.extract.names.imports import Import, ImportMap
from drift_guard.extract.names.modules import find_module
from drift_guard.extract.pydal.bindings import Ambiguous, Binding, collect
from drift_guard.parsing import SourceFile, parse_file
from drift_guard.session import canonical, shown

_MAX_DEPTH = 25


@dataclass(frozen=True)
class ModuleRef:
    """A name bound to a whole module (``import app.fields as f``)."""

    src: SourceFile


@dataclass(frozen=True)
class Argument:
    """A helper's parameter bound to what one call passes (or its default)."""

    func: cst.FunctionDef
    name: str
    value: cst.BaseExpression
    home: Where


@dataclass(frozen=True)
class Where:
    """An expression's home: its file, its enclosing functions (innermost last)
    and, inside a helper reached through a call, that call's arguments."""

    src: SourceFile
    funcs: tuple[cst.FunctionDef, ...] = ()
    args: tuple[Argument, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Failure:
    """Why a name could not be resolved (phrased to follow "`x` ...")."""

    reason: str


Target = Union[cst.BaseExpression, cst.FunctionDef, ModuleRef]


class Resolver:
    """Follows names across the scanned files; caches parses and bindings."""

    def __init__(self) -> None:
        self._files: dict[Path, SourceFile | None] = {}
        self._bindings: dict[int, dict[str, Binding]] = {}
        self._paths: dict[int, Path] = {}
        self._imports: dict[int, ImportMap] = {}

    def last_name(self, node: cst.BaseExpression, src: SourceFile) -> str | None:
        """The last part of a name's qualified spelling, through the file's imports
        (``from pydal import Field as F`` makes ``F`` a ``Field``)."""
        imports = self._imports.get(id(src))
        if imports is None:
            imports = self._imports[id(src)] = imports_of(src)
        qualified = qualify(imports, node)
        return qualified.rsplit(".", 1)[-1] if qualified else None

    def register(self, path: Path, src: SourceFile) -> None:
        self._files[path.resolve()] = src
        self._paths[id(src)] = path.resolve()

    def deref(
        self, node: cst.BaseExpression, where: Where, depth: int = 0, seen: frozenset[int] = frozenset()
    ) -> tuple[Target, Where] | Failure:
        """Follow ``Name`` / ``module.attr`` bindings to the defining expression
        (``seen``: the expressions already followed, so ``X = X`` is a cycle, not a value)."""
        if id(node) in seen:
            return Failure("is defined through itself")
        if depth > _MAX_DEPTH:
            return Failure("is defined through too many names")
        if isinstance(node, cst.Name) and node.value not in ("True", "False", "None"):
            found = self.lookup(node.value, where)
        elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            head = self.lookup(node.value.value, where)
            if not (isinstance(head, tuple) and isinstance(head[0], ModuleRef)):
                return node, where
            module = head[0].src
            found = self._bind(self.bindings(module.module), node.attr.value, Where(module))
        else:
            return node, where
        if isinstance(found, Failure):
            return found
        target, home = found
        if isinstance(target, cst.BaseExpression):
            return self.deref(target, home, depth + 1, seen | {id(node)})
        return target, home

    def lookup(self, name: str, where: Where) -> tuple[Target, Where] | Failure:
        for index in range(len(where.funcs) - 1, -1, -1):
            func = where.funcs[index]
            for bound in reversed(where.args):  # a parameter of a helper reached through a call
                if bound.func is func and bound.name == name:
                    return bound.value, bound.home
            local = self.bindings(func)
            if name in local:
                return self._bind(local, name, Where(where.src, where.funcs[: index + 1], where.args))
        module = self.bindings(where.src.module)
        if name in module:
            return self._bind(module, name, Where(where.src))
        return Failure("is not defined in this file")

    def _bind(self, scope: dict[str, Binding], name: str, home: Where) -> tuple[Target, Where] | Failure:
        binding = scope.get(name)
        if binding is None:
            return Failure(f"is not defined in {shown(home.src.path)}")
        if isinstance(binding, Ambiguous):
            return Failure(binding.reason)
        if isinstance(binding, Import):
            return self._follow_import(binding, home)
        if isinstance(binding, cst.FunctionDef):
            return binding, Where(home.src, (*home.funcs, binding), home.args)
        return binding, home

    def _follow_import(self, ref: Import, home: Where) -> tuple[Target, Where] | Failure:
        # resolved by directory, from the importing file: ``written`` and ``level`` as in the source
        module = ref.written
        src = self._module_file(module, ref.level, home.src)
        if ref.name is None:
            return (ModuleRef(src), Where(src)) if isinstance(src, SourceFile) else src
        if isinstance(src, SourceFile):
            scope = self.bindings(src.module)
            if ref.name in scope:
                return self._bind(scope, ref.name, Where(src))
        sub = self._module_file(f"{module}.{ref.name}" if module else ref.name, ref.level, home.src)
        if isinstance(sub, SourceFile):
            return ModuleRef(sub), Where(sub)
        if isinstance(src, SourceFile):
            return Failure(f"is not defined in {shown(src.path)}")
        return src

    def find_module(self, module: str, level: int, importer: SourceFile) -> SourceFile | None:
        """The file of ``module`` imported from ``importer``, if it is in the source tree."""
        found = self._module_file(module, level, importer) if module or level else None
        return found if isinstance(found, SourceFile) else None

    def _module_file(self, module: str, level: int, importer: SourceFile) -> SourceFile | Failure:
        """Find the file of ``module`` from the importing file's directories."""
        here = self._paths.get(id(importer))
        if here is None:
            return Failure(f"is imported from `{module}`, which cannot be located")
        if level:
            bases = [here.parents[level - 1]] if len(here.parents) >= level else []
        else:
            bases = list(here.parents)
        found = find_module(bases, module)
        if found is not None:
            return self._load(found, module)
        dots = "." * level
        return Failure(f"is imported from `{dots}{module}`, which is not a file in this source tree")

    def _load(self, path: Path, module: str) -> SourceFile | Failure:
        key = path.resolve()
        if key not in self._files:
            parsed = parse_file(path, canonical(path))
            self._files[key] = parsed if isinstance(parsed, SourceFile) else None
            if isinstance(parsed, SourceFile):
                self._paths[id(parsed)] = key
        src = self._files[key]
        return src if src is not None else Failure(f"is imported from `{module}`, which cannot be parsed")

    def bindings(self, scope: cst.Module | cst.FunctionDef) -> dict[str, Binding]:
        cached = self._bindings.get(id(scope))
        if cached is None:
            cached = collect(scope)
            self._bindings[id(scope)] = cached
        return cached
