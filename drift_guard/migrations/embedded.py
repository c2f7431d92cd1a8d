"""A real PostgreSQL as the scratch database, with no server to run (pgserver).

A history written for PostgreSQL replays most faithfully on PostgreSQL: its
types, its raw SQL, its reflection. ``pgserver`` (``drift-guard[postgres]``)
ships PostgreSQL's binaries in a wheel, so when the target is PostgreSQL and no
``--database-url`` is given, a fresh cluster is started for the check in a
temporary folder (listening on a Unix socket in that folder only, trust
authentication: nothing on the machine or the network can reach it), and the
history is replayed there by the very path ``--database-url`` takes (a scratch
login and database, a forked worker connecting by URL).

The cluster belongs to this process: it is started here, never in the worker,
and stopped and deleted with its folder in a ``finally``, so also on errors,
Ctrl-C and SIGTERM (turned into an interrupt while it runs). pgserver is
imported only here, only when a cluster is started: a SQLite run never pays for
it. Starting may fail (no pgserver, a sandbox that forbids shared memory): that
is :class:`Unavailable`, with the reason, and the check falls back to SQLite
(DG210 says so).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

MODULE = "pgserver"
INSTALL_HINT = 'pip install "drift-guard[postgres]"'
_SHORT_TMP = "/tmp" if os.path.isdir("/tmp") else None
_DRIVERS = (
    "psycopg2",
    "psycopg",
    "pg8000",
)  # the ones scratch.py tries for a URL without a driver


class Unavailable(Exception):
    """The embedded PostgreSQL cannot be used; ``str()`` says why."""


def missing() -> str | None:
    """Why the embedded PostgreSQL cannot be used here (pgserver, or a
    PostgreSQL driver to reach it, is not installed), or None when it can:
    found without importing them, deciding the scratch database stays cheap."""
    if not _installed(MODULE):
        return f"`{MODULE}` is not installed where drift-guard runs"
    if not any(_installed(driver) for driver in _DRIVERS):
        return f"no PostgreSQL driver ({', '.join(_DRIVERS)}) is installed where drift-guard runs"
    return None


def _installed(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@contextmanager
def embedded_postgres() -> Iterator[str]:
    """A fresh PostgreSQL cluster for the duration of the block; yields the
    URL of its ``postgres`` superuser. Raises :class:`Unavailable` when the
    cluster cannot be started (nothing is left behind then either)."""
    import tempfile

    from drift_guard.migrations.scratch import SCRATCH_PREFIX, sigterm_as_interrupt

    with sigterm_as_interrupt():
        folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}pg_"))
        runtime = folder
        server = None
        try:
            # a Unix socket's path is limited to ~107 bytes: when the data folder's is too
            # long (a deep $TMPDIR), pgserver puts the socket in its runtime folder, kept short
            runtime = _runtime_folder(folder)
            server = _start(folder / "data", runtime)
            yield server.get_uri()
        finally:
            _stop(server, folder, runtime)


def _start(pgdata: Path, runtime: Path) -> Any:
    reason = missing()
    if reason is not None:
        raise Unavailable(reason)
    import warnings

    try:
        with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is not set
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError as exc:
        raise Unavailable(f"`{MODULE}` cannot be imported: {exc}") from None
    _private_runtime_folder(pgserver, runtime)
    pgserver.postgres_server.atexit = _NoExitHandlers()  # type: ignore[assignment]
    with contextlib.suppress(OSError):  # a temporary folder that cannot be listed: nothing to drop
        _drop_abandoned(pgdata.parent.parent)
    # pgserver logs a failed start (with the server log) at ERROR: the reason is
    # reported once, as DG210, instead
    logger = logging.getLogger(MODULE)
    logger.propagate = False
    told = _Told()
    logger.addHandler(told)
    try:
        return pgserver.get_server(pgdata, cleanup_mode="delete")
    except Exception as exc:  # noqa: BLE001 - a third-party start (initdb, pg_ctl, permissions): any failure is a reason to fall back
        raise Unavailable(f"the embedded PostgreSQL did not start: {_reason(exc, told.error)}") from None
    finally:
        logger.removeHandler(told)


class _Told(logging.Handler):
    """Keeps what pgserver logs about a failed command: the command's own
    error (``initdb: error: ...``), which its exception does not carry."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.error = ""

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        tail = text.split("stderr:", 1)[1] if "stderr:" in text else ""
        lines = [line.strip() for line in tail.splitlines() if line.strip() and line.strip() != "---"]
        if lines and not self.error:
            self.error = lines[0]


def _runtime_folder(folder: Path) -> Path:
    """The run's short runtime folder, named after its data folder
    (``driftguard_pg_X`` -> ``driftguard_pgrun_X``) so that a later run can
    remove both when this one is killed (:func:`_drop_abandoned`)."""
    import tempfile

    from drift_guard.migrations.scratch import SCRATCH_PREFIX

    runtime = _runtime_folder_of(folder)
    try:
        runtime.mkdir(mode=0o700)
    except OSError:
        return Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}pgrun_", dir=_SHORT_TMP))
    return runtime


