"""One walk over a runtime module's stdlib ``ast``: everything the runtime rules need.

:func:`summarize_runtime` visits each node of the module once and returns a
:class:`RuntimeSummary`, plain data that DG301-DG306, DG401, DG402 and the
dialect detection all read (and that can be stored: no ast nodes, no paths, no
dicts). What it records:

* PyDAL at run time (DG301-DG305, the target dialect): every ``DAL(...)`` call
  with its URI and the flags that decide whether PyDAL migrates, every
  ``define_table(...)`` with its own ``migrate``/``fake_migrate``, and the SQL
  of ``execute``/``executesql`` calls (:mod:`~drift_guard.extract.runtime.values`
  resolves literals, constants and parameter defaults);
* SQLAlchemy outside the schema layer (DG401): imports, session/engine
  factories, statements, whether anything is queried, declarative bases with
  the number of classes defined on them;
* DAL objects and their attributes (DG402, pass 1): names bound to ``DAL(...)``
  or to calls of other functions, functions returning a DAL, parameters
  annotated ``DAL``, the ``name.attr.attr`` chains that may start at one, and
  names that are table attributes without being columns (``Field.Virtual``,
  ``Field.Method``, ``db.table.name = ...``).

Names are resolved with the module's imports, wherever in the module they
are (a flat map, like the schema extractors'), so facts that need them are
settled after the walk from the nodes it kept. Positions come from the nodes
(``col_offset`` is a UTF-8 byte offset; locations give 1-based character
columns); text shown to the user is the source as written.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from typing import Iterator, Mapping

from drift_guard.credentials import mask_credentials
from drift_guard.extract.names.ast_reader import dotted_parts, import_names, qualify, read_import
from drift_guard.extract.names.imports import qualify_parts
from drift_guard.extract.runtime.sqlalchemy_names import (
    BASE_FACTORIES,
    DECLARATIVE_BASES,
    ENGINE_FACTORIES,
    QUERY_METHODS,
    SESSION_FACTORIES,
    STATEMENTS,
)
from drift_guard.extract.runtime.values import (
    Scope,
    Value,
    built_sql_text,
    module_constants,
    parameter_defaults,
    resolve,
    string_prefix,
)
from drift_guard.schema import Location

UNSET = Value(None, "", given=False)
ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "environ.get", "getenv"})
EXECUTE_METHODS = frozenset({"executesql", "execute", "executescript", "exec_driver_sql"})


# --------------------------------------------------------------------------- records


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
class ImportUse:
    """``import module`` (name None) or ``from module import name``."""

    module: str
    name: str | None
    location: Location
    spelled: str
    in_function: bool = False  # inside a function body, not at import time


@dataclass(frozen=True)
class SqlaUse:
    kind: str  # "session", "engine", "statement", "base"
    location: Location
    spelled: str


@dataclass(frozen=True)
class DeclarativeBase:
    """``Base = declarative_base()`` or ``class Base(DeclarativeBase)``, and how
    many classes of the module subclass it after that point."""

    name: str
    location: Location
    spelled: str
    subclasses: int


@dataclass(frozen=True)
class AttributeChain:
    """A ``name.attr[.attr...]`` chain that may start at a DAL object."""

    parts: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class RuntimeSummary:
    """What the runtime rules need from one module, as plain data."""

    display: str
    module: str | None = None  # dotted module name under the service's import roots
    package: str | None = None
    # PyDAL at run time (DG301-DG305, dialect)
    dal_calls: tuple[DalCall, ...] = ()
    define_tables: tuple[DefineTable, ...] = ()
    sql_calls: tuple[SqlCall, ...] = ()
    # SQLAlchemy at run time (DG401)
    imports: tuple[ImportUse, ...] = ()
    sqla_uses: tuple[SqlaUse, ...] = ()  # sessions, engines, statements, in source order
    declarative_bases: tuple[DeclarativeBase, ...] = ()
    queries: bool = False  # something is queried/executed through a session or connection
    # DAL objects (DG402 pass 1); qualified names use ``module``
    import_names: tuple[tuple[str, str], ...] = ()  # local name -> qualified (relative imports in ``package``)
    dal_names: frozenset[str] = frozenset()  # bound to DAL(...) here, or parameters annotated DAL
    factories: frozenset[str] = frozenset()  # functions returning a DAL
    bound_calls: tuple[tuple[str, frozenset[str]], ...] = ()  # name -> qualified callees it is bound to
    chains: tuple[AttributeChain, ...] = ()
    extra_attributes: frozenset[str] = frozenset()  # virtual/method fields, names assigned on tables


def is_dal_name(qualified: str | None) -> bool:
    """``DAL`` as imported from pydal (or py4web/web2py's re-exports)."""
    return qualified is not None and (qualified == "DAL" or qualified.endswith(".DAL"))


# --------------------------------------------------------------------------- source text

_NEWLINE = re.compile(r"\r\n|\r|\n")


class _Source:
    """Line/column arithmetic on the module's text: ast columns are UTF-8 byte
    offsets, locations are 1-based character columns (like every other
    location drift-guard reports)."""

    def __init__(self, text: str, display: str) -> None:
        self.text = text
        self.display = display
        self.ascii = text.isascii()
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        return self._starts

    def _column(self, line: int, col: int) -> int:
        """0-based character column of byte offset ``col`` on ``line``."""
        if self.ascii or col == 0:
            return col
        starts = self.starts
        if line > len(starts):
            return col
        end = starts[line] if line < len(starts) else len(self.text)
        text = self.text[starts[line - 1] : end]
        if text.isascii():
            return col
        return len(text.encode("utf-8")[:col].decode("utf-8", "replace"))

    def location(self, node: ast.AST) -> Location:
        line = node.lineno  # type: ignore[attr-defined]
        return Location(self.display, line, self._column(line, node.col_offset) + 1)  # type: ignore[attr-defined]

    def _offset(self, line: int, col: int) -> int:
        starts = self.starts
        if line > len(starts):
            return len(self.text)
        return starts[line - 1] + self._column(line, col)

    def code(self, node: ast.AST, parent: ast.AST | None, statement_line: int) -> str:
        """The source text of ``node`` as written, with the parentheses that
        enclose it alone (``migrate=(True)`` -> ``(True)``), stripped; its
        continuation lines lose the indentation of the block it is in (line
        ``statement_line`` starts the enclosing statement), the way the
        schema extractors' concrete syntax tree prints a node."""
        text = self.text
        start = self._offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self._offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        opens: list[int] = []
        pos = start
        while True:
            pos = self._skip_back(pos)
            if pos > 0 and text[pos - 1] == "(":
                pos -= 1
                opens.append(pos)
            else:
                break
        if opens and _is_first_argument(node, parent):
            opens.pop()  # the call's own "(" (or the class's)
        closes = 0
        pos = end
        while closes < len(opens):
            pos = self._skip_forward(pos)
            if pos < len(text) and text[pos] == ")":
                pos += 1
                closes += 1
                end = pos
            else:
                break
        if closes:
            start = opens[closes - 1]
        code = text[start:end].strip()
        if "\n" in code or "\r" in code:
            code = _dedent_continuations(code, self._indentation(statement_line))
        return code

    def _indentation(self, line: int) -> str:
        starts = self.starts
        if line > len(starts):
            return ""
        begin = starts[line - 1]
        end = begin
        while end < len(self.text) and self.text[end] in " \t\f":
            end += 1
        return self.text[begin:end]

    def _skip_back(self, pos: int) -> int:
        """Back over whitespace, line continuations and comments before ``pos``."""
        text = self.text
        while pos > 0:
            char = text[pos - 1]
            if char in " \t\f\\":
                pos -= 1
            elif char in "\r\n":
                pos -= 1
                if char == "\n" and pos > 0 and text[pos - 1] == "\r":
                    pos -= 1
                line_start = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
                comment = _comment_start(text[line_start:pos])
                if comment is not None:
                    pos = line_start + comment
            else:
                break
        return pos

    def _skip_forward(self, pos: int) -> int:
        text = self.text
        while pos < len(text):
            char = text[pos]
            if char in " \t\f\\\r\n":
                pos += 1
            elif char == "#":
                match = _NEWLINE.search(text, pos)
                pos = match.start() if match else len(text)
            else:
                break
        return pos


def _dedent_continuations(code: str, indent: str) -> str:
    """Drop ``indent`` from the start of each line after the first, except in
    multi-line strings and after a backslash continuation."""
    if not indent:
        return code
    protected: set[int] = set()  # lines that start inside a string token
    try:
        for token in tokenize.generate_tokens(io.StringIO("(" + code + ")").readline):
            if token.start[0] < token.end[0] and token.type not in (tokenize.NL, tokenize.NEWLINE):
                protected.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    lines: list[str] = []
    position = 0
    for number, match in enumerate((*_NEWLINE.finditer(code), None), start=1):
        line = code[position : match.end()] if match else code[position:]
        if (
            number > 1
            and number not in protected
            and line.startswith(indent)
            and not lines[-1].rstrip("\r\n").endswith("\\")
        ):
            line = line[len(indent) :]
        lines.append(line)
        if match:
            position = match.end()
    return "".join(lines)


def _comment_start(line: str) -> int | None:
    """Index of the ``#`` starting a comment on ``line`` (quotes respected)."""
    quote = None
    i = 0
    while i < len(line):
        char = line[i]
        if quote is not None:
            if char == "\\":
                i += 2
                continue
            if line.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif char == "#":
            return i
        elif char in "'\"":
            quote = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else char
            i += len(quote)
            continue
        i += 1
    return None


def _is_first_argument(node: ast.AST, parent: ast.AST | None) -> bool:
    """``node`` directly follows its parent's own ``(``: a call's first argument
    or a class's first base."""
    if isinstance(parent, ast.Call):
        return bool(parent.args) and parent.args[0] is node
    if isinstance(parent, ast.ClassDef):
        return bool(parent.bases) and parent.bases[0] is node
    return False


# --------------------------------------------------------------------------- the walk

_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})
_FIELDS: dict[type, tuple[str, ...]] = {}
_LEAVES = (ast.Name, ast.Constant)

