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

from dataclasses import dataclass
from pathlib import Path
from typing import Union

import libcst as cst

from drift_guard.extract.names import ImportMap, dotted_name
from drift_guard.parsing import SourceFile, parse_file
from drift_guard.paths import display_path

_MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "clear", "__setitem__"})
_MAX_DEPTH = 25


@dataclass(frozen=True)
class Ambiguous:
    """A name the scope binds in a way that cannot be read statically."""

    reason: str


@dataclass(frozen=True)
class ImportRef:
    """``from <module> import <name>`` (name None: ``import <module>``)."""

    module: str
    name: str | None
    level: int


@dataclass(frozen=True)
class ModuleRef:
    """A name bound to a whole module (``import app.fields as f``)."""

    src: SourceFile


Binding = Union[cst.BaseExpression, cst.FunctionDef, ImportRef, Ambiguous]


@dataclass(frozen=True)
class Where:
    """An expression's home: its file and its enclosing functions (innermost last)."""

    src: SourceFile
    funcs: tuple[cst.FunctionDef, ...] = ()


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
            imports = self._imports[id(src)] = ImportMap.from_module(src.module)
        qualified = imports.qualify(node)
        return qualified.rsplit(".", 1)[-1] if qualified else None

    def register(self, path: Path, src: SourceFile) -> None:
        self._files[path.resolve()] = src
        self._paths[id(src)] = path.resolve()

    def deref(self, node: cst.BaseExpression, where: Where, depth: int = 0) -> tuple[Target, Where] | Failure:
        """Follow ``Name`` / ``module.attr`` bindings to the defining expression."""
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
            return self.deref(target, home, depth + 1)
        return target, home

    def lookup(self, name: str, where: Where) -> tuple[Target, Where] | Failure:
        for index in range(len(where.funcs) - 1, -1, -1):
            local = self.bindings(where.funcs[index])
            if name in local:
                return self._bind(local, name, Where(where.src, where.funcs[: index + 1]))
        module = self.bindings(where.src.module)
        if name in module:
            return self._bind(module, name, Where(where.src))
        return Failure("is not defined in this file")

    def _bind(self, scope: dict[str, Binding], name: str, home: Where) -> tuple[Target, Where] | Failure:
        binding = scope.get(name)
        if binding is None:
            return Failure(f"is not defined in {home.src.path}")
        if isinstance(binding, Ambiguous):
            return Failure(binding.reason)
        if isinstance(binding, ImportRef):
            return self._follow_import(binding, home)
        if isinstance(binding, cst.FunctionDef):
            return binding, Where(home.src, (*home.funcs, binding))
        return binding, home

    def _follow_import(self, ref: ImportRef, home: Where) -> tuple[Target, Where] | Failure:
        if ref.name is None:
            src = self._module_file(ref.module, ref.level, home.src)
            return (ModuleRef(src), Where(src)) if isinstance(src, SourceFile) else src
        src = self._module_file(ref.module, ref.level, home.src)
        if isinstance(src, SourceFile):
            scope = self.bindings(src.module)
            if ref.name in scope:
                return self._bind(scope, ref.name, Where(src))
        sub = self._module_file(f"{ref.module}.{ref.name}" if ref.module else ref.name, ref.level, home.src)
        if isinstance(sub, SourceFile):
            return ModuleRef(sub), Where(sub)
        if isinstance(src, SourceFile):
            return Failure(f"is not defined in {src.path}")
        return src

    def _module_file(self, module: str, level: int, importer: SourceFile) -> SourceFile | Failure:
        """Find the file of ``module`` from the importing file's directories."""
        here = self._paths.get(id(importer))
        if here is None:
            return Failure(f"is imported from `{module}`, which cannot be located")
        rel = Path(*module.split(".")) if module else Path()
        if level:
            bases = [here.parents[level - 1]] if len(here.parents) >= level else []
        else:
            bases = list(here.parents)
        for base in bases:
            for candidate in (base / rel.with_suffix(".py") if module else None, base / rel / "__init__.py"):
                if candidate is not None and candidate.is_file():
                    return self._load(candidate, module)
        dots = "." * level
        return Failure(f"is imported from `{dots}{module}`, which is not a file in this source tree")

    def _load(self, path: Path, module: str) -> SourceFile | Failure:
        key = path.resolve()
        if key not in self._files:
            parsed = parse_file(path, display_path(path))
            self._files[key] = parsed if isinstance(parsed, SourceFile) else None
            if isinstance(parsed, SourceFile):
                self._paths[id(parsed)] = key
        src = self._files[key]
        return src if src is not None else Failure(f"is imported from `{module}`, which cannot be parsed")

    def bindings(self, scope: cst.Module | cst.FunctionDef) -> dict[str, Binding]:
        cached = self._bindings.get(id(scope))
        if cached is None:
            cached = _collect(scope)
            self._bindings[id(scope)] = cached
        return cached


