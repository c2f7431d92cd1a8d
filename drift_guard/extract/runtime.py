"""Static scan of a service's runtime modules for what PyDAL will do at run time.

One pass per module records every ``DAL(...)`` call (URI and the three flags
that decide whether PyDAL migrates), every ``define_table(...)`` with its own
``migrate``/``fake_migrate``, and every ``execute``/``executesql`` call with
literal SQL. The records are pure data: rules DG301-DG305 judge them, and
:mod:`drift_guard.dialect` reads the URIs. Nothing here imports application code.

Runtime modules are the service's Python files minus tests, virtualenvs, the
Alembic folder and ``runtime-exclude``: a test suite building a throwaway
``DAL("sqlite:memory", migrate=True)`` is legitimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import libcst as cst

from drift_guard.extract.names import ImportMap
from drift_guard.extract.runtime_values import (
    Scope,
    Value,
    module_constants,
    parameter_defaults,
    resolve,
    built_sql_text,
    string_prefix,
)
from drift_guard.extract.table_files import git_ignored, pydal_table_files, reportable_table_files  # noqa: F401
from drift_guard.parsing import SourceFile, parse_file
from drift_guard.paths import display_path, is_skipped_dir
from drift_guard.schema import UNKNOWN, Location

if TYPE_CHECKING:
    from drift_guard.config import Config
    from drift_guard.context import ServiceContext
    from drift_guard.service import Service

UNSET = Value(None, "", given=False)
_ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "environ.get", "getenv"})
_EXECUTE_METHODS = frozenset({"executesql", "execute", "executescript", "exec_driver_sql"})


@dataclass(frozen=True)
class DalCall:
    location: Location
    uri: str | None  # the literal text the URI certainly starts with
    uri_is_default: bool  # uri is the default of ``os.environ.get(NAME, "...")``
    uri_is_none: bool  # DAL(None): PyDAL's NullAdapter never migrates
    migrate: Value
    migrate_enabled: Value
    fake_migrate_all: Value
    star_kwargs: str | None  # source of a ``**kwargs`` that may carry flags


@dataclass(frozen=True)
class DefineTable:
    location: Location
    table: str | None
    migrate: Value
    fake_migrate: Value


@dataclass(frozen=True)
class SqlCall:
    location: Location
    method: str
    sql: str


@dataclass(frozen=True)
class RuntimeModule:
    path: Path
    display: str
    dal_calls: tuple[DalCall, ...] = ()
    define_tables: tuple[DefineTable, ...] = ()
    sql_calls: tuple[SqlCall, ...] = ()


def _matches(path: Path, roots: Iterable[Path], globs: tuple[str, ...]) -> bool:
    from drift_guard.config import matches_globs

    return any(matches_globs(path, root, globs) for root in roots)


def runtime_files(service: Service, config: Config, *, extra_exclude: tuple[str, ...] = ()) -> list[Path]:
    """The service's runtime modules, sorted: no tests, venvs or Alembic folder."""
    roots = (service.root, config.root)
    globs = (*config.runtime_exclude, *extra_exclude)
    # the Alembic folder as written and as resolved: a revision that is a
    # symlink to elsewhere is still a revision, not runtime code
    alembic = {service.script_location.absolute(), service.script_location.resolve()} if service.script_location else set()
    chosen = []
    for path in sorted(set(service.python_files)):
        resolved = path.resolve()
        if any(p in alembic for p in (path.absolute(), *path.absolute().parents, resolved, *resolved.parents)):
            continue
        if any(is_skipped_dir(parent) for parent in _parents_below(resolved, service.root.resolve())):
            continue
        if _matches(path, roots, globs) or config.is_excluded(path):
            continue
        chosen.append(path)
    return chosen


def _parents_below(path: Path, root: Path) -> list[Path]:
    return [p for p in path.parents if root in p.parents]


def is_dal_name(qualified: str | None) -> bool:
    """``DAL`` as imported from pydal (or py4web/web2py's re-exports)."""
    return qualified is not None and (qualified == "DAL" or qualified.endswith(".DAL"))


def scan_module(source: SourceFile, path: Path) -> RuntimeModule:
    visitor = _Scanner(source, Scope(module_constants(source.module)))
    source.module.visit(visitor)
    return RuntimeModule(
        path, source.path, tuple(visitor.dal_calls), tuple(visitor.define_tables), tuple(visitor.sql_calls)
    )


