"""Replay the revision history ``base -> heads`` into a scratch database.

The revision scripts are loaded by Alembic's own :class:`ScriptDirectory`
(same file listing, same module loading, same revision map: all heads, merges
and ``depends_on`` ordered exactly as ``alembic upgrade heads`` would), but the
project's ``env.py`` is never run. Each ``upgrade()`` runs with ``alembic.op``
bound to an :class:`Operations` on a :class:`MigrationContext` of the scratch
connection, inside its own transaction.

Revision scripts are user code: loading or running one may raise anything
(ImportError for application imports, a DB error, a NameError in a typo). Those
failures are the data DG205 reports, so this module is the one boundary where
``Exception`` is caught, and only around the user's code. ``SystemExit`` too:
a revision calling ``sys.exit()`` must not end drift-guard with the
revision's exit status and no report (a silent pass in CI for ``sys.exit(0)``);
``KeyboardInterrupt`` still stops the run.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from drift_guard.migrations.origins import OriginRecorder
from drift_guard.migrations.report import ReplayFailure
from drift_guard.paths import display_path
from drift_guard.schema import Location

if TYPE_CHECKING:
    from alembic.script import Script
    from sqlalchemy.engine import Connection

    from drift_guard.migrations.worker import Progress


# What user code (revision scripts, env.py) may raise that becomes a DG205.
USER_CODE_ERRORS = (Exception, SystemExit)


@dataclass
class ReplayResult:
    applied: int = 0
    failure: ReplayFailure | None = None
    recorder: OriginRecorder = field(default_factory=OriginRecorder)


@contextmanager
def prepended_sys_path(roots: Sequence[Path]) -> Iterator[None]:
    """What alembic.ini's ``prepend_sys_path`` does, undone afterwards.

    Modules first imported meanwhile (application code a revision or env.py
    imports) are dropped again: one run checks several services, and service
    B's ``app`` package must not be answered from service A's. The working
    directory is restored too: a revision calling ``os.chdir`` must not move
    where the report is written or what paths are shown relative to.
    """
    import os

    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    saved_cwd = os.getcwd()
    sys.path[:0] = [str(r) for r in roots]
    try:
        yield
    finally:
        if os.getcwd() != saved_cwd:
            os.chdir(saved_cwd)
        sys.path[:] = saved_path
        prefixes = tuple(str(r.resolve()) for r in roots)
        for name in set(sys.modules) - saved_modules:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if origin.startswith(prefixes):
                del sys.modules[name]


def load_scripts(
    script_location: Path,
    version_dirs: Sequence[Path],
    *,
    recursive: bool,
    revision_ids: dict[str, str],
    in_worker: bool = False,
) -> tuple[list[Script], ReplayFailure | None]:
    """Revision scripts in upgrade order, or the failure that stopped loading.

    ``revision_ids`` maps resolved file paths to the statically read revision
    id, to name the revision whose import failed. ``in_worker``: any
    BaseException is that failure (see :func:`_apply`).
    """
    from alembic.script import ScriptDirectory

    directory = ScriptDirectory(
        str(script_location),
        version_locations=[str(d) for d in version_dirs],
        recursive_version_locations=recursive,
    )
    try:
        scripts = list(directory.walk_revisions("base", "heads"))
    except BaseException as exc:  # user code executed at load time (see module docstring)
        if not in_worker and not isinstance(exc, USER_CODE_ERRORS):
            raise  # Ctrl-C stops this process; in a worker, it ends the replay (see worker.py)
        return [], _load_failure(exc, version_dirs, revision_ids)
    scripts.reverse()
    return scripts, None


def _load_failure(exc: BaseException, version_dirs: Sequence[Path], revision_ids: dict[str, str]) -> ReplayFailure:
    fallback = Location(display_path(version_dirs[0]) if version_dirs else ".")
    return failure_from(exc, version_dirs, revision_ids, fallback)


def failure_from(
    exc: BaseException, roots: Sequence[Path], revision_ids: dict[str, str], fallback: Location
) -> ReplayFailure:
    """A failure located at the innermost traceback frame in a file under
    ``roots`` (the revision's import or op line), else at ``fallback``."""
    prefixes = [str(r.resolve()) for r in roots]
    tb: TracebackType | None = exc.__traceback__
    found: tuple[str, int] | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if any(filename.startswith(prefix) for prefix in prefixes):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    failed_import = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
    if found is None:
        return ReplayFailure(None, fallback, error_message(exc), failed_import)
    path, line = found
    return ReplayFailure(revision_ids.get(path), Location(display_path(path), line), error_message(exc), failed_import)


def replay(
    scripts: Sequence[Script], connection: Connection, *, batch_on_sqlite: bool, progress: Progress | None = None
) -> ReplayResult:
    """Apply every script's ``upgrade()``; stop at the first failure.
    ``progress`` (in a worker) is told which revision runs, to locate a
    worker that dies or times out there."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    result = ReplayResult()
    recorder = result.recorder
    context = MigrationContext.configure(connection)
    with Operations.context(context) as ops:
        _instrument(ops, recorder, batch_on_sqlite=batch_on_sqlite)
        for script in scripts:
            recorder.current_file = str(script.path)
            recorder.current_display = display_path(script.path)
            if progress is not None:
                progress.at(script.revision, script.path)
            failure = _apply(script, connection, recorder, BaseException if progress is not None else USER_CODE_ERRORS)
            if failure is not None:
                result.failure = failure
                break
            result.applied += 1
    return result


def _instrument(ops: Any, recorder: OriginRecorder, *, batch_on_sqlite: bool) -> None:
    """Record every invoked operation (also inside batch blocks) and, on
    SQLite, reroute the ALTERs SQLite lacks through batch mode."""
    from drift_guard.migrations.sqlite_compat import reroute_through_batch

    ops.invoke = recorder.wrap_invoke(ops.invoke)
    original_batch = ops.batch_alter_table

    @contextmanager
    def batch_alter_table(*args: Any, **kw: Any) -> Iterator[Any]:
        with original_batch(*args, **kw) as batch_op:
            batch_op.invoke = recorder.wrap_invoke(batch_op.invoke)
            yield batch_op

    ops.batch_alter_table = batch_alter_table
    if batch_on_sqlite:
        reroute_through_batch(ops)


def _apply(
    script: Script, connection: Connection, recorder: OriginRecorder, catch: type[BaseException] | tuple
) -> ReplayFailure | None:
    """``catch``: in a worker process any BaseException of the revision is its
    DG205 (nothing else runs there); in this process KeyboardInterrupt is not."""
    if connection.in_transaction():
        connection.commit()
    try:
        with connection.begin():
            script.module.upgrade()
    except catch as exc:  # the revision's own code failed (see module docstring)
        location = recorder.failure_location(exc.__traceback__)
        if location is None:
            location = Location(display_path(script.path))
        failed_import = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
        return ReplayFailure(script.revision, location, error_message(exc), failed_import)
    return None


def error_message(exc: BaseException) -> str:
    """The database's own error message when there is one, else Python's."""
    orig = getattr(exc, "orig", None)
    if isinstance(exc, SystemExit):
        text = f"the script called sys.exit({exc.code!r})" if exc.code is not None else "the script called sys.exit()"
    elif orig is not None:
        text = _dbapi_text(orig)
    else:
        text = f"{type(exc).__name__}: {exc}"
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _dbapi_text(orig: BaseException) -> str:
    """A driver exception as its message, not the repr of its args: PyMySQL
    raises ``OperationalError(1146, "Table 'x' doesn't exist")``, whose
    ``str()`` is the tuple ``(1146, "Table 'x' doesn't exist")``."""
    args = orig.args
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return f"{args[1]} (error {args[0]})"
    return str(orig)