def _drop_abandoned(tmp: Path) -> None:
    """Stop and remove the clusters of earlier runs that were killed (a
    SIGKILL runs no ``finally``, and PostgreSQL outlives its parent).

    A cluster is abandoned when every process pgserver recorded as using it
    (``.handle_pids.json``: the drift-guard process that started it) is gone;
    a cluster being started has no such record yet and is left alone. Its
    postmaster is killed only while that pid still runs from that data folder
    (a pid may be reused). Best effort: what cannot be removed stays."""
    import json

    import psutil

    from drift_guard.migrations.scratch import SCRATCH_PREFIX

    for data in tmp.glob(f"{SCRATCH_PREFIX}pg_*/data"):
        try:
            owners = [int(pid) for pid in json.loads((data / ".handle_pids.json").read_text())]
        except (OSError, ValueError, TypeError):
            continue
        if any(psutil.pid_exists(pid) for pid in owners):
            continue
        _kill_postmaster(data)
        _remove(data.parent)
        _remove(_runtime_folder_of(data.parent))


def _runtime_folder_of(folder: Path) -> Path:
    from drift_guard.migrations.scratch import SCRATCH_PREFIX

    return Path(_SHORT_TMP or folder.parent) / folder.name.replace(f"{SCRATCH_PREFIX}pg_", f"{SCRATCH_PREFIX}pgrun_", 1)


def _private_runtime_folder(pgserver: Any, folder: Path) -> None:
    """pgserver keeps a lock file (and, for a long data path, the socket) in a
    per-user runtime folder (``$XDG_RUNTIME_DIR``, else ``$TMPDIR/runtime-<uid>``),
    made the first time it is used and never removed. The lock serialises
    processes sharing one data folder; ours is new and private to this run, so
    the lock (and a socket that does not fit in the data folder) live in a
    temporary folder of this run and go with it."""
    import fasteners

    server = pgserver.PostgresServer
    server.runtime_path = folder
    server.lock_path = folder / ".lockfile"
    server._lock = fasteners.InterProcessLock(str(server.lock_path))


def _reason(exc: BaseException, told: str) -> str:
    """What failed: the command's own error when pgserver logged one (initdb,
    pg_ctl), else the first line of the exception."""
    if told:
        return told
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _stop(server: Any, folder: Path, runtime: Path) -> None:
    """Stop the cluster (pgserver's own cleanup: ``pg_ctl stop``, then its data
    folder), kill a postmaster that is still running (that stop failed, or the
    start was interrupted halfway), and delete the run's temporary folders."""
    if server is not None:
        with contextlib.suppress(Exception):  # best effort: the kill below does not depend on it
            server.cleanup()
    _kill_postmaster(folder / "data")
    _remove(folder)
    _remove(runtime)


def _kill_postmaster(data: Path) -> None:
    """Kill the postmaster of ``data`` while its recorded pid still runs from
    that folder (a pid may have been reused meanwhile)."""
    with contextlib.suppress(Exception):  # no postmaster.pid, no psutil, a pid that ended meanwhile
        import psutil

        postmaster = psutil.Process(int((data / "postmaster.pid").read_text().split()[0]))
        if any(str(data.resolve()) in part for part in postmaster.cmdline()):
            postmaster.kill()
            postmaster.wait(5)


def _remove(folder: Path) -> None:
    """Delete ``folder``. As root, pgserver hands the data folder to its own
    system user (mode 0700): a root without the file-access override
    (CAP_DAC_OVERRIDE dropped, as in some sandboxes) cannot delete it until it
    takes ownership back (CAP_CHOWN), parent before children."""
    shutil.rmtree(folder, ignore_errors=True)
    if not folder.exists() or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    with contextlib.suppress(OSError):
        for path in (folder, *_descend_owning(folder)):
            os.chown(path, 0, 0, follow_symlinks=False)
    shutil.rmtree(folder, ignore_errors=True)


def _descend_owning(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder, onerror=None):
        for name in (*dirs, *files):
            path = Path(root) / name
            os.chown(path, 0, 0, follow_symlinks=False)  # before os.walk lists a folder it now owns
            yield path


class _NoExitHandlers:
    """Stands in for ``atexit`` inside pgserver: it registers an exit handler
    for every server it constructs, also one whose start failed (then nothing
    can unregister it, and at exit it reads the deleted data folder, or one it
    may not read, and prints a traceback). This module stops the cluster in
    its own ``finally``; those handlers are not needed."""

    @staticmethod
    def register(function: Any, *args: Any, **kwargs: Any) -> Any:
        return function

    @staticmethod
    def unregister(function: Any) -> None:
        return None
