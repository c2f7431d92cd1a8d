"""The migration check (DG2xx): models vs Alembic migrations, no live database.

1. the revision graph is read statically (:mod:`drift_guard.extract.alembic`);
   a broken graph skips the replay (DG203 explains why);
2. the history is replayed ``base -> heads`` into a scratch database we own
   (:mod:`.scratch`, :mod:`.replay`), with Alembic's ScriptDirectory and
   Operations but without the project's env.py;
3. Alembic's ``compare_metadata`` runs between that database and a MetaData
   built from the statically extracted models (:mod:`.metadata`, :mod:`.compare`).

The result is one :class:`MigrationReport` per service, computed only when a
DG2xx rule asks for it (``ServiceContext.migrations``).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from drift_guard.discovery.revision_folders import external_migrations, version_locations
from drift_guard.migrations.head import ReplayedHead, application_modules
from drift_guard.migrations.report import (
    DiffKind,
    MigrationDiff,
    MigrationReport,
    ReplayFailure,
    UnreachedTable,
)
from drift_guard.paths import is_dir

if TYPE_CHECKING:
    from alembic.script import Script
    from sqlalchemy.engine import URL, Connection

    from drift_guard.extract.alembic import RevisionGraph
    from drift_guard.migrations.replay import ReplayResult
    from drift_guard.migrations.reversal import DowngradeProblem
    from drift_guard.migrations.worker import Progress
    from drift_guard.schema import Location, Schema
    from drift_guard.service import Service

__all__ = [
    "DiffKind",
    "MigrationDiff",
    "MigrationReport",
    "ReplayFailure",
    "UnreachedTable",
    "check_migrations",
    "external_migrations",
    "version_locations",
]


def check_migrations(
    service: Service,
    models: Schema,
    *,
    database_url: str | None = None,
    alembic_env: bool = False,
    embedded: bool = False,
) -> MigrationReport:
    """Replay ``service``'s history and compare it with ``models``.

    ``embedded=True`` (the target is PostgreSQL and pgserver may be installed):
    without ``database_url``, replay on an embedded PostgreSQL started for the
    check (see :mod:`.embedded`), falling back to SQLite when it cannot start.

    ``alembic_env=True`` runs the project's own env.py instead of the static
    replay (see :mod:`.env_mode`); it raises ConfigError for an env.py that
    could connect to a database other than the scratch one.
    """
    from dataclasses import replace

    from drift_guard.extract.alembic import GraphIssue, build_revision_graph
    from drift_guard.migrations.reach import unreached_model_tables

    unusable = _unusable_alembic_ini(service, database_url)
    if unusable is not None:
        return unusable
    dirs, recursive = version_locations(service)
    external = external_migrations(service, dirs)
    if external is not None:
        from drift_guard.schema import Location
        from drift_guard.session import canonical, shown

        where = Location(canonical(service.alembic_ini)) if service.alembic_ini else Location(service.name)
        message = (
            f"the migrations folder `{shown(external)}` is outside the repository, so its revisions were "
            "not run (set `allow-external-migrations = true` in [tool.drift_guard] to run them)"
        )
        issue = GraphIssue("external-migrations", message, where)
        return MigrationReport(graph_issues=(issue,), database=_dialect_name(database_url), skipped=message)
    graph = build_revision_graph(dirs, service.script_location, recursive=recursive)
    # A revision file that does not parse is a DG203 (Alembic cannot load it);
    # one that cannot be read at all is a DG001 like any other file, unless it
    # lies outside the service, where DG001 does not look.
    reported = {p.location for p in _failures_under(service.root)}
    unparsable = tuple(
        GraphIssue("syntax-error", p.message, p.location) for p in graph.problems if p.location not in reported
    )
    report = MigrationReport(
        graph_issues=graph.issues + unparsable,
        heads=graph.heads,
        empty_downgrades=tuple(h for h in graph.revisions if h.upgrade_does_something and h.downgrade_empty),
        unreached_tables=unreached_model_tables(service, models),
        database=_dialect_name(database_url),
    )
    if graph.broken:
        return replace(report, skipped="the revision graph is broken")
    if service.script_location is not None and not is_dir(service.script_location):
        # Alembic itself stops here ("Path doesn't exist"): one finding, not a
        # "no migration creates it" for every model table.
        from drift_guard.schema import Location
        from drift_guard.session import canonical, shown

        where = Location(canonical(service.alembic_ini)) if service.alembic_ini else Location(service.name)
        state = "is not a folder" if os.path.exists(service.script_location) else "does not exist"
        missing = GraphIssue(
            "missing-script-location",
            f"script_location `{shown(service.script_location)}` {state}, so Alembic cannot load any revision",
            where,
        )
        return replace(report, graph_issues=report.graph_issues + (missing,), skipped="script_location does not exist")
    # Revision scripts and env.py may print; standard output carries the report
    # (JSON, SARIF), so whatever user code prints goes to standard error.
    with contextlib.redirect_stdout(sys.stderr):
        if alembic_env:
            if database_url is None and embedded:
                return _with_env_py_on_embedded(service, models, graph, report)
            return _with_env_py(service, models, graph, report, database_url)
        return _replay_and_compare(service, models, graph, dirs, recursive, report, database_url, embedded)


def _failures_under(root: Path) -> list:
    from drift_guard.parsing import failures_under

    return failures_under(root)


def _unusable_alembic_ini(service: Service, database_url: str | None) -> MigrationReport | None:
    """The report for an alembic.ini Alembic itself would refuse: unreadable
    (a DG001 already says why: nothing more to report) or without a usable
    script_location (one DG203). Nothing is replayed from a guessed folder."""
    if service.alembic_ini is None:
        return None
    from drift_guard.discovery.alembic_ini import read_alembic_ini
    from drift_guard.extract.alembic import GraphIssue
    from drift_guard.schema import Location
    from drift_guard.session import canonical

    ini = read_alembic_ini(service.alembic_ini)
    database = _dialect_name(database_url)
    if not ini.readable:
        return MigrationReport(database=database, skipped="alembic.ini cannot be read")
    if ini.script_problem is None:
        return None
    issue = GraphIssue("missing-script-location", ini.script_problem, Location(canonical(ini.path), ini.script_line))
    return MigrationReport(
        graph_issues=(issue,), database=database, skipped="alembic.ini has no usable script_location"
    )


def _replay_and_compare(
    service: Service,
    models: Schema,
    graph: RevisionGraph,
    dirs: list[Path],
    recursive: bool,
    report: MigrationReport,
    database_url: str | None,
    embedded: bool = False,
) -> MigrationReport:
    from dataclasses import replace

    ids = {str(h.path.resolve()): h.revision for h in graph.revisions if h.revision}
    if database_url is None and embedded:
        from drift_guard.migrations.embedded import Unavailable, embedded_postgres
        from drift_guard.migrations.server_head import compare_with_stored

        # the history did not change since a replay on the embedded server: its recorded head, no server
        stored = compare_with_stored(service, models, graph, dirs, recursive, replace(report, database="postgresql"))
        if stored is not None:
            return stored
        try:
            with embedded_postgres() as cluster:
                report = replace(report, database="postgresql")
                return _replay_on_url(service, models, graph, dirs, recursive, report, ids, cluster, keep_head=True)
        except Unavailable as exc:
            report = replace(report, database="sqlite", scratch_fallback=str(exc))
    if database_url is None:
        return _compare_with_cached_head(service, models, graph, dirs, recursive, report, ids)
    return _replay_on_url(service, models, graph, dirs, recursive, report, ids, database_url)


def _replay_on_url(
    service: Service,
    models: Schema,
    graph: RevisionGraph,
    dirs: list[Path],
    recursive: bool,
    report: MigrationReport,
    ids: dict[str, str],
    database_url: str,
    keep_head: bool = False,
) -> MigrationReport:
    """Replay and compare on a scratch database of the server at ``database_url``
    (``--database-url``, or the embedded PostgreSQL's superuser URL); with
    ``keep_head``, the head is recorded and kept for the next run (see
    :mod:`.server_head`)."""
    from dataclasses import replace

    from drift_guard.migrations import worker
    from drift_guard.migrations.scratch import scratch_engine

    with scratch_engine(database_url) as engine:
        url = engine.url
        # In a worker (see worker.py): whatever a revision does to its process,
        # this one reports it, and drops the database once the worker is gone.
        outcome = worker.start(
            lambda progress: _replay_on_server(
                service, models, graph, dirs, recursive, ids, url, progress, record=keep_head
            ),
            worker.time_limit(),
            _versions_location(service, dirs),
        ).result()
    if isinstance(outcome, worker.Aborted):
        return replace(report, failures=(outcome.failure,))
    applied, failure, diffs, downgrades, kept = outcome
    report = replace(report, downgrade_problems=downgrades, replayed=applied)
    if failure is not None:
        failure = _without_scratch_name(failure, url.database, database_url)
    if kept is not None:
        from drift_guard.migrations.server_head import keep

        head, imported = kept
        keep(service, dirs, recursive, replace(head, failure=failure), imported)
    if failure is not None:
        return replace(report, failures=(failure,))
    return replace(report, diffs=diffs)


def _replay_on_server(
    service: Service,
    models: Schema,
    graph: RevisionGraph,
    dirs: list[Path],
    recursive: bool,
    ids: dict[str, str],
    url: URL,
    progress: Progress,
    record: bool = False,
) -> tuple[
    int,
    ReplayFailure | None,
    tuple[MigrationDiff, ...],
    tuple[DowngradeProblem, ...],
    tuple[ReplayedHead, list[Path]] | None,
]:
    """Load, replay and compare, in the worker, connected as the scratch login;
    with each downgrade checked where the server's DDL is transactional (see
    :func:`~drift_guard.migrations.replay.replay`). With ``record``, also the
    head to keep (its reflection recorded) and the application modules the
    revisions imported."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    from drift_guard.migrations.compare import compare
    from drift_guard.migrations.metadata import build_metadata
    from drift_guard.migrations.replay import ReplayEnvironment, load_scripts, prepended_sys_path, replay
    from drift_guard.migrations.reversal import downgrades_checkable
    from drift_guard.migrations.static_origins import static_origins

    roots = tuple(service.import_roots or (service.root,))
    before = set(sys.modules)
    with prepended_sys_path(roots):
        scripts: list[Script] = []
        if service.script_location is not None and is_dir(service.script_location):
            scripts, failure = load_scripts(
                service.script_location, dirs, recursive=recursive, revision_ids=ids, in_worker=True
            )
            if failure is not None:
                kept = (ReplayedHead(0, failure, (), (), b""), application_modules(before, roots)) if record else None
                return 0, failure, (), (), kept
        engine = sa.create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                environment = None
                if service.script_location is not None:
                    environment = ReplayEnvironment(
                        service.alembic_ini, service.script_location, tuple(dirs), recursive
                    )
                result = replay(
                    scripts,
                    connection,
                    batch_on_sqlite=False,
                    environment=environment,
                    check_downgrades=downgrades_checkable(connection),
                    progress=progress,
                )
                downgrades = tuple(result.downgrade_problems)
                kept = None
                if record:
                    head = _server_head(connection, result, downgrades)
                    kept = (head, application_modules(before, roots))
                if result.failure is not None:
                    return result.applied, result.failure, (), downgrades, kept
                diffs = compare(connection, build_metadata(models), result.recorder, lambda: static_origins(graph))
                connection.rollback()
        finally:
            engine.dispose()
    return result.applied, None, tuple(diffs), downgrades, kept