# ((name, parameter defaults), ...) of the enclosing functions, outermost first
Functions = tuple[tuple[str, Mapping[str, ast.expr | None]], ...]
# (call, parent, enclosing functions, first line of the enclosing statement)
CallSite = tuple[ast.Call, ast.AST | None, Functions, int]


def _fields(cls: type) -> tuple[str, ...]:
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = tuple(f for f in cls._fields if f not in _SKIPPED_FIELDS)  # type: ignore[attr-defined]
    return fields


def _position(node: ast.AST) -> tuple[int, int]:
    return (node.lineno, node.col_offset)  # type: ignore[attr-defined]


def _children(node: ast.AST) -> list[ast.AST]:
    """Child nodes in source order (ast's field order differs for decorators,
    call arguments after ``*args``, dict items, defaults and ``x if c else y``)."""
    if isinstance(node, ast.Call):
        args: list[ast.AST] = [*node.args, *node.keywords]
        if node.keywords and any(isinstance(a, ast.Starred) for a in node.args):
            args.sort(key=_position)
        return [node.func, *args]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        returns = [node.returns] if node.returns is not None else []
        return [*node.decorator_list, *getattr(node, "type_params", ()), node.args, *returns, *node.body]
    if isinstance(node, ast.ClassDef):
        bases: list[ast.AST] = [*node.bases, *node.keywords]
        if node.keywords and any(isinstance(b, ast.Starred) for b in node.bases):
            bases.sort(key=_position)
        return [*node.decorator_list, *getattr(node, "type_params", ()), *bases, *node.body]
    if isinstance(node, ast.Dict):
        items: list[ast.AST] = []
        for key, value in zip(node.keys, node.values):
            if key is not None:
                items.append(key)
            items.append(value)
        return items
    if isinstance(node, ast.arguments):
        every: list[ast.AST] = [
            *node.posonlyargs,
            *node.args,
            *node.kwonlyargs,
            *node.defaults,
            *(d for d in node.kw_defaults if d is not None),
            *(a for a in (node.vararg, node.kwarg) if a is not None),
        ]
        every.sort(key=_position)
        return every
    if isinstance(node, ast.IfExp):
        return [node.body, node.test, node.orelse]
    found: list[ast.AST] = []
    for name in _fields(type(node)):
        child = getattr(node, name, None)
        if child is None:
            continue
        if type(child) is list:
            found.extend(item for item in child if isinstance(item, ast.AST))
        elif isinstance(child, ast.AST):
            found.append(child)
    return found


