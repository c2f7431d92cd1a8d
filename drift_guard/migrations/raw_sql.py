"""Raw SQL (``op.execute("...")``) on the scratch SQLite database.

Histories are written for the production database, and raw SQL is where they
stop being portable: ``INSERT ... NOW()``, ``DO $$ ... $$`` blocks, ``GRANT``,
``SELECT setval(...)``. One such statement used to stop the SQLite replay, so
every later revision went unchecked (one DG205, no DG201 after it). Instead,
each statement of an ``op.execute`` runs in its own savepoint, so a failing one
leaves the scratch database as it was, and then:

* a statement that only moves data or privileges, or creates a server object
  SQLite lacks (an extension, a function, a role), is skipped: it has no bearing
  on tables and columns, which is all the check compares;
* DDL that SQLite cannot run as written is translated with sqlglot (PostgreSQL
  or MySQL to SQLite) and run again; if that fails too, it is a DG205 for that
  statement and the replay goes on with the next one.

Whatever was skipped is recorded per revision (one DG208 each): the check is
told which statements it did not see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from drift_guard.schema import Location

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# Statements that only move data or privileges, or set session state: skipped
# when SQLite cannot run them (``INSERT ... VALUES (NOW())``, ``SELECT setval``).
_DATA_OR_PRIVILEGES = frozenset(
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "UPSERT", "SELECT", "WITH", "VALUES", "TRUNCATE", "COPY",
        "GRANT", "REVOKE", "COMMENT", "SET", "RESET", "DO", "CALL", "EXEC", "EXECUTE", "PERFORM", "VACUUM", "ANALYZE",
        "ANALYSE", "NOTIFY", "LISTEN", "LOCK", "REFRESH", "CLUSTER", "REINDEX", "SECURITY", "DECLARE", "PRAGMA",
        "USE", "FLUSH", "OPTIMIZE", "DELIMITER", "SHOW", "EXPLAIN",
    }
)  # fmt: skip
# Server-side objects with no bearing on tables and columns that SQLite does not
# have: statements creating or changing them are skipped without being tried.
_SERVER_OBJECTS = re.compile(
    r"^\s*(?:(?:CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?(?:TRUSTED\s+)?(?:PROCEDURAL\s+)?(?:EXTENSION|TYPE|SCHEMA|DOMAIN"
    r"|FUNCTION|PROCEDURE|TRIGGER|EVENT\s+TRIGGER|SEQUENCE|POLICY|ROLE|USER|LANGUAGE|AGGREGATE|OPERATOR|COLLATION"
    r"|PUBLICATION|SUBSCRIPTION|RULE|SERVER|FOREIGN\s+DATA\s+WRAPPER|TEXT\s+SEARCH|CAST|DATABASE)"
    r"|ALTER\s+(?:TYPE|DOMAIN|SEQUENCE|FUNCTION|PROCEDURE|SCHEMA|ROLE|USER|DATABASE|EXTENSION|DEFAULT\s+PRIVILEGES"
    r"|POLICY|PUBLICATION|LANGUAGE|SYSTEM))\b",
    re.IGNORECASE,
)
# Transaction control (``op.execute("COMMIT")`` before PostgreSQL's ALTER TYPE ... ADD VALUE):
# never run, since on SQLite it would end the savepoints the replay relies on. Skipped
# silently: the revision's schema changes all run, only their grouping differs.
_TRANSACTION_CONTROL = frozenset({"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "ABORT"})
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_SHOWN = 80  # characters of a statement quoted in a finding


@dataclass(frozen=True)
class SkippedSql:
    """The raw SQL statements of one revision the SQLite replay did not run (DG208)."""

    revision: str | None
    location: Location  # the first op.execute whose statement was skipped
    statements: tuple[str, ...]  # each shortened to one line


@dataclass
class RawSqlLog:
    """What the raw-SQL handling did during one replay, per revision."""

    skipped: dict[str, tuple[str | None, Location, list[str]]] = field(default_factory=dict)  # file -> record
    failed: list[tuple[str | None, Location, str]] = field(default_factory=list)  # DDL no form of which ran
    recording: bool = True  # off while a downgrade is tried (DG207): its SQL is not the replay's
    unrun_while_off: bool = False  # DDL SQLite could not run while off: that downgrade cannot be judged here

    def skip(self, file: str, revision: str | None, location: Location, statement: str) -> None:
        if not self.recording:
            return
        entry = self.skipped.setdefault(file, (revision, location, []))
        entry[2].append(shorten(statement))

    def records(self) -> tuple[SkippedSql, ...]:
        return tuple(SkippedSql(rev, loc, tuple(stmts)) for rev, loc, stmts in self.skipped.values())


def shorten(statement: str) -> str:
    line = " ".join(statement.split())
    return line if len(line) <= _SHOWN else line[: _SHOWN - 3] + "..."


def split_statements(sql: str) -> list[str]:
    """``sql`` cut at top-level semicolons: not inside quotes, identifiers,
    comments or PostgreSQL dollar-quoted bodies (``DO $$ ... ; ... $$``)."""
    statements: list[str] = []
    start = i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"', "`"):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # doubled quote
                        end += 2
                        continue
                    break
                end += 1
            i = end + 1
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif sql.startswith("/*", i):
            close = sql.find("*/", i + 2)
            i = n if close < 0 else close + 2
        elif ch == "$" and (tag := _DOLLAR_TAG.match(sql, i)) is not None:
            close = sql.find(tag.group(0), tag.end())
            i = n if close < 0 else close + len(tag.group(0))
        elif ch == ";":
            statements.append(sql[start:i])
            i += 1
            start = i
        else:
            i += 1
    statements.append(sql[start:])
    return [s.strip() for s in statements if _without_comments(s).strip()]


def _without_comments(statement: str) -> str:
    return re.sub(r"--[^\n]*|/\*.*?\*/", " ", statement, flags=re.DOTALL)


def first_keyword(statement: str) -> str:
    match = re.match(r"\s*\(*\s*([A-Za-z_]+)", _without_comments(statement))
    return match.group(1).upper() if match else ""


def only_data_or_privileges(statement: str) -> bool:
    """True for statements that cannot change tables and columns (by their first keyword)."""
    return first_keyword(statement) in _DATA_OR_PRIVILEGES


def server_object(statement: str) -> bool:
    return _SERVER_OBJECTS.match(_without_comments(statement)) is not None


def translate(statement: str, read: str) -> list[str] | None:
    """``statement`` in SQLite's dialect (sqlglot), or None when sqlglot cannot
    say it there. Imported here only: most histories never need it."""
    import logging

    try:
        import sqlglot
        from sqlglot.errors import ErrorLevel, SqlglotError
    except ImportError:  # an installation without it: the statement stays a DG205
        return None
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # its "falling back to a Command" warnings are ours to report
    try:
        translated = sqlglot.transpile(statement, read=read, write="sqlite", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError:
        return None
    finally:
        logger.setLevel(level)
    translated = [t for t in translated if t.strip()]
    if not translated or [t.strip() for t in translated] == [statement.strip()]:
        return None
    return translated


@dataclass
class RawSqlRunner:
    """Runs one ``op.execute`` text statement by statement on SQLite (see module docstring)."""

    connection: Connection
    log: RawSqlLog
    read_dialect: str  # sqlglot's name of the dialect the history is written for
    where: Callable[[], tuple[str, str | None, Location]]  # (file, revision, op.execute location) now

    def run(self, sql: str) -> None:
        for statement in split_statements(sql):
            self._statement(statement)

    def _statement(self, statement: str) -> None:
        if first_keyword(statement) in _TRANSACTION_CONTROL:
            return
        if server_object(statement):
            self._skip(statement)
            return
        error = self._try(statement)
        if error is None:
            return
        self._failed(statement, error)

    def run_given(self, sql: str, run: Callable[[], Any]) -> Any:
        """SQL a revision gave the connection itself (``op.get_bind().execute``,
        see :mod:`.bind_sql`): ``run()`` runs it as given (bound values and all)
        in a savepoint and its result is returned; when that fails, the same
        fallbacks as for ``op.execute``, and an empty result."""
        from sqlalchemy.exc import DBAPIError

        statements = split_statements(sql)
        if len(statements) > 1:  # SQLite's driver runs one statement per call
            self.run(sql)
            return _empty_result()
        statement = statements[0] if statements else sql
        if first_keyword(statement) in _TRANSACTION_CONTROL:
            return _empty_result()
        if server_object(statement):
            self._skip(statement)
            return _empty_result()
        try:
            with self.connection.begin_nested():
                return run()
        except DBAPIError as exc:
            self._failed(statement, exc)
        return _empty_result()

    def _failed(self, statement: str, error: BaseException) -> None:
        """``statement`` did not run as written: skipped, translated, or a DG205."""
        if only_data_or_privileges(statement):
            self._skip(statement)
            return
        translated = translate(statement, self.read_dialect)
        if translated is not None:
            if self._try(*translated) is None:
                return
        if not self.log.recording:
            self.log.unrun_while_off = True
            return
        file, revision, location = self.where()
        self.log.failed.append((revision, location, f"{_database_message(error)} (in `{shorten(statement)}`)"))

    def _try(self, *statements: str) -> Any:
        """None when every statement ran, else the error (and nothing of them stays)."""
        from sqlalchemy.exc import DBAPIError

        try:
            with self.connection.begin_nested():
                for statement in statements:
                    self.connection.exec_driver_sql(statement)
        except DBAPIError as exc:
            return exc
        return None

    def _skip(self, statement: str) -> None:
        file, revision, location = self.where()
        self.log.skip(file, revision, location, statement)


def _empty_result() -> Any:
    """What a skipped statement returns to the revision: no rows."""
    from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData

    return IteratorResult(SimpleResultMetaData([]), iter(()))


def _database_message(exc: BaseException) -> str:
    """The driver's own message, first line (``near "ALTER": syntax error``)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
