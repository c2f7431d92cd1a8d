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

import contextlib
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from drift_guard.migrations.origins import OriginRecorder
from drift_guard.migrations.raw_sql import RawSqlLog
from drift_guard.migrations.report import ReplayFailure
from drift_guard.migrations.user_code import USER_CODE_ERRORS, error_message
from drift_guard.schema import Location
from drift_guard.session import canonical

if TYPE_CHECKING:
    from alembic.script import Script
    from sqlalchemy.engine import Connection

    from drift_guard.migrations.reversal import DowngradeProblem
    from drift_guard.migrations.stubs import StandInFinder
    from drift_guard.migrations.worker import Progress


@dataclass
class ReplayResult:
    applied: int = 0
    failure: ReplayFailure | None = None
    recorder: OriginRecorder = field(default_factory=OriginRecorder)
    raw_sql: RawSqlLog = field(default_factory=RawSqlLog)
    downgrade_problems: list[DowngradeProblem] = field(default_factory=list)
    in_round_trip: bool = False  # a downgrade round trip is running (see round_trip.check_downgrade)

    def statement_failures(self) -> tuple[ReplayFailure, ...]:
        """DDL in raw SQL that no form of ran (DG205), the replay having gone on."""
        return tuple(ReplayFailure(revision, location, error) for revision, location, error in self.raw_sql.failed)


@dataclass(frozen=True)
class ReplayEnvironment:
    """What Alembic gives revisions when it runs them: the project's ``Config``
    (``op.get_context().config``, ``context.config``), the script directory and
    the ``-x`` arguments (none). ``sqlalchemy.url`` names the scratch database,
    never the application's: a revision that connects by it reaches the scratch."""

    alembic_ini: Path | None
    script_location: Path
    version_dirs: tuple[Path, ...]
    recursive: bool

    def context(self, url: str) -> Any:
        """An :class:`EnvironmentContext` (enter it to install ``alembic.context``)."""
        import argparse

        from alembic.config import Config
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory

        ini = str(self.alembic_ini) if self.alembic_ini is not None and self.alembic_ini.is_file() else None
        config = Config(ini, cmd_opts=argparse.Namespace(x=[], raiseerr=False, sql=False, tag=None))
        try:
            config.set_main_option("script_location", str(self.script_location))
            config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        except Exception:  # noqa: BLE001 - an alembic.ini configparser cannot hold these: an empty Config
            config = Config(cmd_opts=argparse.Namespace(x=[], raiseerr=False, sql=False, tag=None))
            config.set_main_option("script_location", str(self.script_location))
            config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        directory = ScriptDirectory(
            str(self.script_location),
            version_locations=[str(d) for d in self.version_dirs],
            recursive_version_locations=self.recursive,
        )
        return EnvironmentContext(config, directory)

    def read_dialect(self) -> str:
        """sqlglot's name of the dialect the history is written for: MySQL when
        alembic.ini's ``sqlalchemy.url`` says so, else PostgreSQL."""
        from drift_guard.discovery.alembic_ini import raw_ini

        parser = raw_ini(self.alembic_ini) if self.alembic_ini is not None else None
        try:
            url = parser.get("alembic", "sqlalchemy.url", fallback="", raw=True) if parser else ""
        except Exception:  # noqa: BLE001 - configparser errors of a broken ini: the default
            url = ""
        return "mysql" if url.strip().lower().startswith(("mysql", "mariadb")) else "postgres"


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
    stand_ins: StandInFinder | None = None,
    roots: Sequence[Path] = (),
    in_worker: bool = False,
) -> tuple[list[Script], ReplayFailure | None]:
    """Revision scripts in upgrade order, or the failure that stopped loading.

    ``revision_ids`` maps resolved file paths to the statically read revision
    id, to name the revision whose import failed. With ``stand_ins``, a missing
    third-party package (none of ``roots`` holds it) is stood in for and
    loading tried again (see :mod:`.stubs`). ``in_worker``: any BaseException
    is that failure (see :func:`_apply`).
    """
    from alembic.script import ScriptDirectory

    from drift_guard.migrations.stubs import StubbedImport, stubbable

    while True:
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
            failure = _load_failure(exc, version_dirs, revision_ids)
            package = stubbable(exc, roots) if stand_ins is not None and isinstance(exc, Exception) else None
            if stand_ins is None or package is None or package in stand_ins.packages:
                return [], failure
            stand_ins.packages.add(package)
            stand_ins.stubbed.append(StubbedImport(package, failure.revision, failure.location))
            continue
        scripts.reverse()
        return scripts, None