class _Walk:
    """The nodes one pre-order walk keeps, in source order."""

    def __init__(self) -> None:
        self.imports: list[tuple[ast.Import | ast.ImportFrom, bool]] = []  # (statement, in a function)
        self.calls: list[CallSite] = []
        self.layer_events: list[ast.Assign | ast.ClassDef] = []  # base factories and classes, in order
        self.binds: list[tuple[str, ast.Call]] = []  # name = call(...)
        self.annotated: list[tuple[str, ast.expr]] = []  # parameter name, annotation
        self.returns: dict[str, list[ast.expr]] = {}  # outermost function -> returned values
        self.chains: list[tuple[list[str], ast.Attribute]] = []
        self.extra_attributes: set[str] = set()

    def run(self, tree: ast.Module) -> None:
        """Pre-order, source order, with an explicit stack (no recursion)."""
        stack: list[tuple[ast.AST, ast.AST | None, Functions, int]] = [(tree, None, (), 1)]
        pop, push = stack.pop, stack.append
        while stack:
            node, parent, functions, line = pop()
            if type(node) in _LEAVES:
                continue
            if isinstance(node, ast.stmt):
                line = node.lineno
            if isinstance(node, ast.Attribute):
                parts = dotted_parts(node)
                if parts is not None:  # the outermost chain covers the inner ones
                    self.chains.append((parts, node))
                    continue
            elif isinstance(node, ast.Call):
                self.calls.append((node, parent, functions, line))
            elif isinstance(node, ast.Assign):
                self._assign(node)
            elif isinstance(node, ast.AnnAssign):
                if isinstance(node.target, ast.Name) and isinstance(node.value, ast.Call):
                    self.binds.append((node.target.id, node.value))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self.imports.append((node, bool(functions)))
                continue
            elif isinstance(node, ast.Return):
                if functions and node.value is not None:
                    self.returns.setdefault(functions[0][0], []).append(node.value)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions = (*functions, (node.name, parameter_defaults(node)))
                args = node.args
                for param in (*args.args, *args.kwonlyargs, *args.posonlyargs):
                    if param.annotation is not None:
                        self.annotated.append((param.arg, param.annotation))
            elif isinstance(node, ast.ClassDef):
                self.layer_events.append(node)
            for child in reversed(_children(node)):
                push((child, node, functions, line))

    def _assign(self, node: ast.Assign) -> None:
        value = node.value
        if isinstance(value, ast.Call):
            self.layer_events.append(node)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if isinstance(value, ast.Call):
                    self.binds.append((target.id, value))
            elif isinstance(target, ast.Attribute):
                parts = dotted_parts(target)
                if parts is not None and len(parts) >= 3:  # db.users.nick = ..., not self.x = ...
                    self.extra_attributes.add(target.attr)


