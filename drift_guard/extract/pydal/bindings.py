"""What names a module or function body binds, for the PyDAL resolver.

A name counts as a definition only when the scope binds it exactly once and
never mutates it, or changes it only in plain steps (``+=``, ``.append(...)``,
``.extend(...)``, see :mod:`drift_guard.extract.pydal.steps`); anything else
(rebinding, mutation in a block, loop variables, unpacking, parameters) is
:class:`Ambiguous`, with the reason the extractor quotes in its DG002 note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import libcst as cst

from drift_guard.extract.names.cst_reader import read_import
from drift_guard.extract.names.imports import STAR, Import
from drift_guard.extract.pydal.steps import fold_steps

_MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "clear", "__setitem__"})


@dataclass(frozen=True)
class Ambiguous:
    """A name the scope binds in a way that cannot be read statically."""

    reason: str


Binding = Union[cst.BaseExpression, cst.FunctionDef, Import, Ambiguous]


def collect(scope: cst.Module | cst.FunctionDef) -> dict[str, Binding]:
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
    counts = {name: mutations.counts.get(name, 0) + collector.augmented.get(name, 0) for name in collector.names}
    folded = fold_steps(body, collector.names, counts)
    for name, how in mutations.found.items():
        if name in collector.names and name not in folded:
            collector.names[name] = Ambiguous(f"is modified after its definition (`{how}`)")
    for name in collector.augmented:
        if name not in folded:
            collector.names[name] = Ambiguous("is modified after its definition (augmented assignment)")
    for name, value in folded.items():
        collector.names[name] = value if isinstance(value, cst.BaseExpression) else Ambiguous(value)
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
        self.augmented: dict[str, int] = {}  # augmented assignments per name, at any depth

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
            self.augmented[small.target.value] = self.augmented.get(small.target.value, 0) + 1
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            for imp in read_import(small):
                # ``import a.b`` binds the package ``a``, which is not followed (nor is ``*``)
                if imp.name != STAR and (imp.name is not None or imp.aliased):
                    self.add(imp.local, imp)


def _blocks(stmt: cst.BaseCompoundStatement) -> list[cst.IndentedBlock]:
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
        self.counts: dict[str, int] = {}

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in _MUTATORS:
            name = func.value.value
            self.found.setdefault(name, f"{name}.{func.attr.value}(...)")
            self.counts[name] = self.counts.get(name, 0) + 1

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self.found.setdefault(target.value.value, f"{target.value.value}[...] = ...")
            self.counts[target.value.value] = self.counts.get(target.value.value, 0) + 1
