"""Which files hold the SQLAlchemy layer: declarative classes and ``Table(...)``.

A class is a model when its bases chain (through imports, re-exports and other
classes, including abstract bases in other files) to a target base: one of
env.py's ``target_metadata`` definitions, or, in fallback mode (``targets is
None``), anything that looks like a declarative base. The files of every class
on such a chain (bases, mixins) are included, so the extractor sees inherited
columns. Being generous is cheap (the extractor filters classes by base again);
missing a file is not, so a class with ``__tablename__`` whose bases cannot be
resolved is kept too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import libcst as cst

from drift_guard.discovery.modules import Definition, Module, ModuleIndex
from drift_guard.extract.names.cst_reader import dotted_name

_BASE_FACTORIES = {
    "sqlalchemy.orm.declarative_base",
    "sqlalchemy.ext.declarative.declarative_base",
    "sqlalchemy.orm.decl_api.declarative_base",
    "sqlalchemy.MetaData",
    "sqlalchemy.schema.MetaData",
    "sqlalchemy.sql.schema.MetaData",
    "sqlalchemy.orm.registry",
    "sqlalchemy.orm.decl_api.registry",
    "flask_sqlalchemy.SQLAlchemy",
}
_BASE_CLASSES = {
    "sqlalchemy.orm.DeclarativeBase",
    "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBase",
    "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta",
}
_TABLE = {"sqlalchemy.Table", "sqlalchemy.schema.Table", "sqlalchemy.sql.schema.Table"}
_FLASK = {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"}

NOT_MODEL = False  # the chain ends at a different base (or a plain class)


class ModelFinder:
    def __init__(self, index: ModuleIndex, targets: Iterable[Definition] | None) -> None:
        self.index = index
        self.fallback = targets is None
        self.targets = {d.key: d for d in targets or ()}
        self._memo: dict[tuple[Path, str], object] = {}

    def files(self, candidates: Iterable[Path]) -> set[Path]:
        found: set[Path] = {d.path for d in self.targets.values()}
        for path in candidates:
            module = self.index.load(path)
            if module is None:
                continue
            for name, node in module.classes.items():
                chain = self.chain(Definition(f"{module.name}.{name}", path, name, "class", module))
                if isinstance(chain, frozenset):
                    found |= chain
                elif (chain is None and _has_table_name(node)) or self._mapped_by_decorator(module, node):
                    found.add(path)
            found |= self._table_files(module)
        return found

    def chain(self, d: Definition) -> object:
        """Files from ``d`` up to a target base (frozenset), None, or NOT_MODEL."""
        if d.key in self._memo:
            return self._memo[d.key]
        target = self._target_files(d)
        if target is not None:
            self._memo[d.key] = target
            return target
        if d.kind != "class":
            return NOT_MODEL
        self._memo[d.key] = None  # cycle guard
        node = d.module.classes[d.name]
        pairs = [self._base_chain(d.module, arg.value) for arg in node.bases if arg.keyword is None]
        model = [chain for chain, _, _ in pairs if isinstance(chain, frozenset)]
        if model:
            files = frozenset({d.path}).union(*model)
            for _, base, hops in pairs:  # mixins too: their columns are inherited
                files |= hops | (self._class_files(base, set()) if base is not None else frozenset())
            outcome: object = files
        elif any(chain is None for chain, _, _ in pairs):
            outcome = None
        else:
            outcome = NOT_MODEL
        self._memo[d.key] = outcome
        return outcome

    def _base_chain(
        self, module: Module, expr: cst.BaseExpression
    ) -> tuple[object, Definition | None, frozenset[Path]]:
        """(chain of the base, its definition, files passed through); chain None when unresolved."""
        base, hops = self.index.resolve_traced(module, expr)
        if base is None:
            plain = dotted_name(expr) in ("object", "typing.Generic", "Generic")
            return (NOT_MODEL if plain else None), None, hops
        return self.chain(base), base, hops

    def _class_files(self, d: Definition, seen: set[tuple[Path, str]]) -> frozenset[Path]:
        """``d``'s file and those of all its base classes found in the service."""
        if d.kind != "class" or d.key in seen:
            return frozenset()
        seen.add(d.key)
        files = {d.path}
        for arg in d.module.classes[d.name].bases:
            if arg.keyword is None:
                base, hops = self.index.resolve_traced(d.module, arg.value)
                files |= hops | (self._class_files(base, seen) if base is not None else frozenset())
        return frozenset(files)

    def _target_files(self, d: Definition) -> frozenset[Path] | None:
        """Files that make ``d`` a target (its own, plus hops to the shared
        MetaData or registry it is built on), or None when it is not one."""
        if d.key in self.targets or (self.fallback and _looks_like_base(self.index, d)):
            return frozenset({d.path})
        owner = None if self.fallback else _declared_metadata(d)
        if owner is None:
            return None
        resolved, hops = self.index.resolve_traced(d.module, owner)
        if resolved is not None and resolved.key in self.targets:
            return hops | {d.path, resolved.path}
        return None

    def _mapped_by_decorator(self, module: Module, node: cst.ClassDef) -> bool:
        """``@mapper_registry.mapped`` (or ``mapped_as_dataclass``) on a target registry."""
        for decorator in node.decorators:
            expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            if isinstance(expr, cst.Attribute) and expr.attr.value in ("mapped", "mapped_as_dataclass"):
                if self.fallback:
                    return True
                registry, _ = self.index.resolve_traced(module, expr.value)
                if registry is not None and self._target_files(registry) is not None:
                    return True
        return False

    def _table_files(self, module: Module) -> frozenset[Path]:
        """Files for module-level ``Table(name, <target metadata>, ...)`` calls, and
        Flask-SQLAlchemy ``db.Table(name, ...)`` ones on ``db.metadata`` (empty: none)."""
        found: set[Path] = set()
        for call in _module_calls(module.source.module):
            if _reflects(call):
                continue  # Table("x", meta, autoload_with=engine) reads a table, it defines none
            if self.index.qualify(module, call.func) in _TABLE:
                args = [a.value for a in call.args if a.keyword is None][1:2] or [
                    a.value for a in call.args if a.keyword and a.keyword.value == "metadata"
                ]
            elif (db := self._flask_table_db(module, call)) is not None:
                second = [a.value for a in call.args if a.keyword is None][1:2]
                # db.Table(name, Column(...), ...): the db's own metadata, the one db.Model uses
                args = second if second and not isinstance(second[0], cst.Call) else [db]
                if any(a.keyword and a.keyword.value == "bind_key" for a in call.args):
                    args = []  # another bind's MetaData: never Alembic's target
            else:
                continue
            target, hops = self.index.resolve_traced(module, args[0]) if args else (None, frozenset())
            extra = self._target_files(target) if target is not None else None
            if self.fallback or target is None or extra is not None:
                found |= {module.path} | hops | (extra or frozenset())
        return frozenset(found)

    def _flask_table_db(self, module: Module, call: cst.Call) -> cst.BaseExpression | None:
        """The ``db`` of ``db.Table(...)`` on a Flask-SQLAlchemy ``db = SQLAlchemy(...)``,
        here or imported; None for any other call."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "Table"):
            return None
        owner = self.index.resolve_in(module, func.value)
        if owner is None or owner.kind != "value":
            return None
        value = owner.module.values.get(owner.name)
        if isinstance(value, cst.Call) and self.index.qualify(owner.module, value.func) in _FLASK:
            return func.value
        return None


def _looks_like_base(index: ModuleIndex, d: Definition) -> bool:
    if d.kind == "value":
        value = d.module.values.get(d.name)
        if isinstance(value, cst.Call):
            func = index.qualify(d.module, value.func) or ""
            return func in _BASE_FACTORIES or func.endswith(".generate_base")
        return False
    if d.kind == "class":
        node = d.module.classes[d.name]
        for arg in node.bases:
            name = index.qualify(d.module, arg.value) or ""
            if name in _BASE_CLASSES or (
                arg.keyword and arg.keyword.value == "metaclass" and "DeclarativeMeta" in name
            ):
                return True
    return False


def _declared_metadata(d: Definition) -> cst.BaseExpression | None:
    """What ``d``'s tables land in: ``declarative_base(metadata=X)``, a class
    body's ``metadata = X`` or ``registry = X``, ``X.generate_base()``."""
    if d.kind == "value":
        value = d.module.values.get(d.name)
        if isinstance(value, cst.Call):
            if isinstance(value.func, cst.Attribute) and value.func.attr.value == "generate_base":
                return value.func.value
            return next(
                (a.value for a in value.args if a.keyword and a.keyword.value in ("metadata", "registry")), None
            )
        return None
    if d.kind == "class":
        for stmt in d.module.classes[d.name].body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)) and _targets(small) in (
                        ["metadata"],
                        ["registry"],
                    ):
                        return small.value
    return None


def _targets(small: cst.Assign | cst.AnnAssign) -> list[str]:
    nodes = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
    return [n.value for n in nodes if isinstance(n, cst.Name)]


def _has_table_name(node: cst.ClassDef) -> bool:
    for stmt in node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Assign, cst.AnnAssign)) and set(_targets(small)) & {
                    "__tablename__",
                    "__table__",
                }:
                    return True
    return False


def _reflects(call: cst.Call) -> bool:
    from drift_guard.extract.sqlalchemy.tables import reflects

    return reflects({a.keyword.value: a.value for a in call.args if a.keyword is not None})


def _module_calls(tree: cst.Module) -> Iterable[cst.Call]:
    """Calls that are a module-level statement's value (``t = Table(...)``)."""
    for stmt in tree.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                value = getattr(small, "value", None)
                if isinstance(value, cst.Call):
                    yield value