def _load_failure(exc: BaseException, version_dirs: Sequence[Path], revision_ids: dict[str, str]) -> ReplayFailure:
    fallback = Location(canonical(version_dirs[0]) if version_dirs else ".")
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
    return ReplayFailure(revision_ids.get(path), Location(canonical(path), line), error_message(exc), failed_import)


def replay(
    scripts: Sequence[Script],
    connection: Connection,
    *,
    batch_on_sqlite: bool,
    environment: ReplayEnvironment | None = None,
    check_downgrades: bool = False,
    progress: Progress | None = None,
) -> ReplayResult:
    """Apply every script's ``upgrade()``; stop at the first failure.

    ``check_downgrades`` (SQLite and PostgreSQL only: it relies on DDL inside a
    savepoint being undone, see :func:`.reversal.downgrades_checkable`) also runs
    each ``downgrade()`` right after its ``upgrade()`` (see :mod:`.reversal`). ``progress`` (in a worker) is told which revision runs,
    to locate a worker that dies or times out there."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    result = ReplayResult()
    recorder = result.recorder
    current: list[Script] = []
    runner = None
    if batch_on_sqlite:
        from drift_guard.migrations.raw_sql import RawSqlRunner

        def where() -> tuple[str, str | None, Location]:
            script = current[-1]
            location = recorder.caller_location() or Location(canonical(script.path))
            return str(script.path), script.revision, location

        read = environment.read_dialect() if environment is not None else "postgres"
        runner = RawSqlRunner(connection, result.raw_sql, read, where)
    with contextlib.ExitStack() as stack:
        if environment is not None:
            url = connection.engine.url.render_as_string(hide_password=False)
            env = stack.enter_context(environment.context(url))
            env.configure(connection=connection)
            context = env.get_context()
        else:
            context = MigrationContext.configure(connection)
        if batch_on_sqlite:
            # autocommit_block() (for PostgreSQL's ALTER TYPE ... ADD VALUE) would end the savepoints
            # raw SQL and the downgrade check rely on; SQLite runs those statements in a transaction
            context.autocommit_block = contextlib.nullcontext
        elif check_downgrades:
            from drift_guard.migrations.round_trip import outside_round_trips

            context.autocommit_block = outside_round_trips(context.autocommit_block, result)
        ops = stack.enter_context(Operations.context(context))
        _instrument(ops, recorder, batch_on_sqlite=batch_on_sqlite, raw_sql=runner)
        if runner is not None:
            from drift_guard.migrations.bind_sql import revisions_raw_sql

            stack.enter_context(revisions_raw_sql(connection, runner, lambda: str(current[-1].path) if current else ""))
        before = None
        if check_downgrades:
            from drift_guard.migrations.round_trip import check_downgrade, committed_snapshot

            before = committed_snapshot(connection)
        for script in scripts:
            current.append(script)
            recorder.current_file = str(script.path)
            recorder.current_display = canonical(script.path)
            if progress is not None:
                progress.at(script.revision, script.path)
            failure = _apply(script, connection, recorder, BaseException if progress is not None else USER_CODE_ERRORS)
            if failure is not None:
                result.failure = failure
                break
            result.applied += 1
            if before is not None:
                before = check_downgrade(script, connection, result, before)
    return result


def _instrument(ops: Any, recorder: OriginRecorder, *, batch_on_sqlite: bool, raw_sql: Any = None) -> None:
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
        reroute_through_batch(ops, raw_sql)


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
            location = Location(canonical(script.path))
        failed_import = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
        return ReplayFailure(script.revision, location, error_message(exc), failed_import)
    return None
