"""The downgrade round trip of the replay (DG207), on SQLite and PostgreSQL.

Right after a revision's ``upgrade()``, inside a transaction and a savepoint:
``downgrade()``, a snapshot compared with the one before the upgrade
(:mod:`.reversal`), ``upgrade()`` again, and a rollback, so the replay goes on
from exactly the state the first ``upgrade()`` left. Kept apart from
:mod:`.replay`, which only calls :func:`check_downgrade` after each revision.

On SQLite a rollback costs more than it seems: SQLite cannot undo its
in-memory copy of the schema, so it drops it and parses every ``CREATE``
statement again on the next statement. One rollback per revision made the
replay quadratic in the history (2.1 s of 2.3 s for 1,000 one-table
revisions, against 0.2 s without). So on SQLite a round trip that provably
left that very state is committed instead (:class:`SameState`): the same
``sqlite_master`` rows in the same order, no row written, and every table
the downgrade dropped or rebuilt empty before it. Anything else is rolled
back as before.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from drift_guard.migrations.user_code import USER_CODE_ERRORS, error_message
from drift_guard.schema import Location
from drift_guard.session import canonical

if TYPE_CHECKING:
    from alembic.script import Script
    from sqlalchemy.engine import Connection

    from drift_guard.migrations.replay import ReplayResult
    from drift_guard.migrations.reversal import SqliteSnapshot


def committed_snapshot(connection: Connection) -> Any:
    from drift_guard.migrations.reversal import snapshot

    snap = snapshot(connection)
    if connection.in_transaction():
        connection.commit()
    return snap


def check_downgrade(script: Script, connection: Connection, result: ReplayResult, before: Any) -> Any:
    """Downgrade, compare with ``before``, upgrade again, all undone (see
    :mod:`.reversal`); the schema after the revision, the next one's ``before``."""
    from drift_guard.migrations.reversal import DowngradeProblem, differences, downgrade_location, snapshot

    after_upgrade = committed_snapshot(connection)
    recorder = result.recorder
    recorder.current_file = None  # the downgrade's ops are not where things were created
    result.raw_sql.recording = False
    result.raw_sql.unrun_while_off = False
    found: list[str] = []
    same = SameState.start(connection, before, after_upgrade)
    kept = False
    transaction = connection.begin()
    try:
        savepoint = connection.begin_nested()
        try:
            result.in_round_trip = True
            script.module.downgrade()
        except NotImplementedError:
            return after_upgrade  # declared irreversible
        except NeedsAutocommit:
            return after_upgrade  # cannot run inside the round trip's transaction: not judged
        except USER_CODE_ERRORS as exc:  # the revision's own code (see module docstring)
            found.append(f"downgrade() fails: {error_message(exc)}")
        else:
            down = snapshot(connection)
            if not result.raw_sql.unrun_while_off:  # else SQLite, not the downgrade, left the difference
                found.extend(differences(before, down))
            if not found:
                try:
                    script.module.upgrade()
                except NeedsAutocommit:
                    pass  # the second upgrade cannot run in the round trip's transaction: not judged
                except USER_CODE_ERRORS as exc:  # the revision's own code (see module docstring)
                    found.append(f"upgrade() fails again after downgrade(): {error_message(exc)}")
                else:
                    kept = (
                        same is not None
                        and not result.raw_sql.unrun_while_off
                        and savepoint.is_active
                        and transaction.is_active
                        and same.holds(connection, down)
                    )
        if kept:
            savepoint.commit()
        elif savepoint.is_active:
            savepoint.rollback()
    finally:
        result.in_round_trip = False
        ended = not transaction.is_active  # the revision committed (op.get_bind().commit()) meanwhile
        if not ended:
            if kept:
                transaction.commit()
            else:
                transaction.rollback()
        result.raw_sql.recording = True
        if ended:
            _restore(script, connection, after_upgrade)
    if found:
        display = canonical(script.path)
        location = downgrade_location(script.module, display) or Location(display)
        result.downgrade_problems.append(DowngradeProblem(script.revision, location, tuple(found)))
    return after_upgrade


