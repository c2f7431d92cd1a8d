"""The given model files as a small module graph, resolved without importing.

Mixins, bases and TypeDecorators often live in a sibling module
(``from app.db.base import Base``). Each file gets its dotted module name(s)
from the import roots, and a name used in one module is followed through its
imports (and re-exports in ``__init__.py``) to the module-level definition in
another given file. Whatever leads outside the given files stays an
:class:`External` qualified name; nothing is ever imported or executed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, Union

import libcst as cst

from drift_guard.extract.names import ImportMap, dotted_parts
from drift_guard.extract.sqlalchemy.flask import is_flask_sqlalchemy, reexported
from drift_guard.extract.sqlalchemy.literals import literal
from drift_guard.parsing import SourceFile
from drift_guard.schema import UNKNOWN

_MAX_DEPTH = 25  # import chains longer than this are cycles
# A module-level statement as collected: a one-line ``if x: y = 1`` suite holds small statements.
Statement = Union[cst.BaseStatement, cst.BaseSmallStatement]


@dataclass(eq=False)
class Module:
    """One parsed file: its names, imports and module-level definitions."""

    names: tuple[str, ...]  # dotted names it is importable as (first is primary)
    source: SourceFile = field(repr=False)
    imports: ImportMap = field(repr=False)
    classes: dict[str, cst.ClassDef] = field(default_factory=dict, repr=False)
    values: dict[str, cst.BaseExpression] = field(default_factory=dict, repr=False)
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict, repr=False)
    statements: list[Statement] = field(default_factory=list, repr=False)

    @property
    def name(self) -> str:
        return self.names[0]

    def code(self, node: cst.CSTNode) -> str:
        """Source text of ``node``, sliced from the file by its position.

        Same text as ``SourceFile.code`` (libcst codegen) but without generating
        code per call: positions are computed once per file anyway, for locations."""
        span = self.source.positions.offsets(node)
        if span is None:
            return self.source.code(node)
        return self.source.text[span[0] : span[1]].strip()

    def defines(self, local: str) -> bool:
        return local in self.classes or local in self.values or local in self.functions


@dataclass(frozen=True)
class Ref:
    """A module-level definition in one of the given files, plus trailing attributes."""

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
class External:
    """A name that leads outside the given files (``sqlalchemy.String``, ``int``)."""

    qualname: str


Resolved = Union[Ref, External]


def module_names(path: Path, roots: Sequence[Path]) -> tuple[str, ...]:
    """Dotted names of ``path`` under each import root; package ``__init__`` is the package."""
    names: list[str] = []
    resolved = path.resolve()
    for root in roots:
        try:
            rel = resolved.relative_to(Path(root).resolve())
        except ValueError:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        if parts and all(p.isidentifier() for p in parts):
            names.append(".".join(parts))
    if not names:
        names.append(_package_name(resolved))
    return tuple(dict.fromkeys(names))


def _package_name(path: Path) -> str:
    """Without a matching root: walk up while the folder is a package."""
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.name.isidentifier():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts) or path.stem


def build_module(source: SourceFile, names: tuple[str, ...], is_package: bool) -> Module:
    package = names[0] if is_package else names[0].rpartition(".")[0]
    module = Module(names, source, ImportMap())
    imports: list[cst.SimpleStatementLine] = []
    _collect(module, source.module.body, imports)
    # ImportMap over the import lines only: visiting a multi-megabyte module just
    # to find a handful of module-level imports would dominate the extraction.
    module.imports = ImportMap.from_module(cst.Module(body=imports), package or None)
    return module


def _collect(module: Module, body: Sequence[Statement], imports: list[cst.SimpleStatementLine]) -> None:
    """Module-level classes, ``NAME = value`` bindings and import lines (also inside
    ``if TYPE_CHECKING:`` / ``try: ... except ImportError:`` blocks)."""
    for stmt in body:
        module.statements.append(stmt)
        if isinstance(stmt, cst.ClassDef):
            module.classes[stmt.name.value] = stmt
            module.values.pop(stmt.name.value, None)
        elif isinstance(stmt, cst.FunctionDef):
            module.functions[stmt.name.value] = stmt
        elif isinstance(stmt, cst.SimpleStatementLine):
            if any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body):
                imports.append(stmt)
            for small in stmt.body:
                _bind(module, small)
        elif isinstance(stmt, cst.If):
            _collect(module, stmt.body.body, imports)
            if isinstance(stmt.orelse, cst.Else):
                _collect(module, stmt.orelse.body.body, imports)
        elif isinstance(stmt, cst.Try):
            _collect(module, stmt.body.body, imports)
            for handler in stmt.handlers:
                _collect(module, handler.body.body, imports)


def _bind(module: Module, small: cst.BaseSmallStatement) -> None:
    if isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Name):
                module.values[target.target.value] = small.value
                module.classes.pop(target.target.value, None)
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        if isinstance(small.target, cst.Name):
            module.values[small.target.value] = small.value


class ModuleIndex:
    """Resolve names across the given modules, following imports, with caching."""

    def __init__(self, modules: Sequence[Module]) -> None:
        self.modules = list(modules)
        self.by_name: dict[str, Module] = {}
        for module in modules:
            for name in module.names:
                self.by_name.setdefault(name, module)
        self._cache: dict[tuple[int, tuple[str, ...]], Resolved | None] = {}
        self._active: set[tuple[int, tuple[str, ...]]] = set()  # being resolved: meeting one again is a cycle
        self._constants: dict[tuple[int, str], object] = {}

    def resolve(self, module: Module, node: cst.BaseExpression) -> Resolved | None:
        """What a ``Name``/``Attribute`` chain refers to; None for other expressions."""
        parts = dotted_parts(node)
        return None if parts is None else self.resolve_parts(module, tuple(parts))

    def resolve_parts(self, module: Module, parts: tuple[str, ...], depth: int = 0) -> Resolved | None:
        """None when resolving the name needs the name itself (``url = url.replace(...)``:
        is ``url`` a Flask-SQLAlchemy object? That depends on what ``url.replace`` is)."""
        key = (id(module), parts)
        if key in self._cache:
            return self._cache[key]
        if key in self._active:
            return None
        self._active.add(key)
        try:
            found = self._resolve_parts(module, parts, depth)
        finally:
            self._active.discard(key)
        self._cache[key] = found
        return found

    def _resolve_parts(self, module: Module, parts: tuple[str, ...], depth: int) -> Resolved | None:
        head, rest = parts[0], parts[1:]
        if depth > _MAX_DEPTH:
            return External(".".join(parts))
        if module.defines(head):
            alias = dotted_parts(module.values[head]) if head in module.values else None
            if alias is not None and alias[0] != head:  # Base = b.Base: follow the alias
                return self.resolve_parts(module, (*alias, *rest), depth + 1)
            if rest and self.is_flask_db(module, head):  # db.Column -> sqlalchemy.Column
                name = reexported(rest[0])
                if name is not None:
                    return External(".".join([name, *rest[1:]]))
            return Ref(module, head, rest)
        qualified = module.imports.names.get(head)
        if qualified is not None:
            return self.resolve_qualname(".".join([qualified, *rest]), depth + 1)
        for star in module.imports.star_modules:
            target = self.by_name.get(star)
            if target is not None and (target.defines(head) or head in target.imports.names):
                return self.resolve_parts(target, parts, depth + 1)
        return External(".".join(parts))

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

    def resolve_qualname(self, qualname: str, depth: int = 0) -> Resolved | None:
        """``app.db.base.Base`` -> the definition in the given file, else External."""
        parts = qualname.split(".")
        for split in range(len(parts), 0, -1):
            module = self.by_name.get(".".join(parts[:split]))
            if module is not None:
                rest = tuple(parts[split:])
                return self.resolve_parts(module, rest, depth + 1) if rest else External(qualname)
        return External(qualname)

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
