"""A server's reflection of the replayed head, recorded once and played back.

On a SQLite scratch database the head is kept as a database image and a later
run compares against a copy of it. A PostgreSQL head cannot be kept that way:
comparing against it needs a server, and starting the embedded one costs a
second or more on every commit that touches the models. But Alembic's compare
asks the database only through SQLAlchemy's reflection (the dialect's
``get_multi_columns``, ``get_multi_indexes``, ... and the name listings), and
what those return is plain data: names, flags, SQL text and type objects. So
right after the replay, while the server is up, :func:`record` asks the
dialect for all of it, for every table, view and materialized view of the
scratch schema; :func:`playback` gives the same answers to the same dialect
later, through a connection object that has no server behind it.

Only what provably round-trips is recorded: a reflected type is stored as its
``repr`` and must rebuild into an equal object (same class, same attributes),
parsed by a small reader that calls nothing but SQLAlchemy type classes
(never ``eval``). Anything else (a value of an unknown kind, a type that does
not round-trip) makes :func:`record` return None, and the check keeps starting
the server. During playback, any question the record cannot answer (another
schema, a statement sent to the "server") raises :class:`NeedsServer`, and
the caller compares on a real server instead: a playback never guesses.
"""

from __future__ import annotations

import ast
import contextlib
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# The dialect's per-table reflection methods (``get_multi_<part>``), as
# SQLAlchemy's Inspector and Alembic's compare ask for them.
PARTS = (
    "columns",
    "pk_constraint",
    "foreign_keys",
    "indexes",
    "unique_constraints",
    "table_comment",
    "check_constraints",
    "table_options",
)
# The name listings: dialect method -> what it lists.
LISTINGS = (
    "get_table_names",
    "get_view_names",
    "get_materialized_view_names",
    "get_sequence_names",
    "get_schema_names",
)
KINDS = ("TABLE", "VIEW", "MATERIALIZED_VIEW")  # sqlalchemy ObjectKind members recorded separately


class NeedsServer(Exception):
    """The recorded reflection cannot answer this question; ask a real server."""


class Unrecordable(Exception):
    """A reflected value that would not come back equal from the record."""


@dataclass(frozen=True)
class SqlType:
    """A reflected SQLAlchemy type (or type class), as its ``repr``."""

    text: str
    is_class: bool = False


@dataclass(frozen=True)
class Quoted:
    """A ``quoted_name`` with an explicit quoting flag."""

    text: str
    quote: bool | None


@dataclass(frozen=True)
class Reflection:
    """Everything the dialect reflected of the scratch schema at the head."""

    dialect: str  # "postgresql+psycopg2": the dialect the answers were given by
    state: tuple[tuple[str, Any], ...]  # the dialect's settings after it met the server (version, features)
    listings: tuple[tuple[str, Any], ...]  # method -> encoded names (None: the dialect does not implement it)
    parts: tuple[tuple[str, str, Any], ...]  # (part, kind, encoded {(schema, name): value}, or None)
    # statements Alembic's own compare sends while it reflects (PostgreSQL: which
    # sequence a ``nextval`` default belongs to): ((text, params), rows)
    answers: tuple[tuple[tuple[str, tuple[tuple[str, Any], ...]], tuple[tuple[Any, ...], ...]], ...] = ()


def record(connection: Connection) -> Reflection:
    """The whole reflection of ``connection``'s default schema; :class:`Unrecordable`
    when some of it would not come back equal from the record."""
    from sqlalchemy.engine.reflection import ObjectKind, ObjectScope

    dialect = connection.dialect
    listings = []
    for method in LISTINGS:
        try:
            names = getattr(dialect, method)(connection, schema=None, info_cache={})
        except NotImplementedError:
            listings.append((method, None))
        else:
            listings.append((method, encode(list(names))))
    parts = []
    for part in PARTS:
        for kind in KINDS:
            try:
                found = getattr(dialect, f"get_multi_{part}")(
                    connection,
                    schema=None,
                    filter_names=None,
                    scope=ObjectScope.DEFAULT,
                    kind=getattr(ObjectKind, kind),
                    info_cache={},
                )
                items = [(key, value) for key, value in found]
            except NotImplementedError:
                parts.append((part, kind, None))
            else:
                parts.append((part, kind, encode(items)))
    answers = _alembic_answers(connection, decode(dict(((p, k), v) for p, k, v in parts)[("columns", "TABLE")] or []))
    return Reflection(f"{dialect.name}+{dialect.driver}", _state(dialect), tuple(listings), tuple(parts), answers)