def scan_runtime(service: Service, config: Config) -> list[RuntimeModule]:
    """Scan every runtime module; unparsable files are skipped (DG001 reports them)."""
    modules = []
    for path in runtime_files(service, config):
        parsed = parse_file(path, display_path(path))
        if isinstance(parsed, SourceFile):
            modules.append(scan_module(parsed, path))
    return modules


class _Scanner(cst.CSTVisitor):
    def __init__(self, source: SourceFile, scope: Scope) -> None:
        self.source = source
        self.imports = ImportMap.from_module(source.module)
        self.constants = scope.constants
        self.functions: list[tuple[str, dict]] = []
        self.dal_calls: list[DalCall] = []
        self.define_tables: list[DefineTable] = []
        self.sql_calls: list[SqlCall] = []

    @property
    def scope(self) -> Scope:
        return Scope(self.constants, tuple(self.functions))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append((node.name.value, parameter_defaults(node)))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if is_dal_name(self.imports.qualify(node.func)):
            self.dal_calls.append(self._dal(node))
        elif isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method == "define_table":
                self.define_tables.append(self._define_table(node))
            elif method in _EXECUTE_METHODS and node.args and node.args[0].keyword is None:
                sql = built_sql_text(node.args[0].value, self.scope)
                if sql is not None:
                    self.sql_calls.append(SqlCall(self.source.location(node), method, sql))

    def _flag(self, node: cst.Call, name: str) -> Value:
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return resolve(arg.value, self.scope, self.source.code(arg.value))
        return UNSET

    def _dal(self, node: cst.Call) -> DalCall:
        uri_node = _uri_arg(node)
        star = next((self.source.code(a.value) for a in node.args if a.star == "**"), None)
        default = self._environment_default(uri_node)
        if default is not None:
            uri = string_prefix(default, self.scope)
        elif uri_node is not None:
            uri = string_prefix(uri_node, self.scope)
        else:  # PyDAL's own default URI, unless **kwargs may carry one
            uri = None if star else "sqlite://dummy.db"
        uri_none = uri_node is not None and resolve(uri_node, self.scope, "").value is None
        return DalCall(
            location=self.source.location(node),
            uri=uri,
            uri_is_default=default is not None,
            uri_is_none=uri_none,
            migrate=self._flag(node, "migrate"),
            migrate_enabled=self._flag(node, "migrate_enabled"),
            fake_migrate_all=self._flag(node, "fake_migrate_all"),
            star_kwargs=star,
        )

    def _environment_default(self, node: cst.BaseExpression | None) -> cst.BaseExpression | None:
        """The default of ``os.environ.get(NAME, default)`` / ``os.getenv(NAME, default)``."""
        if not isinstance(node, cst.Call) or self.imports.qualify(node.func) not in _ENV_GETTERS:
            return None
        positional = [a for a in node.args if a.keyword is None and not a.star]
        keyword = [a for a in node.args if a.keyword is not None and a.keyword.value == "default"]
        chosen = positional[1:2] or keyword
        return chosen[0].value if chosen else None

    def _define_table(self, node: cst.Call) -> DefineTable:
        table = None
        if node.args and node.args[0].keyword is None and not node.args[0].star:
            value = resolve(node.args[0].value, self.scope, "").value
            table = value if isinstance(value, str) else None
        return DefineTable(
            self.source.location(node), table, self._flag(node, "migrate"), self._flag(node, "fake_migrate")
        )


def _uri_arg(node: cst.Call) -> cst.BaseExpression | None:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == "uri":
            return arg.value
    first = node.args[0] if node.args else None
    if first is not None and first.keyword is None and not first.star:
        return first.value
    return None


def flag_is_unknown(value: Value) -> bool:
    return value.given and value.value is UNKNOWN


def service_runtime(ctx: ServiceContext) -> list[RuntimeModule]:
    """:func:`scan_runtime` once per ServiceContext (DG3xx and the dialect share it)."""
    key = "_drift_guard_runtime_scan"
    if key not in ctx.__dict__:
        ctx.__dict__[key] = scan_runtime(ctx.service, ctx.config)
    return ctx.__dict__[key]
