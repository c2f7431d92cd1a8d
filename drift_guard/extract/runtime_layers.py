"""Static scan of runtime modules for SQLAlchemy used outside the schema layer (DG401).

Records, per module: imports (to be matched against the model modules and
their ``Base``), calls that open ORM sessions or engines, SQLAlchemy statement
constructors (``select(User)``), whether anything is queried through a
session/connection (``.query(``, ``.execute(``, ``.scalars(`` ...), and
declarative bases defined on the spot. Matching against the service's model
files happens in the rule; this module only reads code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import libcst as cst

from drift_guard.credentials import mask_credentials
from drift_guard.extract.names import ImportMap, dotted_name, resolve_relative
from drift_guard.parsing import SourceFile
from drift_guard.schema import Location

SESSION_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.session.sessionmaker", "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoping.scoped_session", "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.async_sessionmaker", "sqlalchemy.ext.asyncio.async_scoped_session",
    }
)
ENGINE_FACTORIES = frozenset(
    {"sqlalchemy.create_engine", "sqlalchemy.engine.create_engine", "sqlalchemy.ext.asyncio.create_async_engine"}
)
STATEMENTS = frozenset({"select", "insert", "update", "delete"})
DECLARATIVE_BASES = frozenset(
    {"sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta", "sqlalchemy.orm.decl_api.DeclarativeBase"}
)
BASE_FACTORIES = frozenset(
    {"sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base", "sqlalchemy.orm.decl_api.declarative_base"}
)
QUERY_METHODS = frozenset({"query", "execute", "scalars", "scalar", "add", "add_all", "merge", "exec_driver_sql"})


@dataclass(frozen=True)
class ImportUse:
    """``import module`` (name None) or ``from module import name``."""

    module: str
    name: str | None
    location: Location
    spelled: str


@dataclass(frozen=True)
class SqlaUse:
    kind: str  # "session", "engine", "statement", "base"
    location: Location
    spelled: str


@dataclass(frozen=True)
class LayerModule:
    path: Path
    display: str
    imports: tuple[ImportUse, ...]
    uses: tuple[SqlaUse, ...]
    queries: bool  # something is queried/executed through a session or connection


def module_name(path: Path, roots: Iterable[Path]) -> str | None:
    """Dotted module name of ``path`` under the first import root containing it."""
    resolved = path.resolve()
    for root in roots:
        try:
            rel = resolved.relative_to(root.resolve()).with_suffix("")
        except ValueError:
            continue
        parts = list(rel.parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts) if parts else None
    return None


def package_of(path: Path, roots: Sequence[Path]) -> str | None:
    name = module_name(path, roots)
    if name is None:
        return None
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def scan_layers(source: SourceFile, path: Path, roots: Sequence[Path]) -> LayerModule:
    package = package_of(path, roots)
    visitor = _LayerScanner(source, ImportMap.from_module(source.module, package), package)
    source.module.visit(visitor)
    uses = list(visitor.uses)
    for name, (location, spelled) in visitor.base_names.items():
        count = visitor.subclass_counts.get(name, 0)
        uses.append(SqlaUse("base", location, f"{spelled} ({count} model class{'es' if count != 1 else ''})"))
    uses.sort(key=lambda u: (u.location.line, u.location.column))
    return LayerModule(path, source.path, tuple(visitor.imports), tuple(uses), visitor.queries)


class _LayerScanner(cst.CSTVisitor):
    def __init__(self, source: SourceFile, imports: ImportMap, package: str | None) -> None:
        self.source = source
        self.names = imports
        self.package = package
        self.imports: list[ImportUse] = []
        self.uses: list[SqlaUse] = []
        self.queries = False
        self.base_names: dict[str, tuple[Location, str]] = {}
        self.subclass_counts: dict[str, int] = {}

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = dotted_name(alias.name) or ""
            self.imports.append(ImportUse(module, None, self.source.location(node), f"import {module}"))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = resolve_relative(self.package, len(node.relative), dotted_name(node.module))
        where = self.source.location(node)
        if isinstance(node.names, cst.ImportStar):
            self.imports.append(ImportUse(module, "*", where, f"from {module} import *"))
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            self.imports.append(ImportUse(module, name, where, f"from {module} import {name}"))

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.names.qualify(node.func) or ""
        shown = self.source.code(node.func)
        if qualified in SESSION_FACTORIES:
            self.uses.append(SqlaUse("session", self.source.location(node), f"{shown}(...)"))
        elif qualified in ENGINE_FACTORIES:
            self.uses.append(SqlaUse("engine", self.source.location(node), f"{shown}(...)"))
        elif qualified.startswith("sqlalchemy.") and qualified.rsplit(".", 1)[-1] in STATEMENTS:
            # masked before it is shortened: a cut inside a URL's password would hide the "@"
            spelled = mask_credentials(self.source.code(node))[:60]
            self.uses.append(SqlaUse("statement", self.source.location(node), spelled))
            self.queries = True
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in QUERY_METHODS:
            self.queries = True

    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, cst.Call) and self.names.qualify(node.value.func) in BASE_FACTORIES:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    spelled = f"{target.target.value} = {self.source.code(node.value.func)}()"
                    self.base_names[target.target.value] = (self.source.location(node), spelled)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for base in node.bases:
            qualified = self.names.qualify(base.value)
            if qualified in DECLARATIVE_BASES:
                spelled = f"class {node.name.value}({self.source.code(base.value)})"
                self.base_names[node.name.value] = (self.source.location(node), spelled)
            elif isinstance(base.value, cst.Name) and base.value.value in self.base_names:
                self.subclass_counts[base.value.value] = self.subclass_counts.get(base.value.value, 0) + 1
