"""Declarative bases, registries and MetaData objects, and which MetaData each uses.

Alembic's ``target_metadata`` is one MetaData; a model is part of the layer when
its declarative base writes into it. So every base gets a *metadata identity*
(``mid``): the key of an explicit ``MetaData()`` it was given
(``declarative_base(metadata=metadata)``, ``registry(metadata=...)``, a
``metadata = ...`` line in the base class), else ``<base key>.metadata``.
``Table(..., metadata)`` objects get the same identity from their second
argument, so classes and tables are filtered by one comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import libcst as cst

from drift_guard.extract.sqlalchemy.annotations import AnnotationReader
from drift_guard.extract.sqlalchemy.body import ClassBody
from drift_guard.extract.sqlalchemy.known import Role
from drift_guard.extract.sqlalchemy.modules import External, Module, ModuleIndex, Ref

RoleOf = Callable[[Module, cst.BaseExpression], Role | None]
_MAX_DEPTH = 12


@dataclass(frozen=True)
class BaseRoot:
    key: str  # the base (or registry) as a qualified name
    mid: str  # identity of the MetaData its tables land in
    type_map: tuple = ()  # ((annotation key, (module, type expr)), ...) from type_annotation_map
    decorator_mapped: bool = False  # @registry.mapped: a mapped class, not a base
    type_map_unread: bool = False  # a type_annotation_map was there but not literal

    @property
    def types(self) -> dict:
        return dict(self.type_map)


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


class RootReader:
    def __init__(self, index: ModuleIndex, role_of: RoleOf, annotations: AnnotationReader) -> None:
        self.index = index
        self.role_of = role_of
        self.annotations = annotations
        # ``SomeClass.metadata`` -> its base's metadata identity; set by the class model
        self.class_mid: Callable[[Ref], str | None] | None = None

    def _type_map(self, module: Module, expr: cst.BaseExpression | None) -> tuple[tuple, bool]:
        if expr is None:
            return (), False
        found = self.annotations.type_map(module, expr)
        return (tuple(found.items()), False) if found is not None else ((), True)

    def _root(
        self,
        key: str,
        module: Module,
        call: cst.Call | None,
        mid: str | None,
        tmap_expr: cst.BaseExpression | None = None,
        mapped: bool = False,
        depth: int = 0,
    ) -> BaseRoot:
        if call is not None:
            given = _keyword(call, "metadata")  # depth: `Base = declarative_base(metadata=Base.metadata)` is a cycle
            mid = mid or (self.metadata_id(given, module, depth + 1) if given is not None else None)
            tmap_expr = tmap_expr or _keyword(call, "type_annotation_map")
        tmap, unread = self._type_map(module, tmap_expr)
        return BaseRoot(key, mid or f"{key}.metadata", tmap, mapped, unread)

    def value_root(self, ref: Ref, depth: int = 0) -> BaseRoot | None:
        """``Base = declarative_base(...)`` / ``Base = registry(...).generate_base()``."""
        value = ref.value
        if not isinstance(value, cst.Call) or depth > _MAX_DEPTH:
            return None
        role = self.role_of(ref.module, value.func)
        if role is Role.DECLARATIVE_BASE:
            return self._root(ref.key, ref.module, value, None, depth=depth)
        if isinstance(value.func, cst.Attribute) and value.func.attr.value == "generate_base":
            registry = self.registry_root(ref.module, value.func.value, ref.key, depth)
            if registry is not None:
                return BaseRoot(ref.key, registry.mid, registry.type_map, False, registry.type_map_unread)
        return None

    def flask_root(self, ref: Ref, depth: int = 0) -> BaseRoot:
        """Flask-SQLAlchemy's ``db.Model``: its tables land in ``db.metadata``
        (or the ``metadata=`` given to ``SQLAlchemy(...)``)."""
        call = ref.value if isinstance(ref.value, cst.Call) else None
        return self._root(ref.key, ref.module, call, None, depth=depth)

    def registry_root(self, module: Module, expr: cst.BaseExpression, owner: str, depth: int = 0) -> BaseRoot | None:
        """A ``registry(...)`` call or a name bound to one."""
        if isinstance(expr, cst.Call) and self.role_of(module, expr.func) is Role.REGISTRY:
            return self._root(owner, module, expr, None, depth=depth)
        target = self.index.resolve(module, expr)
        if isinstance(target, Ref) and not target.attrs and isinstance(target.value, cst.Call):
            if self.role_of(target.module, target.value.func) is Role.REGISTRY:
                return self._root(target.key, target.module, target.value, None, depth=depth)
        return None

    def class_root(self, ref: Ref, body: ClassBody) -> BaseRoot:
        """``class Base(DeclarativeBase)``, with an optional ``metadata`` / type map in its body."""
        meta = body.directives.get("metadata")
        mid = None
        if meta is not None and meta.value is not None:
            is_new = isinstance(meta.value, cst.Call) and self.role_of(ref.module, meta.value.func) is Role.METADATA
            mid = f"{ref.key}.metadata" if is_new else self.metadata_id(meta.value, ref.module)
        tmap = body.directives.get("type_annotation_map")
        return self._root(ref.key, ref.module, None, mid, tmap.value if tmap is not None else None)

    def decorator_root(self, ref: Ref, decorator: cst.Decorator, body: ClassBody) -> BaseRoot | None:
        """``@as_declarative()``, ``@reg.as_declarative_base()``, ``@reg.mapped``."""
        node = decorator.decorator
        call = node if isinstance(node, cst.Call) else None
        func = call.func if call is not None else node
        if self.role_of(ref.module, func) is Role.AS_DECLARATIVE:
            tmap = body.directives.get("type_annotation_map")
            return self._root(ref.key, ref.module, call, None, tmap.value if tmap is not None else None)
        if isinstance(func, cst.Attribute):
            registry = self.registry_root(ref.module, func.value, ref.key)
            attr = func.attr.value
            if registry is not None and attr in ("mapped", "mapped_as_dataclass"):
                return BaseRoot(registry.key, registry.mid, registry.type_map, True, registry.type_map_unread)
            if registry is not None and attr == "as_declarative_base":
                return BaseRoot(ref.key, registry.mid, registry.type_map, False, registry.type_map_unread)
        return None

    def metadata_id(self, expr: cst.BaseExpression, module: Module, depth: int = 0) -> str | None:
        """Identity of the MetaData an expression evaluates to (``metadata``,
        ``reg.metadata``, ``Base.metadata``, an alias ``metadata = Base.metadata``)."""
        if depth > _MAX_DEPTH:
            return None
        target = self.index.resolve(module, expr)
        if isinstance(target, External):
            return target.qualname
        if target is None:
            return None
        if target.attrs == ("metadata",):
            return self._owner_mid(target, depth)
        if target.attrs == ("Model", "metadata") and self.index.is_flask_db(target.module, target.name):
            return self.flask_root(Ref(target.module, target.name), depth + 1).mid  # Flask-SQLAlchemy db.Model.metadata
        if target.attrs or target.value is None:
            return None
        value = target.value
        if isinstance(value, cst.Call) and self.role_of(target.module, value.func) is Role.METADATA:
            return target.key
        return self.metadata_id(value, target.module, depth + 1)  # metadata = Base.metadata

    def _owner_mid(self, target: Ref, depth: int) -> str | None:
        owner = Ref(target.module, target.name)
        if owner.is_class:  # only the class model knows which base a class sits on
            return self.class_mid(owner) if self.class_mid is not None else None
        if self.index.is_flask_db(owner.module, owner.name):  # Flask-SQLAlchemy's db.metadata
            return self.flask_root(owner, depth + 1).mid
        root = self.value_root(owner, depth + 1) or self.registry_root(
            owner.module, cst.Name(owner.name), owner.key, depth + 1
        )
        return root.mid if root is not None else None