def _alembic_answers(connection: Connection, columns: list[Any]) -> tuple[Any, ...]:
    """What the server answers to the statements Alembic's compare itself sends
    while reflecting each table's columns (its dialect implementation's
    ``autogen_column_reflect``): found by running that very hook on every
    column, through a connection that writes the answers down."""
    import sqlalchemy as sa
    from alembic.ddl.impl import DefaultImpl

    impl = DefaultImpl.get_by_dialect(connection.dialect)(connection.dialect, connection, False, None, None, {})
    writer = _AnswerWriter(connection)
    for (schema, name), found in columns:
        table = sa.Table(name, sa.MetaData(), schema=schema)
        for column in found:
            impl.autogen_column_reflect(writer, table, dict(column))
    return tuple(writer.answers.items())


class _AnswerWriter:
    """Stands in for the Inspector Alembic's hook runs its statement on."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.answers: dict[Any, tuple[tuple[Any, ...], ...]] = {}

    @contextlib.contextmanager
    def _operation_context(self) -> Iterator[_AnswerWriter]:
        yield self

    def execute(self, statement: Any, parameters: Any = None) -> _Rows:
        rows = tuple(encode(tuple(row)) for row in self.connection.execute(statement, parameters).all())
        self.answers[_statement_key(statement, parameters)] = rows
        return _Rows(rows)


def _statement_key(statement: Any, parameters: Any) -> tuple[str, tuple[tuple[str, Any], ...]]:
    return str(statement), tuple(sorted(dict(parameters or {}).items()))


@dataclass(frozen=True)
class _Rows:
    """The part of a result Alembic reads."""

    rows: tuple[tuple[Any, ...], ...]

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def all(self) -> list[tuple[Any, ...]]:
        return list(self.rows)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)


def _state(dialect: Any) -> tuple[tuple[str, Any], ...]:
    """The dialect's plain settings (what ``initialize`` read from the server:
    version, default schema, feature flags), so the playback dialect makes the
    same decisions."""
    kept = []
    for name, value in sorted(vars(dialect).items()):
        if name in ("dbapi", "loaded_dbapi", "identifier_preparer", "type_compiler_instance"):
            continue
        if _plain(value):
            kept.append((name, value))
    return tuple(kept)


def _plain(value: Any) -> bool:
    if value is None or type(value) in (bool, int, float, str):
        return True
    if type(value) is tuple:
        return all(_plain(v) for v in value)
    return False


def encode(value: Any) -> Any:
    """``value`` (what a dialect's reflection returned) as plain data and
    drift-guard records; :class:`Unrecordable` when it would not come back equal."""
    from sqlalchemy.sql.elements import quoted_name
    from sqlalchemy.types import TypeEngine

    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, quoted_name):
        return Quoted(value[:], value.quote)  # slicing gives the plain str
    if type(value) is list:
        return [encode(v) for v in value]
    if type(value) is tuple:
        return tuple(encode(v) for v in value)
    if type(value) is dict:
        return {encode(k): encode(v) for k, v in value.items()}
    if isinstance(value, type) and issubclass(value, TypeEngine):
        name = str(getattr(value, "__name__", ""))
        if _type_classes().get(name) is not value:
            raise Unrecordable(f"type class {value!r}")
        return SqlType(name, is_class=True)
    if isinstance(value, TypeEngine):
        text = repr(value)
        try:
            rebuilt = _build(text)
        except NeedsServer as exc:
            raise Unrecordable(str(exc)) from None
        if not _same(rebuilt, value):
            raise Unrecordable(f"type {text} does not rebuild from its repr")
        return SqlType(text)
    raise Unrecordable(f"a reflected {type(value).__name__}")


def decode(value: Any) -> Any:
    """Inverse of :func:`encode`: fresh objects on every call (SQLAlchemy and
    Alembic change the dictionaries they are given)."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, tuple):
        return tuple(decode(v) for v in value)
    if isinstance(value, dict):
        return {decode(k): decode(v) for k, v in value.items()}
    if isinstance(value, SqlType):
        if value.is_class:
            found = _type_classes().get(value.text)
            if found is None:
                raise NeedsServer(f"unknown type class {value.text}")
            return found
        return _build(value.text)
    if isinstance(value, Quoted):
        from sqlalchemy.sql.elements import quoted_name

        return quoted_name(value.text, value.quote)
    return value


@functools.cache
def _type_classes() -> dict[str, Any]:
    """SQLAlchemy's type classes by name, PostgreSQL's own winning (a ``repr``
    names the class only; the round trip in :func:`encode` proves the pick)."""
    import sqlalchemy.types
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.types import TypeEngine

    found: dict[str, Any] = {}
    for module in (sqlalchemy.types, postgresql):
        for name in dir(module):
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, TypeEngine):
                found[name] = value
    return found