# --------------------------------------------------------------------------- the summary


def summarize_runtime(
    tree: ast.Module, display: str, *, module: str | None, package: str | None, text: str
) -> RuntimeSummary:
    """Summarise one runtime module, parsed from ``text`` (its source, needed
    for character columns and for expressions shown as written)."""
    walk = _Walk()
    walk.run(tree)
    return _Summariser(tree, walk, _Source(text, display), module, package).summary(display)


class _Summariser:
    def __init__(self, tree: ast.Module, walk: _Walk, source: _Source, module: str | None, package: str | None) -> None:
        self.walk = walk
        self.source = source
        self.module = module
        self.package = package
        statements = [node for node, _ in walk.imports]
        # DG3xx resolve names as written (relative imports unanchored); DG4xx in the package
        self.plain_names = import_names(statements)
        self.names = import_names(statements, package) if package else self.plain_names
        self.constants = module_constants(tree)

    def summary(self, display: str) -> RuntimeSummary:
        dal_calls, define_tables, sql_calls = self._pydal()
        uses, queries = self._sqlalchemy()
        dal_names, factories, bound_calls, extra = self._dal_objects()
        local_heads = dal_names | {name for name, _ in bound_calls} | set(self.names)
        chains = tuple(
            AttributeChain(tuple(parts), self.source.location(node))
            for parts, node in self.walk.chains
            if len(parts) >= 3 or parts[0] in local_heads  # only these can start at a DAL (see runtime_refs)
        )
        return RuntimeSummary(
            display=display,
            module=self.module,
            package=self.package,
            dal_calls=dal_calls,
            define_tables=define_tables,
            sql_calls=sql_calls,
            imports=tuple(self._imports()),
            sqla_uses=uses,
            declarative_bases=self._bases(),
            queries=queries,
            import_names=tuple(self.names.items()),
            dal_names=frozenset(dal_names),
            factories=frozenset(factories),
            bound_calls=bound_calls,
            chains=chains,
            extra_attributes=frozenset(extra),
        )

    # -- PyDAL: DAL(...), define_table(...), execute(...) -------------------------

    def _pydal(self) -> tuple[tuple[DalCall, ...], tuple[DefineTable, ...], tuple[SqlCall, ...]]:
        dal_calls, define_tables, sql_calls = [], [], []
        for node, _, functions, line in self.walk.calls:
            func = node.func
            if isinstance(func, ast.Attribute):
                method = func.attr
                if method != "DAL" and method != "define_table" and method not in EXECUTE_METHODS:
                    continue
            elif not isinstance(func, ast.Name):
                continue
            if is_dal_name(qualify(self.plain_names, func)):
                dal_calls.append(self._dal(node, Scope(self.constants, functions), line))
            elif isinstance(func, ast.Attribute):
                if func.attr == "define_table":
                    define_tables.append(self._define_table(node, Scope(self.constants, functions), line))
                elif func.attr in EXECUTE_METHODS:
                    first = _leading_positional(node)
                    if first is not None:
                        sql = built_sql_text(first, Scope(self.constants, functions))
                        if sql is not None:
                            sql_calls.append(SqlCall(self.source.location(node), func.attr, sql))
        return tuple(dal_calls), tuple(define_tables), tuple(sql_calls)

    def _flag(self, node: ast.Call, name: str, scope: Scope, line: int) -> Value:
        for keyword in node.keywords:
            if keyword.arg == name:
                return resolve(keyword.value, scope, self.source.code(keyword.value, keyword, line))
        return UNSET

    def _dal(self, node: ast.Call, scope: Scope, line: int) -> DalCall:
        uri_node = _uri_arg(node)
        star = next((self.source.code(k.value, k, line) for k in node.keywords if k.arg is None), None)
        default = self._environment_default(uri_node)
        if default is not None:
            uri = string_prefix(default, scope)
        elif uri_node is not None:
            uri = string_prefix(uri_node, scope)
        else:  # PyDAL's own default URI, unless **kwargs may carry one
            uri = None if star else "sqlite://dummy.db"
        uri_none = uri_node is not None and resolve(uri_node, scope, "").value is None
        return DalCall(
            location=self.source.location(node),
            uri=uri,
            uri_is_default=default is not None,
            uri_is_none=uri_none,
            migrate=self._flag(node, "migrate", scope, line),
            migrate_enabled=self._flag(node, "migrate_enabled", scope, line),
            fake_migrate_all=self._flag(node, "fake_migrate_all", scope, line),
            star_kwargs=star,
        )

    def _environment_default(self, node: ast.expr | None) -> ast.expr | None:
        """The default of ``os.environ.get(NAME, default)`` / ``os.getenv(NAME, default)``."""
        if not isinstance(node, ast.Call) or qualify(self.plain_names, node.func) not in ENV_GETTERS:
            return None
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(positional) > 1:
            return positional[1]
        keyword = [k for k in node.keywords if k.arg == "default"]
        return keyword[0].value if keyword else None

    def _define_table(self, node: ast.Call, scope: Scope, line: int) -> DefineTable:
        table = None
        if node.args and not isinstance(node.args[0], ast.Starred):
            value = resolve(node.args[0], scope, "").value
            table = value if isinstance(value, str) else None
        return DefineTable(
            self.source.location(node),
            table,
            self._flag(node, "migrate", scope, line),
            self._flag(node, "fake_migrate", scope, line),
        )

    # -- SQLAlchemy: imports, sessions, engines, statements, bases ------------------

    def _imports(self) -> Iterator[ImportUse]:
        for node, in_function in self.walk.imports:
            where = self.source.location(node)
            for imp in read_import(node, self.package):
                if imp.name is None:
                    yield ImportUse(imp.module, None, where, f"import {imp.module}", in_function)
                else:
                    yield ImportUse(imp.module, imp.name, where, f"from {imp.module} import {imp.name}", in_function)

    def _sqlalchemy(self) -> tuple[tuple[SqlaUse, ...], bool]:
        uses: list[SqlaUse] = []
        queries = False
        code = self.source.code
        for node, parent, _, line in self.walk.calls:
            func = node.func
            parts = dotted_parts(func)
            if parts is not None:
                qualified = qualify_parts(self.names, parts) or ""
                if qualified in SESSION_FACTORIES:
                    uses.append(SqlaUse("session", self.source.location(node), f"{code(func, node, line)}(...)"))
                elif qualified in ENGINE_FACTORIES:
                    uses.append(SqlaUse("engine", self.source.location(node), f"{code(func, node, line)}(...)"))
                elif qualified.startswith("sqlalchemy.") and qualified.rsplit(".", 1)[-1] in STATEMENTS:
                    # masked before it is shortened: a cut inside a URL's password would hide the "@"
                    spelled = mask_credentials(code(node, parent, line))[:60]
                    uses.append(SqlaUse("statement", self.source.location(node), spelled))
                    queries = True
            if isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
                queries = True
        return tuple(uses), queries

    def _bases(self) -> tuple[DeclarativeBase, ...]:
        """Declarative bases (last definition of a name wins) and how many
        classes subclass each after it is defined."""
        found: dict[str, tuple[Location, str]] = {}
        counts: dict[str, int] = {}
        code = self.source.code
        for node in self.walk.layer_events:
            if isinstance(node, ast.Assign):
                call = node.value
                if isinstance(call, ast.Call) and qualify(self.names, call.func) in BASE_FACTORIES:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            spelled = f"{target.id} = {code(call.func, call, node.lineno)}()"
                            found[target.id] = (self.source.location(node), spelled)
                continue
            for base in node.bases:
                parent: ast.AST = node
                if isinstance(base, ast.Starred):
                    parent, base = base, base.value
                if qualify(self.names, base) in DECLARATIVE_BASES:
                    found[node.name] = (
                        self.source.location(node),
                        f"class {node.name}({code(base, parent, node.lineno)})",
                    )
                elif isinstance(base, ast.Name) and base.id in found:
                    counts[base.id] = counts.get(base.id, 0) + 1
        return tuple(
            DeclarativeBase(name, location, spelled, counts.get(name, 0)) for name, (location, spelled) in found.items()
        )

    # -- DAL objects (DG402 pass 1) ---------------------------------------------------

    def _dal_objects(self) -> tuple[set[str], set[str], tuple[tuple[str, frozenset[str]], ...], set[str]]:
        names = self.names
        dal_names: set[str] = set()
        bound: dict[str, set[str]] = {}
        extra = set(self.walk.extra_attributes)
        for param, annotation in self.walk.annotated:
            if is_dal_name(qualify(names, annotation)):
                dal_names.add(param)
        for name, call in self.walk.binds:
            parts = dotted_parts(call.func)
            callee = qualify_parts(names, parts)
            if is_dal_name(callee):
                dal_names.add(name)
            elif callee is not None and parts is not None:
                if parts[0] not in names:  # a name of this module
                    head = f"{self.module}.{parts[0]}" if self.module else parts[0]
                    callee = ".".join([head, *parts[1:]])
                bound.setdefault(name, set()).add(callee)
        for node, _, _, _ in self.walk.calls:  # Field.Virtual("name", ...) / Field.Method("name", ...)
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("Virtual", "Method"):
                parts = dotted_parts(func)
                if parts and len(parts) >= 2 and parts[-2] == "Field":
                    first = _first_argument_node(node)
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        extra.add(first.value)
        factories: set[str] = set()
        for _ in range(3):  # factories returning other factories' results
            for func_name, values in self.walk.returns.items():
                if any(self._returns_dal(value, dal_names, factories) for value in values):
                    factories.add(func_name)
        bound_calls = tuple((name, frozenset(callees)) for name, callees in bound.items())
        return dal_names, factories, bound_calls, extra

    def _returns_dal(self, value: ast.expr, dal_names: set[str], factories: set[str]) -> bool:
        if isinstance(value, ast.Name):
            return value.id in dal_names
        if isinstance(value, ast.Call):
            return is_dal_name(qualify(self.names, value.func)) or (
                isinstance(value.func, ast.Name) and value.func.id in factories
            )
        return False


def _uri_arg(node: ast.Call) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == "uri":
            return keyword.value
    if node.args and not isinstance(node.args[0], ast.Starred):
        return node.args[0]
    return None


def _first_argument_node(node: ast.Call) -> ast.AST | None:
    """The call's first argument in source order, as written: a keyword's value,
    the value of ``*x``/``**x``."""
    first: ast.AST | None = node.args[0] if node.args else None
    if node.keywords:
        keyword = node.keywords[0]
        if first is None or _position(keyword) < _position(first):
            return keyword.value
    return first.value if isinstance(first, ast.Starred) else first


def _leading_positional(node: ast.Call) -> ast.expr | None:
    """The value of the call's first argument when it is not ``name=value``
    (``*x`` and ``**x`` give ``x``)."""
    first: ast.expr | None = node.args[0] if node.args else None
    if node.keywords:
        keyword = node.keywords[0]
        if first is None or _position(keyword) < _position(first):
            return keyword.value if keyword.arg is None else None
    return first.value if isinstance(first, ast.Starred) else first