def _collect(scope: cst.Module | cst.FunctionDef) -> dict[str, Binding]:
    """Names a module or function body binds, with mutated/rebound ones ambiguous."""
    collector = _BindingCollector()
    if isinstance(scope, cst.FunctionDef):
        for param in _params(scope.params):
            collector.add(param, Ambiguous("is a function parameter"))
        body = scope.body.body if isinstance(scope.body, cst.IndentedBlock) else ()
    else:
        body = scope.body
    for stmt in body:
        collector.statement(stmt)
    mutations = _MutationFinder()
    scope.visit(mutations) if isinstance(scope, cst.Module) else scope.body.visit(mutations)
    for name, how in mutations.found.items():
        if name in collector.names:
            collector.names[name] = Ambiguous(f"is modified after its definition (`{how}`)")
    return collector.names


def _params(params: cst.Parameters) -> list[str]:
    names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.append(star.name.value)
    return names


class _BindingCollector:
    def __init__(self) -> None:
        self.names: dict[str, Binding] = {}

    def add(self, name: str, binding: Binding) -> None:
        if name in self.names:
            binding = Ambiguous("is assigned more than once")
        self.names[name] = binding

    def statement(self, stmt: cst.BaseStatement) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small)
        elif isinstance(stmt, cst.FunctionDef):
            self.add(stmt.name.value, stmt)
        elif isinstance(stmt, cst.ClassDef):
            self.add(stmt.name.value, Ambiguous("is a class"))
        elif isinstance(stmt, (cst.For, cst.While, cst.If, cst.Try, cst.With)):
            if isinstance(stmt, cst.For):
                for name in _target_names(stmt.target):
                    self.add(name, Ambiguous("is a loop variable"))
            for block in _blocks(stmt):
                for inner in block.body:
                    self.statement(inner)

    def small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    self.add(target.target.value, small.value)
                else:
                    for name in _target_names(target.target):
                        self.add(name, Ambiguous("is assigned by unpacking"))
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            if isinstance(small.target, cst.Name):
                self.add(small.target.value, small.value)
        elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
            self.names[small.target.value] = Ambiguous("is modified after its definition (augmented assignment)")
        elif isinstance(small, cst.Import):
            for alias in small.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.add(alias.asname.name.value, ImportRef(full, None, 0))
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            module = dotted_name(small.module) or ""
            for alias in small.names:
                name = dotted_name(alias.name) or ""
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                self.add(local, ImportRef(module, name, len(small.relative)))


def _blocks(stmt: cst.BaseCompoundStatement) -> list[cst.BaseSuite]:
    blocks: list[cst.BaseSuite] = [stmt.body]
    orelse = getattr(stmt, "orelse", None)
    while orelse is not None:
        blocks.append(orelse.body)
        orelse = getattr(orelse, "orelse", None) if isinstance(orelse, cst.If) else None
    if isinstance(stmt, cst.Try):
        blocks.extend(handler.body for handler in stmt.handlers)
        if stmt.finalbody is not None:
            blocks.append(stmt.finalbody.body)
    return [b for b in blocks if isinstance(b, cst.IndentedBlock)]


def _target_names(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for el in node.elements for n in _target_names(el.value)]
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


class _MutationFinder(cst.CSTVisitor):
    """``name.append(...)`` / ``name[i] = ...`` anywhere in the scope."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in _MUTATORS:
            self.found.setdefault(func.value.value, f"{func.value.value}.{func.attr.value}(...)")

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self.found.setdefault(target.value.value, f"{target.value.value}[...] = ...")
