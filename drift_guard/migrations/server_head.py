"""The embedded PostgreSQL's head, kept between runs as a recorded reflection.

Starting the embedded PostgreSQL and replaying the history costs seconds; a
commit that touches only the models leaves the history as it was. So after a
replay on the embedded server, the head is kept in the session's cache like the
SQLite one (:mod:`.head`), under the same inputs (revision files,
``alembic.ini``, ``script.py.mako``, imported application modules), with the
server's reflection recorded (:mod:`.recorded`) in place of a database image.
A later run with the same history compares the models against that record and
starts no server. When the record cannot answer a question of the compare, the
server is started after all: the recorded path never guesses.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from drift_guard.migrations.head import ReplayedHead, head_key, replay_inputs, revision_files

if TYPE_CHECKING:
    from drift_guard.extract.alembic import RevisionGraph
    from drift_guard.migrations.report import MigrationReport
    from drift_guard.schema import Schema
    from drift_guard.service import Service

FORMAT = "recorded-reflection-1"  # the record's layout, part of the key


def compare_with_stored(
    service: Service,
    models: Schema,
    graph: RevisionGraph,
    dirs: Sequence[Path],
    recursive: bool,
    report: MigrationReport,
) -> MigrationReport | None:
    """The report from the stored head, with no server; None when there is no
    stored head for these files, or its record cannot answer the compare."""
    head = stored_head(service, dirs, recursive)
    if head is None:
        return None
    report = replace(report, downgrade_problems=head.downgrade_problems, replayed=head.applied)
    if head.failure is not None:
        return replace(report, failures=(head.failure,))
    if head.reflection is None:
        return None
    from drift_guard.migrations.compare import compare
    from drift_guard.migrations.metadata import build_metadata
    from drift_guard.migrations.recorded import playback
    from drift_guard.migrations.static_origins import static_origins

    try:
        connection = playback(head.reflection)
        diffs = compare(connection, build_metadata(models), head.recorder(), lambda: static_origins(graph))
    except Exception:  # noqa: BLE001 - NeedsServer, or anything the record did not foresee: ask the server
        return None
    return replace(report, diffs=tuple(diffs))


def keep(service: Service, dirs: Sequence[Path], recursive: bool, head: ReplayedHead, imported: Sequence[Path]) -> None:
    """Store a head replayed on the embedded server (with its recorded
    reflection, or the failure that stopped it) for the next run."""
    from drift_guard.session import current

    session = current()
    if session is None or (head.failure is None and head.reflection is None):
        return
    if head.failure is not None and (head.failure.interrupted or head.failure.failed_import):
        return  # a timeout, or a package missing here, says nothing about the files
    files = revision_files(dirs, recursive)

    def compute() -> ReplayedHead:
        for path in (*replay_inputs(service, files), *imported):
            session.note(path)
        return head

    key = _server_key(service, files)
    session.heads.pop(repr(key), None)  # the miss this run looked up first is superseded
    session.memo(session.heads, repr(key), lambda: session.cached("replay", key, compute))


def stored_head(service: Service, dirs: Sequence[Path], recursive: bool) -> ReplayedHead | None:
    """The head kept by an earlier replay of these very files on the embedded
    server, or None (also outside a run, or with no cache)."""
    from drift_guard.session import current

    session = current()
    files = revision_files(dirs, recursive)
    if session is None or not files:
        return None
    key = _server_key(service, files)
    # read back once per run, whoever asks (the check, then the HTML report), as head.py does
    found = session.memo(
        session.heads, repr(key), lambda: session.cached("replay", key, lambda: None, keep=lambda h: h is not None)
    )
    return found if isinstance(found, ReplayedHead) else None


def _server_key(service: Service, files: list[Path]) -> list[object]:
    """What else the record depends on: the server's and SQLAlchemy's versions
    (reflection's answers and their layout)."""
    import sqlalchemy

    return head_key(service, files, ["embedded-postgresql", _pgserver_version(), sqlalchemy.__version__, FORMAT])


def _pgserver_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pgserver")
    except metadata.PackageNotFoundError:
        return "none"
