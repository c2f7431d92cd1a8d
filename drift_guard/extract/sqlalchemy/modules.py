"""The given model files as a small module graph, resolved without importing.

Mixins, bases and TypeDecorators often live in a sibling module
(``from app.db.base import Base``). Names are followed by the shared
:class:`~drift_guard.extract.names.follow.Resolver`, over the given files only:
whatever leads outside them stays an :class:`External` qualified name. What is
SQLAlchemy's own is here: Flask-SQLAlchemy's ``db.Column`` standing for
``sqlalchemy.Column``, and module-level literal constants (``NAME_LEN = 255``).
"""

from __future__ import annotations

from typing import Sequence

import libcst as cst

from drift_guard.extract.names.follow import Found as Ref
from drift_guard.extract.names.follow import Outside as External
from drift_guard.extract.names.follow import Resolution as Resolved
from drift_guard.extract.names.follow import Resolver
from drift_guard.extract.names.modules import Module, Statement, build_module, module_names
from drift_guard.extract.sqlalchemy.flask import is_flask_sqlalchemy, reexported
from drift_guard.extract.sqlalchemy.literals import literal
from drift_guard.schema import UNKNOWN

__all__ = ["External", "Module", "ModuleIndex", "Ref", "Resolved", "Statement", "build_module", "module_names"]

_MAX_DEPTH = 25  # constants defined through longer chains are unknown


class ModuleIndex(Resolver):
    """Resolve names across the given modules, following imports, with caching."""

    def __init__(self, modules: Sequence[Module]) -> None:
        super().__init__()
        self.modules = list(modules)
        self.by_name: dict[str, Module] = {}
        for module in modules:
            for name in module.names:
                self.by_name.setdefault(name, module)
        self._constants: dict[tuple[int, str], object] = {}

    def module(self, dotted: str) -> Module | None:
        return self.by_name.get(dotted)

    def whole_module(self, module: Module, qualname: str) -> Resolved | None:
        return External(qualname)  # a module is not a definition in it

    def local(self, module: Module, head: str, rest: tuple[str, ...]) -> Resolved | None:
        if rest and self.is_flask_db(module, head):  # db.Column -> sqlalchemy.Column
            name = reexported(rest[0])
            if name is not None:
                return External(".".join([name, *rest[1:]]))
        return Ref(module, head, rest)

    def is_flask_db(self, module: Module, name: str) -> bool:
        """``name = SQLAlchemy(...)`` (Flask-SQLAlchemy) at module level."""
        value = module.values.get(name)
        return value is not None and is_flask_sqlalchemy(value, lambda node: self.qualname(module, node))

    def flask_table_db(self, module: Module, func: cst.BaseExpression) -> Ref | None:
        """The Flask-SQLAlchemy ``db`` when ``func`` is its ``db.Table`` (here or imported)."""
        target = self.resolve(module, func)
        if isinstance(target, Ref) and target.attrs == ("Table",) and self.is_flask_db(target.module, target.name):
            return Ref(target.module, target.name)
        return None

    def qualname(self, module: Module, node: cst.BaseExpression) -> str | None:
        """A resolved name as one string: the definition key or the external name."""
        target = self.resolve(module, node)
        if target is None:
            return None
        if isinstance(target, External):
            return target.qualname
        return ".".join([target.key, *target.attrs])

    def constant(self, module: Module, node: cst.BaseExpression, depth: int = 0) -> object:
        """A module-level literal constant (``NAME_LEN = 255``), here or imported; else UNKNOWN."""
        target = self.resolve(module, node)
        if not isinstance(target, Ref) or target.attrs or target.value is None or depth > _MAX_DEPTH:
            return UNKNOWN
        key = (id(target.module), target.name)
        if key not in self._constants:
            # UNKNOWN while it is read: a constant defined through itself (``X = X + 1``,
            # ``X = (X, X)``) has no value, and each constant is read once (linear time)
            self._constants[key] = UNKNOWN
            self._constants[key] = literal(target.value, lambda n: self.constant(target.module, n, depth + 1))
        return self._constants[key]

    def lookup(self, module: Module):  # noqa: ANN201 - a Lookup for literal()
        return lambda node: self.constant(module, node)
