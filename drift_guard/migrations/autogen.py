"""``drift-guard revision``: write the migration ``alembic revision --autogenerate``
would write, without a database and without running env.py.

The two sides are the ones the migration check (DG201) compares: the replayed
head of the history (the SQLite scratch database, :mod:`.head`, or for a
PostgreSQL service the embedded PostgreSQL) and a MetaData
built from the statically extracted models (:mod:`.metadata`). Alembic's own
machinery does the rest: ``produce_migrations`` diffs them, the autogenerate
renderers write the operations, and ``ScriptDirectory.generate_revision`` fills
the project's ``script.py.mako`` with the right ``down_revision``. So the file is
Alembic's, and after it the check has nothing left to report for what it covered.

Limits, as with Alembic: the models' ``server_default`` expressions are source
text to drift-guard, so they are not rendered (add them by hand if needed); on
SQLite, types are compared by family (what DG201 compares), not by length.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from drift_guard.errors import DriftGuardError

if TYPE_CHECKING:
    from drift_guard.schema import Schema
    from drift_guard.service import Service
    from drift_guard.session import Session


@dataclass(frozen=True)
class Written:
    path: Path | None  # None: nothing differed, no file written
    revision: str | None
    down_revision: str | None
    operations: int
    scratch_fallback: str | None = None  # why the embedded PostgreSQL was not used (SQLite was)


def write_revision(
    service: Service,
    models: Schema,
    message: str,
    session: Session | None,
    database_url: str | None = None,
    embedded: bool = False,
) -> Written:
    """Generate the revision that brings the history to the models. With
    ``database_url`` the history is replayed on a throwaway database of that
    server (created and dropped, as ``check --database-url`` does), so types
    are compared as that database keeps them (lengths too), as Alembic would.
    ``embedded`` (a PostgreSQL service, no URL): the same on an embedded
    PostgreSQL started for the command, as the check does; on SQLite when it
    cannot start (``scratch_fallback`` says why)."""
    from drift_guard.extract.alembic import build_revision_graph
    from drift_guard.migrations import external_migrations, version_locations
    from drift_guard.migrations.head import head_engine, replayed_head
    from drift_guard.migrations.metadata import build_metadata

    if service.alembic_ini is None or service.script_location is None:
        raise DriftGuardError(f"{service.name}: no alembic.ini with a script_location; nothing to add a revision to")
    dirs, recursive = version_locations(service)
    if external_migrations(service, dirs) is not None:
        raise DriftGuardError(f"{service.name}: the migrations folder is outside the repository (see DG203)")
    graph = build_revision_graph(dirs, service.script_location, recursive=recursive)
    if graph.broken:
        raise DriftGuardError(f"{service.name}: the revision graph is broken; `drift-guard check` says why (DG203)")
    if len(graph.heads) > 1:
        heads = ", ".join(h.revision or "?" for h in graph.heads)
        raise DriftGuardError(
            f"{service.name}: the history has several heads ({heads}); merge them first (alembic merge heads)"
        )
    ids = {str(h.path.resolve()): h.revision for h in graph.revisions if h.revision}
    model = build_metadata(models)
    fallback = None
    if database_url is None and embedded:
        from drift_guard.migrations.embedded import Unavailable, embedded_postgres

        try:
            with embedded_postgres() as cluster:
                template_args, operations = _on_server(service, dirs, recursive, ids, model, cluster)
        except Unavailable as exc:
            fallback = str(exc)
        else:
            return _written(service, message, template_args, graph, operations)
    if database_url is not None:
        template_args, operations = _on_server(service, dirs, recursive, ids, model, database_url)
    else:
        head = replayed_head(service, dirs, recursive, ids, session)
        if head.failure is not None:
            _replay_failed(service, head.failure)
        with head_engine(head) as engine, engine.connect() as connection:
            template_args, operations = _render(connection, model)
            connection.rollback()
    return _written(service, message, template_args, graph, operations, fallback)


def _written(
    service: Service,
    message: str,
    template_args: dict[str, Any],
    graph: Any,
    operations: int,
    fallback: str | None = None,
) -> Written:
    from dataclasses import replace

    down = graph.heads[0].revision if graph.heads else None
    if not operations:
        return Written(None, None, down, 0, fallback)
    return replace(_generate(service, message, template_args, down, operations), scratch_fallback=fallback)


def _replay_failed(service: Service, failure: Any) -> NoReturn:
    raise DriftGuardError(
        f"{service.name}: the history does not replay ({failure.location}: {failure.error}); "
        "`drift-guard check` reports it (DG205)"
    )


def _on_server(
    service: Service, dirs: list[Path], recursive: bool, ids: dict[str, str], model: Any, database_url: str
) -> tuple[dict[str, Any], int]:
    from drift_guard.migrations.replay import load_scripts, prepended_sys_path, replay
    from drift_guard.migrations.scratch import scratch_engine

    assert service.script_location is not None
    with prepended_sys_path(service.import_roots or (service.root,)):
        scripts, failure = load_scripts(service.script_location, dirs, recursive=recursive, revision_ids=ids)
        if failure is not None:
            _replay_failed(service, failure)
        with scratch_engine(database_url) as engine, engine.connect() as connection:
            result = replay(scripts, connection, batch_on_sqlite=engine.dialect.name == "sqlite")
            if result.failure is not None:
                _replay_failed(service, result.failure)
            rendered = _render(connection, model)
            connection.rollback()
    return rendered


def _render(connection: Any, model: Any) -> tuple[dict[str, Any], int]:
    """Alembic's autogenerate on the two sides: the template variables
    (``upgrades``, ``downgrades``, ``imports``) and how many operations."""
    from alembic.autogenerate import produce_migrations
    from alembic.autogenerate.api import AutogenContext
    from alembic.autogenerate.render import _render_python_into_templatevars
    from alembic.runtime.migration import MigrationContext

    from drift_guard.migrations.compare import _include_name, sqlite_compare_type

    opts = {
        "compare_type": sqlite_compare_type if connection.dialect.name == "sqlite" else True,
        "include_name": lambda name, type_, parents: _include_name(name, type_, parents, model.skipped_tables),
        "target_metadata": model.metadata,
        "sqlalchemy_module_prefix": "sa.",
        "alembic_module_prefix": "op.",
    }
    context = MigrationContext.configure(connection, opts=opts)
    script = produce_migrations(context, model.metadata)
    operations = sum(len(ops.ops) for ops in script.upgrade_ops_list)
    autogen = AutogenContext(context, model.metadata, opts=opts)
    template_args: dict[str, Any] = {}
    _render_python_into_templatevars(autogen, script, template_args)
    return template_args, operations


def _generate(
    service: Service, message: str, template_args: dict[str, Any], down: str | None, operations: int
) -> Written:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import rev_id

    from drift_guard.migrations.replay import prepended_sys_path

    assert service.alembic_ini is not None
    config = Config(str(service.alembic_ini))
    config.set_main_option("script_location", str(service.script_location))
    with prepended_sys_path(service.import_roots or (service.root,)):
        scripts = ScriptDirectory.from_config(config)
        revision = rev_id()
        created = scripts.generate_revision(revision, message, head=down or "base", refresh=True, **template_args)
    if created is None:
        raise DriftGuardError(f"{service.name}: Alembic did not write the revision")
    return Written(Path(created.path), revision, down, operations)