def _server_head(
    connection: Connection, result: ReplayResult, downgrades: tuple[DowngradeProblem, ...]
) -> ReplayedHead:
    """The replay's outcome with the server's reflection of the head (none when
    it would not come back equal from the record: the next run asks the server)."""
    from drift_guard.migrations.recorded import Unrecordable, record

    reflection = None
    if result.failure is None:
        try:
            reflection = record(connection)
        except Unrecordable:
            reflection = None
    recorder = result.recorder
    return ReplayedHead(
        result.applied,
        result.failure,
        tuple(recorder.origins.items()),
        tuple(recorder.changes.items()),
        b"",
        types=tuple(recorder.types.items()),
        downgrade_problems=downgrades,
        reflection=reflection,
    )


def _versions_location(service: Service, dirs: list[Path]) -> Location:
    """Where a replay that ended before any revision ran is reported."""
    from drift_guard.schema import Location
    from drift_guard.session import canonical

    return Location(canonical(dirs[0]) if dirs else service.name)


def _compare_with_cached_head(
    service: Service,
    models: Schema,
    graph: RevisionGraph,
    dirs: list[Path],
    recursive: bool,
    report: MigrationReport,
    ids: dict[str, str],
) -> MigrationReport:
    """The default SQLite check: the replayed head comes from the cache when no
    revision file changed, so a commit touching only the models just compares."""
    from dataclasses import replace

    from drift_guard.migrations.compare import compare
    from drift_guard.migrations.head import head_engine, replayed_head
    from drift_guard.migrations.metadata import build_metadata
    from drift_guard.migrations.static_origins import static_origins
    from drift_guard.session import current

    head = replayed_head(service, dirs, recursive, ids, current())
    report = replace(
        report,
        statement_failures=head.statement_failures,
        skipped_sql=head.skipped_sql,
        downgrade_problems=head.downgrade_problems,
        stubbed_imports=head.stubbed_imports,
    )
    if head.failure is not None:
        return replace(report, failures=(head.failure,), replayed=head.applied)
    with head_engine(head) as engine, engine.connect() as connection:
        diffs = compare(connection, build_metadata(models), head.recorder(), lambda: static_origins(graph))
        connection.rollback()
    return replace(report, diffs=tuple(diffs), replayed=head.applied)