def _build(text: str) -> Any:
    """The type a ``repr`` like ``ARRAY(VARCHAR(length=32))`` or
    ``ENUM('a', 'b', name='mood')`` describes: only literals and calls of
    SQLAlchemy type classes are read."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise NeedsServer(f"unreadable type {text!r}") from None
    return _value(tree.body, text)


def _value(node: ast.AST, text: str) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -node.operand.value  # type: ignore[operator]
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_value(e, text) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_value(k, text): _value(v, text) for k, v in zip(node.keys, node.values)}  # type: ignore[arg-type]
    if isinstance(node, ast.Name) and _type_classes().get(node.id) is not None:
        return _type_classes()[node.id]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and _type_classes().get(node.func.id) is not None:
        args = [_value(a, text) for a in node.args]
        if any(k.arg is None for k in node.keywords):
            raise NeedsServer(f"unreadable type {text!r}")
        kwargs = {str(k.arg): _value(k.value, text) for k in node.keywords}
        try:
            return _type_classes()[node.func.id](*args, **kwargs)
        except Exception as exc:  # a constructor that refuses its own repr
            raise NeedsServer(f"type {text!r}: {exc}") from None
    raise NeedsServer(f"unreadable type {text!r}")


def _same(a: Any, b: Any) -> bool:
    """Equal as reflection results: the same classes with the same attributes."""
    from sqlalchemy.types import TypeEngine

    if type(a) is not type(b):
        return False
    if isinstance(a, TypeEngine):
        # an attribute set on one only may be the class default on the other
        names = _state_of(a).keys() | _state_of(b).keys()
        return all(_same(getattr(a, k, _ABSENT), getattr(b, k, _ABSENT)) for k in names)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:
        return False


_ABSENT = object()


def _state_of(value: Any) -> dict[str, Any]:
    """An object's attributes, less the values SQLAlchemy memoizes on first use
    (``_type_affinity``): those are put there by a non-data descriptor of the
    class, and are the same for equal objects once computed."""
    cls = type(value)
    return {k: v for k, v in vars(value).items() if k != "_memoized_keys" and not _memoizing(getattr(cls, k, None))}


def _memoizing(attribute: Any) -> bool:
    kind = type(attribute)
    return hasattr(kind, "__get__") and not hasattr(kind, "__set__") and not callable(attribute)


def playback(reflection: Reflection) -> Connection:
    """A connection whose dialect answers reflection from ``reflection`` and
    that has no server: Alembic's compare runs on it as on the real one."""
    from sqlalchemy.engine import Connection
    from sqlalchemy.engine.url import make_url

    base = make_url(f"{reflection.dialect}://").get_dialect()
    dialect = type(f"Playback{base.__name__}", (_PlaybackDialect, base), {})()
    vars(dialect).update(dict(reflection.state))
    dialect.recorded = reflection
    connection = type("PlaybackConnection", (_PlaybackConnection, Connection), {})
    return connection(dialect)


