"""``--alembic-env``: replay and compare through the project's own env.py.

For projects whose models cannot be read statically. This imports the
application exactly like ``alembic check`` does: ``alembic upgrade heads`` runs
through env.py against the scratch database, then env.py runs once more with a
callback that hands its ``target_metadata`` and its own compare settings to
``compare_metadata``. The scratch database is the only database involved:

* its URL is set as ``sqlalchemy.url`` on the Config env.py reads, and the open
  connection is offered as ``config.attributes["connection"]`` (Alembic's
  cookbook recipe for sharing a connection);
* before anything runs, env.py is read statically and refused (ConfigError)
  when it takes its URL from the environment (``os.environ`` / ``getenv``) or
  never reads one from the config, since it would then migrate a database we
  do not own;
* while env.py runs, every connection any SQLAlchemy engine opens is checked
  before the driver connects (the ``do_connect`` event, for all engines): one
  to any database but the scratch one (an env.py that reads the config's URL and
  then ignores it, an application module that connects at import) stops the
  run with a ConfigError, exit status 2, before that database is opened, so
  nothing anywhere has changed.

Migration-side locations cannot be recorded in this mode (Alembic creates the
Operations object inside env.py's run); they come from the static reading of
the revision files (:mod:`.static_origins`).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from drift_guard.errors import ConfigError
from drift_guard.migrations.origins import OriginRecorder
from drift_guard.migrations.report import MigrationDiff, ReplayFailure
from drift_guard.paths import is_file
from drift_guard.schema import Location
from drift_guard.session import canonical, shown

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from drift_guard.schema import Schema
    from drift_guard.service import Service

_READS_CONFIG_URL = re.compile(r"get_main_option\(\s*['\"]sqlalchemy\.url|engine_from_config\(|config\.attributes")
_READS_ENVIRONMENT = re.compile(r"os\.environ|getenv\(|environ\[|environ\.get\(")


@dataclass(frozen=True)
class EnvResult:
    diffs: tuple[MigrationDiff, ...] = ()
    failure: ReplayFailure | None = None


def check_env_py(env_py: Path | None) -> None:
    """Refuse env.py files that could connect anywhere but our scratch database."""
    from drift_guard.session import OutsideRepository, read_file

    if env_py is None or not is_file(env_py):
        raise ConfigError("--alembic-env needs the service's alembic env.py, and none was found")
    where = shown(env_py)  # a ConfigError: prose
    try:
        text = read_file(env_py).decode("utf-8", errors="replace")
    except OutsideRepository as exc:
        raise ConfigError(f"--alembic-env refused: {exc.strerror}", where) from None
    except OSError as exc:
        raise ConfigError(f"--alembic-env: cannot read env.py: {exc.strerror}", where) from None
    if _READS_ENVIRONMENT.search(text):
        raise ConfigError(
            "--alembic-env refused: env.py reads environment variables and might connect to a database "
            "drift-guard does not own; run without --alembic-env",
            where,
        )
    if not _READS_CONFIG_URL.search(text):
        raise ConfigError(
            "--alembic-env refused: env.py does not take its URL from alembic's config "
            "(sqlalchemy.url / engine_from_config / config.attributes)",
            where,
        )


def run_env_mode(
    service: Service,
    models: Schema,
    database_url: str | None,
    revision_ids: dict[str, str],
    origins: OriginRecorder | None = None,
) -> EnvResult:
    from drift_guard.migrations import worker
    from drift_guard.migrations.scratch import scratch_engine

    check_env_py(service.env_py)
    assert service.alembic_ini is not None  # the rules only run with an alembic.ini
    with scratch_engine(database_url, file_backed=True) as engine:
        url = engine.url
        # env.py and the revisions run in a worker (see worker.py); the scratch
        # database is dropped here, once the worker is gone.
        fallback = Location(canonical(service.env_py or service.alembic_ini))
        outcome = worker.start(
            lambda progress: _in_worker(service, models, url, revision_ids, origins or OriginRecorder()),
            worker.time_limit(),
            fallback,
        ).result()
    if isinstance(outcome, worker.Aborted):
        return EnvResult(failure=outcome.failure)
    if isinstance(outcome, Refused):
        where = shown(service.env_py) if service.env_py is not None else None
        raise ConfigError(
            f"--alembic-env refused: env.py (or code it imports) connected to {outcome.target}, "
            "not to the scratch database drift-guard passed it; nothing was run against it. Make env.py use "
            "config.attributes['connection'] or the config's sqlalchemy.url, or run without --alembic-env",
            where,
        )
    return outcome


def _in_worker(
    service: Service, models: Schema, url: URL, revision_ids: dict[str, str], origins: OriginRecorder
) -> EnvResult | Refused:
    import sqlalchemy as sa
    from alembic.config import Config
    from sqlalchemy.pool import NullPool

    from drift_guard.migrations.replay import prepended_sys_path

    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with prepended_sys_path(service.import_roots or (service.root,)), engine.connect() as connection:
            config = Config(str(service.alembic_ini))
            config.set_main_option("script_location", str(service.script_location))
            config.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%"))
            config.attributes["connection"] = connection
            try:
                with only_connections_to(engine):
                    return _upgrade_and_compare(config, service, models, connection, revision_ids, origins)
            except ForeignDatabase as refused:
                return Refused(refused.target)  # the parent refuses the run (exit 2); see run_env_mode
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Refused:
    """env.py (or code it imports) tried to connect to ``target``, not to the
    scratch database: handed from the worker to the parent, which refuses."""

    target: str


class ForeignDatabase(BaseException):
    """A connection to a database other than the scratch one, stopped before it
    was opened. A BaseException: env.py's own ``except Exception`` must not
    swallow it and go on."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def _database_of(dialect: Any, cargs: Any, cparams: Any) -> tuple[str, ...]:
    """Which database a driver connection would open: the SQLite file (resolved)
    or the server's host, port and database name; the user and options do not
    matter (they do not make it another database)."""
    import os

    if dialect.name == "sqlite":
        name = str(cargs[0]) if cargs else str(cparams.get("database", ""))
        if name.startswith("file:"):
            name = name[5:].split("?", 1)[0]
        return ("sqlite", os.path.realpath(name) if name and name != ":memory:" else name)
    params = dict(cparams)
    database = params.get("dbname") or params.get("database") or params.get("db") or ""
    return (dialect.name, str(params.get("host") or ""), str(params.get("port") or ""), str(database))


