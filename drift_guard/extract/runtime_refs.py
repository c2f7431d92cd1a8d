"""``db.<table>`` / ``db.<table>.<field>`` references on DAL objects (DG402).

Which names hold a DAL is worked out statically, across the service's runtime
modules, in two passes:

1. per module: names bound to ``DAL(...)`` (in any scope, e.g. a cached
   ``global _db``), functions that return one (``def get_db(): return _db``),
   names bound to calls of other functions, and parameters annotated ``DAL``;
2. across modules: a name is a DAL if it is bound to ``DAL(...)``, to a call of
   a DAL factory (local or imported), or imported from a module where it is one.

Only then are attribute chains on those names recorded; ``db.session`` on a
Flask-SQLAlchemy object never becomes a table reference.

Names that are attributes of a table without being columns are not fields to
check: ``Field.Virtual("name", ...)`` / ``Field.Method("name", ...)`` anywhere
in the runtime modules, and names assigned on a table
(``db.users.nick = Field.Virtual(...)``, PyDAL's other way to add one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import libcst as cst

from drift_guard.extract.names import ImportMap, dotted_parts
from drift_guard.extract.runtime import is_dal_name
from drift_guard.extract.runtime_layers import module_name, package_of
from drift_guard.parsing import SourceFile
from drift_guard.schema import Location


@dataclass(frozen=True)
class TableRef:
    location: Location
    table: str
    field: str | None
    spelled: str


@dataclass
class ModuleDals:
    """Pass-1 facts about one module (qualified names use the module's dotted name)."""

    source: SourceFile
    module: str | None
    imports: ImportMap
    dal_names: set[str] = field(default_factory=set)  # bound to DAL(...) here
    factories: set[str] = field(default_factory=set)  # functions returning a DAL
    bound_calls: dict[str, set[str]] = field(default_factory=dict)  # name -> qualified callees
    chains: list[tuple[cst.Attribute, list[str]]] = field(default_factory=list)
    extra_attributes: set[str] = field(default_factory=set)  # virtual/method fields, assigned names

    def qualify_local(self, name: str) -> str:
        """Qualified name of a top-level name of this module (imports resolved)."""
        if self.imports.is_imported(name):
            return self.imports.names[name]
        return f"{self.module}.{name}" if self.module else name


class _Collector(cst.CSTVisitor):
    def __init__(self, facts: ModuleDals) -> None:
        self.facts = facts
        self.returns: dict[str, list[cst.BaseExpression]] = {}
        self.functions: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node.name.value)
        for param in [*node.params.params, *node.params.kwonly_params, *node.params.posonly_params]:
            if param.annotation is not None and is_dal_name(self.facts.imports.qualify(param.annotation.annotation)):
                self.facts.dal_names.add(param.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_Return(self, node: cst.Return) -> None:
        if self.functions and node.value is not None:
            self.returns.setdefault(self.functions[0], []).append(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._bind(target.target.value, node.value)
            elif len(dotted_parts(target.target) or ()) >= 3:  # db.users.nick = ..., not self.x = ...
                self.facts.extra_attributes.add(target.target.attr.value)  # type: ignore[union-attr]

    def visit_Call(self, node: cst.Call) -> None:
        """``Field.Virtual("name", ...)`` / ``Field.Method("name", ...)``."""
        parts = dotted_parts(node.func)
        if parts and len(parts) >= 2 and parts[-1] in ("Virtual", "Method") and parts[-2] == "Field" and node.args:
            first = node.args[0].value
            if isinstance(first, (cst.SimpleString, cst.ConcatenatedString)):
                name = first.evaluated_value
                if isinstance(name, str):
                    self.facts.extra_attributes.add(name)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self._bind(node.target.value, node.value)

    def _bind(self, name: str, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.Call):
            callee = self.facts.imports.qualify(value.func)
            if is_dal_name(callee):
                self.facts.dal_names.add(name)
            elif callee is not None:
                written = dotted_parts(value.func) or [""]
                if not self.facts.imports.is_imported(written[0]):  # a name of this module
                    callee = ".".join([self.facts.qualify_local(written[0]), *written[1:]])
                self.facts.bound_calls.setdefault(name, set()).add(callee)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        parts = dotted_parts(node)
        if parts is not None and len(parts) >= 2:
            self.facts.chains.append((node, parts))
            return False  # the outermost chain covers the inner ones
        return True


def collect(source: SourceFile, path: Path, roots: Sequence[Path]) -> ModuleDals:
    facts = ModuleDals(source, module_name(path, roots), ImportMap.from_module(source.module, package_of(path, roots)))
    collector = _Collector(facts)
    source.module.visit(collector)
    for _ in range(3):  # factories returning other factories' results
        for func, values in collector.returns.items():
            if any(_returns_dal(value, facts) for value in values):
                facts.factories.add(func)
    return facts


def _returns_dal(value: cst.BaseExpression, facts: ModuleDals) -> bool:
    if isinstance(value, cst.Name):
        return value.value in facts.dal_names
    if isinstance(value, cst.Call):
        callee = facts.imports.qualify(value.func)
        return is_dal_name(callee) or (isinstance(value.func, cst.Name) and value.func.value in facts.factories)
    return False


def table_refs(modules: Sequence[ModuleDals]) -> list[TableRef]:
    """Pass 2: every ``<dal>.<table>[.<field>]`` chain in every module."""
    dal_vars = {_q(m, n) for m in modules for n in m.dal_names}
    factories = {_q(m, f) for m in modules for f in m.factories}
    extra = {name for m in modules for name in m.extra_attributes}
    refs = []
    for facts in modules:
        local = set(facts.dal_names)
        local.update(n for n, callees in facts.bound_calls.items() if callees & factories)
        local.update(n for n, q in facts.imports.names.items() if q in dal_vars)
        for node, parts in facts.chains:
            start = _dal_prefix(parts, local, facts, dal_vars)
            if start is None or len(parts) <= start:
                continue
            table = parts[start]
            field_name = parts[start + 1] if len(parts) > start + 1 else None
            if field_name in extra:
                field_name = None  # a virtual/method field or an assigned attribute, not a column
            shown = ".".join(parts[: start + (2 if field_name else 1)])
            refs.append(TableRef(facts.source.location(node), table, field_name, shown))
    return refs


def _q(facts: ModuleDals, name: str) -> str:
    return f"{facts.module}.{name}" if facts.module else name


def _dal_prefix(parts: list[str], local: set[str], facts: ModuleDals, dal_vars: set[str]) -> int | None:
    """How many leading parts of the chain name the DAL object, or None."""
    if parts[0] in local:
        return 1
    qualified = facts.imports.qualify(cst.Name(parts[0])) or parts[0]
    for length in range(2, len(parts)):  # module.db.table
        if ".".join([qualified, *parts[1:length]]) in dal_vars:
            return length
    return None