class _PlaybackConnection:
    """No DBAPI connection, no engine: every statement is a :class:`NeedsServer`."""

    def __init__(self, dialect: Any) -> None:
        from sqlalchemy.util import immutabledict

        self.dialect = dialect
        self.engine = _Engine(dialect)
        self._execution_options: Any = immutabledict()  # no schema_translate_map

    def in_transaction(self) -> bool:
        return False

    def execute(self, statement: Any, parameters: Any = None, **kwargs: Any) -> _Rows:
        """Only the statements Alembic sent while the record was made."""
        answers = self.dialect.answers
        if answers is None:  # one per serial column: looked up by key, not scanned
            answers = self.dialect.answers = dict(self.dialect.recorded.answers)
        rows = answers.get(_statement_key(statement, parameters))
        if rows is None:
            raise NeedsServer("a statement for the server")
        return _Rows(tuple(decode(row) for row in rows))

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise NeedsServer("a statement for the server")

    exec_driver_sql = scalar = scalars = begin = begin_nested = _refuse

    def rollback(self) -> None:
        return None

    def close(self) -> None:
        return None

    def __getattr__(self, name: str) -> Any:  # a Connection attribute that needs a server
        raise NeedsServer(f"connection.{name}")


@dataclass(frozen=True)
class _Engine:
    dialect: Any

    def connect(self) -> Any:
        raise NeedsServer("a new connection")


class _PlaybackDialect:
    """Reflection answered from the record; any other question reaches the
    connection, which has no server (:class:`NeedsServer`)."""

    recorded: Reflection
    answers: dict[Any, Any] | None = None  # recorded.answers as a dict, built on first use

    def _listing(self, method: str, schema: str | None) -> list[Any]:
        self._only_default(schema)
        for name, names in self.recorded.listings:
            if name == method:
                if names is None:
                    raise NotImplementedError(method)
                return list(decode(names))
        raise NeedsServer(method)

    def _only_default(self, schema: str | None) -> None:
        if schema is not None:
            raise NeedsServer(f"schema {schema!r} was not recorded")

    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[Any]:
        return self._listing("get_table_names", schema)

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[Any]:
        return self._listing("get_view_names", schema)

    def get_materialized_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[Any]:
        return self._listing("get_materialized_view_names", schema)

    def get_sequence_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[Any]:
        return self._listing("get_sequence_names", schema)

    def get_schema_names(self, connection: Any, **kw: Any) -> list[Any]:
        return self._listing("get_schema_names", None)

    def get_temp_table_names(self, connection: Any, **kw: Any) -> list[Any]:
        return []  # a replay's temporary tables end with its session

    def get_temp_view_names(self, connection: Any, **kw: Any) -> list[Any]:
        return []

    def has_table(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> bool:
        listings = ("get_table_names", "get_view_names", "get_materialized_view_names")
        return any(table_name in self._listing(method, schema) for method in listings)

    def _multi(self, part: str, schema: str | None, filter_names: Any, scope: Any, kind: Any) -> Iterator[Any]:
        from sqlalchemy.engine.reflection import ObjectKind, ObjectScope

        self._only_default(schema)
        scope = ObjectScope.DEFAULT if scope is None else scope
        kind = ObjectKind.TABLE if kind is None else kind
        if not scope & ObjectScope.DEFAULT:
            return iter(())
        wanted = None if filter_names is None else set(filter_names)
        found: list[Any] = []
        for name, recorded_kind, items in self.recorded.parts:
            if name != part or not kind & getattr(ObjectKind, recorded_kind):
                continue
            if items is None:
                raise NotImplementedError(f"get_multi_{part}")
            # keys are plain (schema, name) tuples: filter first, decode only what is asked for
            found.extend(decode(item) for item in items if wanted is None or _text(item[0][1]) in wanted)
        return iter(found)


def _text(name: Any) -> Any:
    """A recorded name as the str it stands for (a :class:`Quoted` is one)."""
    return name.text if isinstance(name, Quoted) else name


def _multi_method(part: str) -> Any:
    def get_multi(self: _PlaybackDialect, connection: Any, **kw: Any) -> Iterator[Any]:
        return self._multi(part, kw.get("schema"), kw.get("filter_names"), kw.get("scope"), kw.get("kind"))

    get_multi.__name__ = f"get_multi_{part}"
    return get_multi


for _part in PARTS:
    setattr(_PlaybackDialect, f"get_multi_{_part}", _multi_method(_part))
