"""Follow a dotted name across modules to the statement that defines it.

``from app.db.base import Base`` in one file, ``Base = declarative_base()`` in
another: both discovery (is this class on env.py's ``target_metadata``?) and the
SQLAlchemy extractor (which columns does this mixin add?) must get from the first
to the second without importing anything. :class:`Resolver` does that walk once
for both: local definitions, plain aliases (``Base = base.Base``), imports,
package submodules and star imports, with import cycles and self-references
(``url = url.replace(...)``) ending the chase instead of looping. Where the
modules come from (files found under the import roots, or only the files given)
is the subclass's business, as is what a result means to its layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import libcst as cst

from drift_guard.extract.names.cst_reader import dotted_parts
from drift_guard.extract.names.modules import Module

_MAX_DEPTH = 25  # import chains longer than this are cycles


@dataclass(frozen=True)
class Found:
    """A module-level definition in a read module, plus trailing attributes
    (``Base.metadata``); name "" is the module itself."""

    module: Module
    name: str
    attrs: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.module.name}.{self.name}"

    @property
    def is_class(self) -> bool:
        return self.name in self.module.classes

    @property
    def value(self) -> cst.BaseExpression | None:
        return self.module.values.get(self.name)

    @property
    def function(self) -> cst.FunctionDef | None:
        return None if self.attrs else self.module.functions.get(self.name)


@dataclass(frozen=True)
class Outside:
    """A name that leads out of the modules read (``sqlalchemy.String``, ``int``).

    ``alias``: the innermost module-level alias the chase went through on its way
    out (``Base = vendor.Base``), for a caller to whom that alias is the answer."""

    qualname: str
    alias: Found | None = field(default=None, compare=False)


Resolution = Union[Found, Outside]


class _NotBound:
    """``parts[0]`` is not bound in the module looked in (unlike None: a cycle)."""


_NOT_BOUND = _NotBound()


class Resolver:
    """Resolves names across modules; ``module(dotted)`` says which modules exist."""

    cache = True  # off where a caller observes each walk (see ``visit``)

    def __init__(self) -> None:
        self._cache: dict[tuple[int, tuple[str, ...]], Resolution | None] = {}
        self._active: set[tuple[int, tuple[str, ...]]] = set()  # being resolved: meeting one again is a cycle

    def module(self, dotted: str) -> Module | None:
        raise NotImplementedError

    def visit(self, module: Module) -> None:
        """Called for every module a name is looked up in."""

    def whole_module(self, module: Module, qualname: str) -> Resolution | None:
        """What a qualified name that is a module itself resolves to."""
        return Found(module, "")

    def local(self, module: Module, head: str, rest: tuple[str, ...]) -> Resolution | None:
        """What a name ``module`` defines itself resolves to (with attributes ``rest``)."""
        return Found(module, head, rest)

    def resolve(self, module: Module, node: cst.BaseExpression) -> Resolution | None:
        """What a ``Name``/``Attribute`` chain in ``module`` refers to; None for other expressions."""
        parts = dotted_parts(node)
        return None if parts is None else self.resolve_parts(module, tuple(parts))

    def resolve_parts(self, module: Module, parts: tuple[str, ...], depth: int = 0) -> Resolution | None:
        """None when resolving the name needs the name itself (``url = url.replace(...)``:
        what ``url`` is depends on what ``url.replace`` is), or through an import cycle."""
        key = (id(module), parts)
        if key in self._cache:
            return self._cache[key]
        if key in self._active:
            return None
        self._active.add(key)
        try:
            found = self._bound(module, parts, depth)
        finally:
            self._active.discard(key)
        if isinstance(found, _NotBound):
            found = Outside(".".join(parts))
        if self.cache:
            self._cache[key] = found
        return found

    def resolve_qualname(self, qualname: str, depth: int = 0) -> Resolution | None:
        """``app.db.base.Base`` -> its definition in module ``app.db.base``, else Outside."""
        parts = qualname.split(".")
        for split in range(len(parts), 0, -1):
            module = self.module(".".join(parts[:split]))
            if module is not None:
                rest = tuple(parts[split:])
                return self.resolve_parts(module, rest, depth + 1) if rest else self.whole_module(module, qualname)
        return Outside(qualname)

    def _bound(self, module: Module, parts: tuple[str, ...], depth: int) -> Resolution | None | _NotBound:
        head, rest = parts[0], parts[1:]
        if depth > _MAX_DEPTH:
            return Outside(".".join(parts))
        self.visit(module)
        if module.defines(head):
            alias = dotted_parts(module.values[head]) if head in module.values else None
            if alias is not None and alias[0] != head:  # Base = b.Base: follow the alias
                found = self.resolve_parts(module, (*alias, *rest), depth + 1)
                if isinstance(found, Outside) and found.alias is None:
                    found = Outside(found.qualname, Found(module, head, rest))
                return found
            return self.local(module, head, rest)
        qualified = module.imports.names.get(head)
        if qualified is not None:
            return self.resolve_qualname(".".join([qualified, *rest]), depth + 1)
        if module.is_package and self.module(f"{module.name}.{head}") is not None:
            return self.resolve_qualname(".".join([module.name, *parts]), depth + 1)
        for star in module.imports.star_modules:
            target = self.module(star)
            hit = self._bound(target, parts, depth + 1) if target is not None else _NOT_BOUND
            if not isinstance(hit, _NotBound):
                return hit
        return _NOT_BOUND