@contextmanager
def only_connections_to(engine: Any) -> Iterator[None]:
    """While active, any engine's attempt to connect anywhere but ``engine``'s
    database raises :class:`ForeignDatabase` before the driver is called."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    allowed = _database_of(engine.dialect, cargs, cparams)

    def guard(dialect: Any, conn_rec: Any, cargs: Any, cparams: Any) -> None:
        target = _database_of(dialect, cargs, cparams)
        if target != allowed:
            raise ForeignDatabase(f"`{' '.join(t for t in target if t)}`")

    event.listen(Engine, "do_connect", guard)
    try:
        yield
    finally:
        event.remove(Engine, "do_connect", guard)


def _upgrade_and_compare(
    config: Any,
    service: Service,
    models: Schema,
    connection: Any,
    revision_ids: dict[str, str],
    origins: OriginRecorder,
) -> EnvResult:
    from alembic import command

    try:
        command.upgrade(config, "heads")
    except ForeignDatabase:
        raise  # not a failure of the revisions: the run is refused (see _in_worker)
    except BaseException as exc:  # noqa: BLE001 - in the worker, anything env.py or a revision raises is its DG205
        return EnvResult(failure=_env_failure(exc, service, revision_ids))
    raw: list[Any] = []
    try:
        _collect_diffs(config, raw)
    except ForeignDatabase:
        raise
    except BaseException as exc:  # noqa: BLE001 - env.py is user code (as above)
        return EnvResult(failure=_env_failure(exc, service, revision_ids))
    return EnvResult(diffs=tuple(_typed(raw, models, connection, origins)))


def _collect_diffs(config: Any, raw: list[Any]) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)

    def collect(rev: Any, context: Any) -> list:
        raw.extend(compare_metadata(context, context.opts["target_metadata"]))
        return []

    with EnvironmentContext(config, script, fn=collect):
        script.run_env()


def _typed(raw: list[Any], models: Schema, connection: Any, origins: OriginRecorder) -> list[MigrationDiff]:
    from drift_guard.migrations.compare import typed_diffs
    from drift_guard.migrations.metadata import build_metadata

    return typed_diffs(raw, build_metadata(models), origins, connection.dialect)


def _env_failure(exc: BaseException, service: Service, revision_ids: dict[str, str]) -> ReplayFailure:
    """Located at the innermost frame in a revision file (or env.py)."""
    from drift_guard.migrations.replay import failure_from

    roots = [p for p in (service.script_location,) if p is not None]
    fallback = Location(canonical(service.env_py or service.alembic_ini or service.root))
    return failure_from(exc, roots, revision_ids, fallback)
