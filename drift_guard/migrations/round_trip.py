"""The downgrade round trip of the replay (DG207), on SQLite and PostgreSQL.

Right after a revision's ``upgrade()``, inside a transaction and a savepoint:
``downgrade()``, a snapshot compared with the one before the upgrade
(:mod:`.reversal`), ``upgrade()`` again, and a rollback, so the replay goes on
from exactly the state the first ``upgrade()`` left. Kept apart from
:mod:`.replay`, which only calls :func:`check_downgrade` after each revision.
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
            if not result.raw_sql.unrun_while_off:  # else SQLite, not the downgrade, left the difference
                found.extend(differences(before, snapshot(connection)))
            if not found:
                try:
                    script.module.upgrade()
                except NeedsAutocommit:
                    pass  # the second upgrade cannot run in the round trip's transaction: not judged
                except USER_CODE_ERRORS as exc:  # the revision's own code (see module docstring)
                    found.append(f"upgrade() fails again after downgrade(): {error_message(exc)}")
        if savepoint.is_active:
            savepoint.rollback()
    finally:
        result.in_round_trip = False
        ended = not transaction.is_active  # the revision committed (op.get_bind().commit()) meanwhile
        if not ended:
            transaction.rollback()
        result.raw_sql.recording = True
        if ended:
            _restore(script, connection, after_upgrade)
    if found:
        display = canonical(script.path)
        location = downgrade_location(script.module, display) or Location(display)
        result.downgrade_problems.append(DowngradeProblem(script.revision, location, tuple(found)))
    return after_upgrade


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