def _without_scratch_name(failure: ReplayFailure, scratch: str | None, database_url: str | None) -> ReplayFailure:
    """MySQL names tables `db.table` in errors; the random scratch name would
    make the message (and baselines keyed on it) differ on every run."""
    from dataclasses import replace

    if database_url is None or not scratch:
        return failure
    return replace(failure, error=failure.error.replace(f"{scratch}.", "").replace(scratch, "<scratch>"))


def _with_env_py(
    service: Service, models: Schema, graph: RevisionGraph, report: MigrationReport, database_url: str | None
) -> MigrationReport:
    from dataclasses import replace

    from drift_guard.migrations.env_mode import run_env_mode

    ids = {str(h.path.resolve()): h.revision for h in graph.revisions if h.revision}
    from drift_guard.migrations.static_origins import static_origins

    result = run_env_mode(service, models, database_url, ids, static_origins(graph))
    if result.failure is not None:
        return replace(report, failures=(result.failure,))
    return replace(report, diffs=result.diffs, replayed=len(graph.revisions))


def _with_env_py_on_embedded(
    service: Service, models: Schema, graph: RevisionGraph, report: MigrationReport
) -> MigrationReport:
    """``--alembic-env`` for a PostgreSQL service: env.py runs against a scratch
    database of an embedded PostgreSQL (never the application's database), or of
    SQLite when that cannot start (DG210 says so)."""
    from dataclasses import replace

    from drift_guard.migrations.embedded import Unavailable, embedded_postgres

    try:
        with embedded_postgres() as cluster:
            return _with_env_py(service, models, graph, replace(report, database="postgresql"), cluster)
    except Unavailable as exc:
        return _with_env_py(service, models, graph, replace(report, scratch_fallback=str(exc)), None)


def _dialect_name(database_url: str | None) -> str:
    if database_url is None:
        return "sqlite"
    return database_url.split(":", 1)[0].split("+", 1)[0]
