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
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from drift_guard.migrations.report import ReplayFailure
from drift_guard.schema import Location

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from drift_guard.migrations.origins import OriginRecorder
    from drift_guard.service import Service
    from drift_guard.session import Session


@dataclass(frozen=True)
class ReplayedHead:
    applied: int  # revisions applied
    failure: ReplayFailure | None
    origins: tuple[tuple[Any, Location], ...]
    changes: tuple[tuple[Any, Location], ...]
    database: bytes  # the SQLite database image at the head (empty after a failure)

    def recorder(self) -> OriginRecorder:
        from drift_guard.migrations.origins import OriginRecorder

        return OriginRecorder(origins=dict(self.origins), changes=dict(self.changes))


def revision_files(dirs: Sequence[Path], recursive: bool) -> list[Path]:
    """The Python files Alembic would load from the version folders."""
    found: list[Path] = []
    for folder in dirs:
        if Path(folder).is_dir():
            found.extend(Path(folder).rglob("*.py") if recursive else Path(folder).glob("*.py"))
    return sorted(found)


def replayed_head(
    service: Service, dirs: Sequence[Path], recursive: bool, revision_ids: dict[str, str], session: Session | None
) -> ReplayedHead:
    """The head, from the cache while every file it came from is unchanged."""
    files = revision_files(dirs, recursive)

    def compute() -> ReplayedHead:
        return _replay(service, dirs, recursive, revision_ids, files, session)

    if session is None:
        return compute()
    key = [[str(p) for p in files], str(service.script_location), [str(r) for r in service.import_roots], "sqlite"]
    return session.cached("replay", key, compute)


def _replay(
    service: Service, dirs: Sequence[Path], recursive: bool, revision_ids: dict[str, str],
    files: list[Path], session: Session | None,
) -> ReplayedHead:
    from drift_guard.migrations.replay import load_scripts, prepended_sys_path, replay
    from drift_guard.migrations.scratch import scratch_engine

    if session is not None:
        for path in (*files, service.alembic_ini, service.script_location and service.script_location / "script.py.mako"):
            if path is not None:
                session.note(path)
    roots = tuple(service.import_roots or (service.root,))
    with prepended_sys_path(roots):
        before = set(sys.modules)
        try:
            scripts, failure = ([], None)
            if service.script_location is not None and service.script_location.is_dir():
                scripts, failure = load_scripts(service.script_location, dirs, recursive=recursive, revision_ids=revision_ids)
            if failure is not None:
                return ReplayedHead(0, failure, (), (), b"")
            with scratch_engine(None) as engine, engine.connect() as connection:
                result = replay(scripts, connection, batch_on_sqlite=True)
                if connection.in_transaction():
                    connection.commit()
                image = b"" if result.failure is not None else _image(engine)
        finally:
            _note_application_modules(before, roots, session)
    recorder = result.recorder
    return ReplayedHead(
        result.applied, result.failure, tuple(recorder.origins.items()), tuple(recorder.changes.items()), image
    )


def _note_application_modules(before: set[str], roots: Sequence[Path], session: Session | None) -> None:
    """Application modules a revision imported (``from app.db.types import GUID``)
    are inputs of the replay too: a change there must replay again."""
    if session is None:
        return
    prefixes = tuple(str(Path(r).resolve()) for r in roots)
    for name in set(sys.modules) - before:
        origin = getattr(sys.modules.get(name), "__file__", None) or ""
        if origin.startswith(prefixes):
            session.note(Path(origin))


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