class SameState:
    """Whether a SQLite round trip left exactly the state the first ``upgrade()``
    did, so committing it is the same as rolling it back (see module docstring).

    Taken before the round trip: the connection's count of rows written so far,
    and which tables the revision's upgrade created or changed that hold no row.
    :meth:`holds` afterwards: the same ``sqlite_master`` rows in the same order
    (and the same temporary objects, attached databases and header values),
    not one row written since (SQLite's ``total_changes``: inserts, updates and
    deletes, also by triggers), and every table the downgrade dropped or
    rebuilt (a ``DROP TABLE`` writes no row but loses them) among those empty
    ones. When any of that is unknown, it does not hold."""

    def __init__(
        self,
        after: SqliteSnapshot,
        after_rows: set,
        existing: set[str],
        changes: int,
        empty: frozenset[str],
        rest: tuple,
    ) -> None:
        self._after = after
        self._after_rows = after_rows  # the rows as a set, and the tables they name: once per revision
        self._existing = existing
        self._changes = changes
        self._empty = empty
        self._rest = rest

    @classmethod
    def start(cls, connection: Connection, before: Any, after: Any) -> SameState | None:
        from drift_guard.migrations.reversal import SqliteSnapshot

        if not (isinstance(before, SqliteSnapshot) and isinstance(after, SqliteSnapshot)):
            return None  # a server: its rollback is cheap, nothing to gain
        raw = _driver(connection)
        if raw is None:
            return None
        after_rows = set(after.rows)
        existing = _tables_of(after_rows)
        changed = _tables_of(set(before.rows) ^ after_rows) & existing
        import sqlite3

        try:
            empty = frozenset(t for t in changed if _is_empty(raw, t))
            rest = _rest_of_state(raw)
        except sqlite3.Error:
            return None  # not a table that can be read (a virtual table's module is missing)
        return cls(after, after_rows, existing, raw.total_changes, empty, rest)

    def holds(self, connection: Connection, down: Any) -> bool:
        from drift_guard.migrations.reversal import SqliteSnapshot, snapshot

        raw = _driver(connection)
        if raw is None or not isinstance(down, SqliteSnapshot) or raw.total_changes != self._changes:
            return False
        touched = _tables_of(self._after_rows ^ set(down.rows)) & self._existing
        if not touched <= self._empty:
            return False
        now = snapshot(connection)
        if not (isinstance(now, SqliteSnapshot) and now.rows == self._after.rows):
            return False
        import sqlite3

        try:
            return _rest_of_state(raw) == self._rest
        except sqlite3.Error:
            return False


def _driver(connection: Connection) -> Any:
    raw = getattr(connection.connection, "driver_connection", None)
    return raw if hasattr(raw, "total_changes") else None


def _tables_of(rows: set[tuple[str, str, str, str]]) -> set[str]:
    return {row[2] for row in rows}


def _rest_of_state(raw: Any) -> tuple:
    """What a rollback would also undo and ``sqlite_master`` does not show:
    temporary objects, attached databases, the header's user version and
    application id (tiny: one query each)."""
    return (
        raw.execute("SELECT type, name, tbl_name, sql FROM sqlite_temp_master").fetchall(),
        raw.execute("PRAGMA database_list").fetchall(),
        raw.execute("PRAGMA user_version").fetchall(),
        raw.execute("PRAGMA application_id").fetchall(),
    )


def _is_empty(raw: Any, table: str) -> bool:
    quoted = '"' + table.replace('"', '""') + '"'
    return raw.execute(f"SELECT 1 FROM {quoted} LIMIT 1").fetchone() is None


class NeedsAutocommit(Exception):
    """A revision asked for ``autocommit_block()`` during the downgrade round trip
    on a server: its statements (``CREATE INDEX CONCURRENTLY``, ``ALTER TYPE ...
    ADD VALUE``) cannot run inside the transaction the round trip is undone by."""


def outside_round_trips(autocommit_block: Any, result: ReplayResult) -> Any:
    """``autocommit_block`` as Alembic does it, except during a round trip (see
    :class:`NeedsAutocommit`), when the downgrade is not judged instead."""

    def guarded() -> Any:
        if result.in_round_trip:
            raise NeedsAutocommit()
        return autocommit_block()

    return guarded


def _restore(script: Script, connection: Connection, after_upgrade: Any) -> None:
    """The state after ``upgrade()`` again, when the revision's own code committed
    during the downgrade check so the savepoint could not undo it: upgrade again."""
    if connection.in_transaction():
        connection.rollback()
    if committed_snapshot(connection) == after_upgrade:
        return
    with contextlib.suppress(*USER_CODE_ERRORS), connection.begin():  # its first run succeeded (see module docstring)
        script.module.upgrade()
