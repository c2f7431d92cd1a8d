"""One import, whichever parser read it: the data every name lookup starts from.

libcst (the schema extractors) and the stdlib ``ast`` (the runtime summaries)
both read import statements; each reader turns a statement into :class:`Import`
records here, so the rules that give a local name its meaning are written once:
relative imports resolved against the importing module's package, ``import a.b``
binding only ``a``, a later import of a name replacing an earlier one.

:class:`ImportMap` is the flat table built from them (local name -> qualified
name, plus star-imported modules). It is deliberately flat, with imports nested
in functions or ``if TYPE_CHECKING:`` blocks merged in: libcst's ScopeProvider
would be exact for shadowing but costs an order of magnitude more on large
files, and schema modules do not shadow their SQLAlchemy imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

STAR = "*"


@dataclass(frozen=True)
class Import:
    """One name an import statement binds (or, for ``*``, the module it empties in).

    ``import a.b`` -> local ``a``, module ``a.b``, name None, not aliased;
    ``import a.b as c`` -> local ``c``, aliased; ``from ..x import y as z`` (in
    package ``p.q``) -> local ``z``, module ``p.x`` (``written`` ``x``, level 2),
    name ``y``; ``from x import *`` -> local "", name ``*``."""

    local: str
    module: str  # relative imports resolved against the package (as written when it is unknown)
    name: str | None  # None: ``import module``; STAR: ``from module import *``
    level: int = 0  # leading dots as written
    written: str = ""  # the module as written, without the dots
    aliased: bool = False

    @property
    def target(self) -> str:
        """The qualified name ``local`` stands for."""
        if self.name is None:
            return self.module if self.aliased else self.module.split(".")[0]
        return f"{self.module}.{self.name}" if self.module else self.name


def resolve_relative(package: str | None, level: int, module: str | None) -> str:
    """Resolve ``from ..x import y`` (level 2, module "x") against ``package``."""
    if level == 0:
        return module or ""
    base = package.split(".") if package else []
    if level - 1:
        base = base[: len(base) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(p for p in base if p)


def plain_import(full: str, asname: str | None) -> Import:
    """``import full`` / ``import full as asname``."""
    if asname is not None:
        return Import(asname, full, None, written=full, aliased=True)
    return Import(full.split(".")[0], full, None, written=full)


def from_import(package: str | None, level: int, written: str, name: str, asname: str | None) -> Import:
    """``from <dots><written> import name [as asname]`` (name ``*`` for a star import)."""
    module = resolve_relative(package, level, written)
    if name == STAR:
        return Import("", module, STAR, level, written)
    return Import(asname or name, module, name, level, written, asname is not None)


@dataclass
class ImportMap:
    """Local name -> qualified dotted name, and the modules star-imported."""

    names: dict[str, str] = field(default_factory=dict)
    star_modules: list[str] = field(default_factory=list)  # from X import *

    @classmethod
    def of(cls, imports: Iterable[Import]) -> ImportMap:
        """Imports in source order: a later binding of a name wins, except that
        ``import a.b`` does not rebind an ``a`` already bound."""
        table = cls()
        for imp in imports:
            if imp.name == STAR:
                table.star_modules.append(imp.module)
            elif imp.name is None and not imp.aliased:
                table.names.setdefault(imp.local, imp.target)
            else:
                table.names[imp.local] = imp.target
        return table


def qualify_parts(names: Mapping[str, str], parts: Sequence[str] | None) -> str | None:
    """Qualified name of a dotted chain's parts; a local name with no import
    stays as it is (``Column`` stays ``Column``), so callers can still recognise
    names defined in the same module."""
    if not parts:
        return None
    head = parts[0]
    base = names.get(head, head)
    return ".".join([base, *parts[1:]]) if len(parts) > 1 else base
