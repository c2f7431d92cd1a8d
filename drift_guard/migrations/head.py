"""The replayed head on the default SQLite scratch database, as a cacheable record.

Replaying a long history is the slowest part of a check, and a commit that
touches only models, PyDAL or runtime code leaves the history as it was. So the
replay's outcome (the SQLite database image after ``base -> heads``, where each
operation came from, and how far it got) is one record that the session's cache
keeps, keyed by the revision files, ``alembic.ini``, ``script.py.mako`` and any
application module the revisions imported: when none of those changed, the
compare runs on a copy of the stored image and nothing is replayed.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from drift_guard.migrations.report import ReplayFailure
from drift_guard.paths import is_dir
from drift_guard.schema import Location
from drift_guard.session import canonical

if TYPE_CHECKING:
    from alembic.script import Script
    from sqlalchemy.engine import Engine

    from drift_guard.migrations.origins import OriginRecorder
    from drift_guard.migrations.raw_sql import SkippedSql
    from drift_guard.migrations.recorded import Reflection
    from drift_guard.migrations.reversal import DowngradeProblem
    from drift_guard.migrations.stubs import StubbedImport
    from drift_guard.migrations.worker import Progress
    from drift_guard.service import Service
    from drift_guard.session import Session


SCRATCH = "sqlite"  # the scratch dialect a replayed head comes from, part of its cache key


@dataclass(frozen=True)
class ReplayedHead:
    applied: int  # revisions applied
    failure: ReplayFailure | None
    origins: tuple[tuple[Any, Location], ...]
    changes: tuple[tuple[Any, Location], ...]
    database: bytes  # the SQLite database image at the head (empty after a failure)
    interrupted: bool = False  # the worker timed out or died: says nothing about the files, never cached
    types: tuple[tuple[Any, Any], ...] = ()  # the recorder's declared dialect-specific types
    statement_failures: tuple[ReplayFailure, ...] = ()  # raw-SQL DDL no form of which ran (DG205), replay went on
    skipped_sql: tuple[SkippedSql, ...] = ()  # raw SQL SQLite did not run, per revision (DG208)
    downgrade_problems: tuple[DowngradeProblem, ...] = ()  # downgrades that do not restore the schema (DG207)
    stubbed_imports: tuple[StubbedImport, ...] = ()  # missing third-party packages stood in for (DG209)
    # a server's head (the embedded PostgreSQL): its reflection, played back to the compare
    reflection: Reflection | None = None

    def recorder(self) -> OriginRecorder:
        from drift_guard.migrations.origins import OriginRecorder

        return OriginRecorder(origins=dict(self.origins), changes=dict(self.changes), types=dict(self.types))


def revision_files(dirs: Sequence[Path], recursive: bool) -> list[Path]:
    """The revision files Alembic would load from the version folders (the
    graph's own listing; a folder that cannot be listed is the graph's DG203)."""
    from drift_guard.extract.alembic import list_revision_files

    found: list[Path] = []
    for folder in dirs:
        try:
            found.extend(list_revision_files(Path(folder), recursive=recursive))
        except OSError:
            continue
    return sorted(found)


def migration_inputs(service: Service, dirs: Sequence[Path], recursive: bool) -> list[Path]:
    """Every file the migration check reads or runs: the revisions, any other
    Python file under ``script_location`` (env.py, and stray revisions the graph
    reports), ``alembic.ini`` and ``script.py.mako``. Cached results of the check
    list these names in their keys and depend on their contents."""
    files = set(replay_inputs(service, revision_files(dirs, recursive)))
    if service.script_location is not None and is_dir(service.script_location):
        files.update(p for p in service.script_location.rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(files)


def replayed_head(
    service: Service, dirs: Sequence[Path], recursive: bool, revision_ids: dict[str, str], session: Session | None
) -> ReplayedHead:
    """The head, from the cache while every file it came from is unchanged
    (or from the replay :func:`prefetch` started in a worker process)."""
    files = revision_files(dirs, recursive)

    def compute() -> ReplayedHead:
        if session is not None:
            for path in replay_inputs(service, files):
                session.note(path)
        pending = session.take_prefetched(prefetch_key(service)) if session is not None else None
        head, imported = pending() if pending is not None else _replay(service, dirs, recursive, revision_ids)
        if session is not None:
            for path in imported:
                session.note(path)
        return head

    if session is None:
        return compute()
    # a head replayed with stand-ins is this environment's outcome (the package may be installed next run)
    keep = lambda head: not head.interrupted and not head.stubbed_imports  # noqa: E731
    key = head_key(service, files)
    # once per run, whoever asks (with --no-cache the HTML report would replay it again)
    return session.memo(session.heads, repr(key), lambda: session.cached("replay", key, compute, keep=keep))


def stored_head(service: Service, dirs: Sequence[Path], recursive: bool, session: Session) -> ReplayedHead | None:
    """The head as the cache holds it (this run's replay, or an earlier one of
    the same files), None when it does not: a reader that only wants to look at
    the head (the HTML report) need not rebuild the revision graph for it."""
    files = revision_files(dirs, recursive)
    if files and repr(head_key(service, files)) in session.heads:
        return replayed_head(service, dirs, recursive, {}, session)
    if not files or not session.is_cached("replay", head_key(service, files)):
        return None
    return replayed_head(service, dirs, recursive, {}, session)


def prefetch(service: Service, dirs: Sequence[Path], recursive: bool, session: Session) -> Callable[[], None] | None:
    """Start the replay in a worker process while this one reads the models;
    a function that withdraws it (ends the worker), or None if none started.

    The replay needs nothing from the static extraction (only the compare
    does), so on a cold run the two cores do the two slowest parts at once. A
    revision that ends its process (``os._exit``) ends the worker, not this run
    (see :mod:`.worker`)."""
    key = prefetch_key(service)
    started = session.withdrawal(key)
    if started is not None:
        return started  # started already, while discovery read the rest of the service
    files = revision_files(dirs, recursive)
    if not files or session.is_cached("replay", head_key(service, files)):
        return None
    if any(session.escapes(path) for path in files):
        return None  # never run a revision linked from outside the repository (the graph check reports it)
    from drift_guard.migrations import worker

    where = Location(canonical(dirs[0]) if dirs else service.name)
    pending = worker.start(
        lambda progress: _replay_in_worker(service, list(dirs), recursive, progress),
        session.options.migration_timeout,
        where,
    )

    def result() -> tuple[ReplayedHead, list[Path]]:
        outcome = pending.result()
        if isinstance(outcome, worker.Aborted):
            return ReplayedHead(0, outcome.failure, (), (), b"", interrupted=True), []
        return outcome

    def withdraw() -> None:
        if session.take_prefetched(key) is not None:
            pending.cancel()

    session.prefetched(key, result, withdraw)
    return withdraw


def prefetch_key(service: Service) -> tuple[str, str]:
    """What :func:`prefetch` keeps the pending replay under in the session."""
    return ("replay", str(service.root))


def _replay_in_worker(
    service: Service, dirs: list[Path], recursive: bool, progress: Progress
) -> tuple[ReplayedHead, list[Path]]:
    """The replay in the worker process (see :mod:`.worker`)."""
    from drift_guard.extract.alembic import build_revision_graph

    graph = build_revision_graph(dirs, service.script_location, recursive=recursive)
    ids = {str(h.path.resolve()): h.revision for h in graph.revisions if h.revision}
    import warnings

    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        # SQLAlchemy's notes on what batch mode reflects (an expression index it
        # skips) are not the user's; what the revisions themselves print still is
        warnings.simplefilter("ignore", SAWarning)
        return _replay(service, dirs, recursive, ids, progress)


def head_key(service: Service, files: list[Path], scratch: object = SCRATCH) -> list[object]:
    # "downgrades": heads cached before the downgrade check and raw-SQL records are not reused;
    # scratch: the database the head comes from (the SQLite image, or a server's recorded reflection)
    roots = [str(r) for r in service.import_roots]
    return [[str(p) for p in files], str(service.script_location), roots, scratch, "downgrades", "bind-sql"]


def replay_inputs(service: Service, files: list[Path]) -> list[Path]:
    mako = service.script_location / "script.py.mako" if service.script_location is not None else None
    return [p for p in (*files, service.alembic_ini, mako) if p is not None]


def _replay(
    service: Service,
    dirs: Sequence[Path],
    recursive: bool,
    revision_ids: dict[str, str],
    progress: Progress | None = None,
) -> tuple[ReplayedHead, list[Path]]:
    """Replay ``base -> heads`` into SQLite in memory; also the application
    modules the revisions imported (``from app.db.types import GUID``): they are
    inputs of the replay too, so a change there must replay again."""
    from drift_guard.migrations.replay import ReplayEnvironment, load_scripts, prepended_sys_path, replay
    from drift_guard.migrations.scratch import scratch_engine
    from drift_guard.migrations.stubs import stand_ins

    roots = tuple(service.import_roots or (service.root,))
    with prepended_sys_path(roots), stand_ins() as finder:
        before = set(sys.modules)
        try:
            scripts: list[Script] = []
            failure: ReplayFailure | None = None
            if service.script_location is not None and is_dir(service.script_location):
                scripts, failure = load_scripts(
                    service.script_location,
                    dirs,
                    recursive=recursive,
                    revision_ids=revision_ids,
                    stand_ins=finder,
                    roots=roots,
                    in_worker=progress is not None,
                )
            stubbed = tuple(finder.stubbed)
            if failure is not None:
                head = ReplayedHead(0, failure, (), (), b"", stubbed_imports=stubbed)
                return head, application_modules(before, roots)
            environment = None
            if service.script_location is not None:
                environment = ReplayEnvironment(service.alembic_ini, service.script_location, tuple(dirs), recursive)
            with scratch_engine(None) as engine, engine.connect() as connection:
                result = replay(
                    scripts,
                    connection,
                    batch_on_sqlite=True,
                    environment=environment,
                    check_downgrades=True,
                    progress=progress,
                )
                if connection.in_transaction():
                    connection.commit()
                image = b"" if result.failure is not None else _image(engine)
        finally:
            imported = application_modules(before, roots)
    recorder = result.recorder
    head = ReplayedHead(
        result.applied,
        result.failure,
        tuple(recorder.origins.items()),
        tuple(recorder.changes.items()),
        image,
        types=tuple(recorder.types.items()),
        statement_failures=result.statement_failures(),
        skipped_sql=result.raw_sql.records(),
        downgrade_problems=tuple(result.downgrade_problems),
        stubbed_imports=stubbed,
    )
    return head, imported


def application_modules(before: set[str], roots: Sequence[Path]) -> list[Path]:
    prefixes = tuple(str(Path(r).resolve()) for r in roots)
    found = []
    for name in set(sys.modules) - before:
        origin = getattr(sys.modules.get(name), "__file__", None) or ""
        if origin.startswith(prefixes):
            found.append(Path(origin))
    return sorted(found)


def _image(engine: Engine) -> bytes:
    """The whole SQLite database as bytes (the backup API: any Python version)."""
    import sqlite3
    import tempfile

    raw = engine.raw_connection()
    try:
        with tempfile.TemporaryDirectory(prefix="driftguard_") as folder:
            target = sqlite3.connect(Path(folder) / "head.db")
            try:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
            finally:
                target.close()
            return (Path(folder) / "head.db").read_bytes()
    finally:
        raw.close()


@contextmanager
def head_engine(head: ReplayedHead) -> Iterator[Engine]:
    """An in-memory scratch database holding the stored head (a private copy:
    the compare may write, the stored image never changes)."""
    import sqlite3
    import tempfile

    from drift_guard.migrations.scratch import scratch_engine

    with scratch_engine(None) as engine:
        with tempfile.TemporaryDirectory(prefix="driftguard_") as folder:
            path = Path(folder) / "head.db"
            path.write_bytes(head.database)
            source = sqlite3.connect(path)
            raw = engine.raw_connection()
            try:
                source.backup(raw.driver_connection)  # type: ignore[arg-type]
            finally:
                source.close()
                raw.close()
        yield engine
