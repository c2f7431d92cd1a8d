"""Raw SQL a revision runs on the connection itself, on the scratch SQLite database.

``op.execute("...")`` is rerouted through :mod:`.raw_sql` (savepoints, sqlglot
translation, DG208), but a revision can also write
``op.get_bind().execute(sa.text("INSERT ... NOW()"))`` or
``bind.exec_driver_sql("...")``: the connection Alembic runs on, called
directly. Without the same handling, one such PostgreSQL-only statement stops
the SQLite replay and every later revision goes unchecked.

``op.get_bind()`` must stay the real connection (``sa.inspect(bind)``,
``autoload_with=bind`` and ``enum.create(bind)`` need one), so instead the
connection's ``execute`` and ``exec_driver_sql`` are replaced on that instance
for the replay, and only calls made *from a revision file* are handled:
SQLAlchemy and Alembic call the same methods (SQLite's reflection reads
``PRAGMA`` results through ``exec_driver_sql``), and those pass straight
through. A statement from a revision runs as given in a savepoint and returns
its result; when it fails, :class:`~drift_guard.migrations.raw_sql.RawSqlRunner`
decides, as for ``op.execute``: skipped (DG208), translated, or a DG205, and the
revision gets an empty result.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterator

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from drift_guard.migrations.raw_sql import RawSqlRunner

_METHODS = ("execute", "exec_driver_sql")


@contextlib.contextmanager
def revisions_raw_sql(connection: Connection, runner: RawSqlRunner, revision_file: Callable[[], str]) -> Iterator[None]:
    """For the block: text SQL that code in ``revision_file()`` (the revision
    running now) passes to ``connection`` goes through ``runner``."""
    originals = {name: getattr(connection, name) for name in _METHODS}
    files: dict[str, str] = {}

    def from_revision() -> bool:
        current = revision_file()
        if not current:
            return False  # no revision is running (the replay's own snapshot queries)
        caller = sys._getframe(2).f_code.co_filename  # the frame that called execute / exec_driver_sql
        if current not in files:
            files[current] = os.path.realpath(current)
        return caller == current or os.path.realpath(caller) == files[current]

    def execute(statement: Any, *args: Any, **kw: Any) -> Any:
        sql = _text_of(statement)
        if sql is None or not from_revision():
            return originals["execute"](statement, *args, **kw)
        return runner.run_given(sql, lambda: originals["execute"](statement, *args, **kw))

    def exec_driver_sql(statement: str, *args: Any, **kw: Any) -> Any:
        if not isinstance(statement, str) or not from_revision():
            return originals["exec_driver_sql"](statement, *args, **kw)
        return runner.run_given(statement, lambda: originals["exec_driver_sql"](statement, *args, **kw))

    connection.execute = execute  # type: ignore[method-assign]
    connection.exec_driver_sql = exec_driver_sql  # type: ignore[method-assign]
    try:
        yield
    finally:
        for name in _METHODS:
            with contextlib.suppress(AttributeError):
                delattr(connection, name)


def _text_of(statement: Any) -> str | None:
    """The SQL of a ``sa.text(...)`` construct (bound values or not); None for
    anything SQLAlchemy compiles itself (``sa.insert(...)``, DDL constructs)."""
    from sqlalchemy.sql.elements import TextClause

    return statement.text if isinstance(statement, TextClause) else None
