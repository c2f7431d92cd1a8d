"""The migration check against real PostgreSQL and MariaDB servers.

drift-guard must create its own throwaway database, replay and compare there,
and drop it: also when a revision fails (and on Ctrl-C / SIGTERM, see
test_replay_isolation_servers.py). A sentinel database,
created by the test and named in the URL given to drift-guard, is checksummed
before and after to prove nothing else on the server is touched. Under CI an
unreachable server fails these tests; locally they are skipped.
"""

from __future__ import annotations

import hashlib
import secrets

import pytest
from test_migrations import NICKNAME, _posts_on_delete, clean_models
from test_migrations_helpers import (
    DATA,
    MYSQL_URL,
    PG_URL,
    col,
    long_history_models,
    pg_style_models,
    server_url,
    service_for,
)

from drift_guard.migrations import DiffKind, check_migrations
from drift_guard.migrations.scratch import SCRATCH_PREFIX

SERVERS = [
    pytest.param(PG_URL, marks=pytest.mark.postgres, id="postgresql"),
    pytest.param(MYSQL_URL, marks=pytest.mark.mysql, id="mariadb"),
]


@pytest.fixture(params=SERVERS)
def url(request) -> str:
    return server_url(request.param)


def _engine(url: str, database: str | None = None):
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    target = make_url(url)
    if database is not None:
        target = target.set(database=database)
    return sa.create_engine(target, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def scratch_databases(url: str) -> set[str]:
    postgres = url.startswith("postgresql")
    query = "SELECT datname FROM pg_database" if postgres else "SHOW DATABASES"
    engine = _engine(url)
    with engine.connect() as conn:
        names = {row[0] for row in conn.exec_driver_sql(query)}
    engine.dispose()
    return {n for n in names if n.startswith(SCRATCH_PREFIX)}


def no_new_scratch_databases(url: str, before: set[str]) -> bool:
    """No scratch database beyond ``before`` stays: other people's runs on the
    same server create and drop their own meanwhile, so a new name must still
    be there after a while to count as left behind by this test."""
    import time

    deadline = time.monotonic() + 30
    while not scratch_databases(url) <= before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def test_clean_project_is_quiet(url):
    report = check_migrations(service_for(DATA / "clean"), clean_models(DATA / "clean"), database_url=url)
    assert (report.diffs, report.failures) == ((), ())
    assert report.replayed == 3


def test_long_history_is_quiet(url):
    report = check_migrations(service_for(DATA / "long_history"), long_history_models(), database_url=url)
    assert (report.replayed, report.diffs, report.failures) == (34, (), ())


def test_postgresql_style_history_replays_on_postgresql():
    url = server_url(PG_URL)
    report = check_migrations(service_for(DATA / "pg_style"), pg_style_models(), database_url=url)
    assert (report.replayed, report.diffs, report.failures) == (3, (), ())


def test_model_column_without_migration(url):
    root = DATA / "dg201_model_column"
    models = clean_models(root, users_extra=(col("new_field", "String", 255),))
    (diff,) = check_migrations(service_for(root), models, database_url=url).diffs
    assert diff.kind is DiffKind.ADD_COLUMN and (diff.table, diff.column) == ("users", "new_field")


def test_a_changed_on_delete_is_one_finding_on_the_server(url):
    (diff,) = check_migrations(
        service_for(DATA / "clean"), _posts_on_delete(DATA / "clean", "SET NULL"), database_url=url
    ).diffs
    assert diff.kind is DiffKind.MODIFY_FK
    assert "ON DELETE SET NULL in the model but ON DELETE CASCADE after the migrations" in diff.description


def test_server_compares_lengths(url):
    root = DATA / "clean"
    models = clean_models(root)
    users = models.tables[0]
    from dataclasses import replace

    from drift_guard.types import model_column_type

    columns = tuple(
        replace(c, type=model_column_type("sqlalchemy.String", (120,), spelled="String(120)"))
        if c.name == "name"
        else c
        for c in users.columns
    )
    models = replace(models, tables=(replace(users, columns=columns), models.tables[1]))
    (diff,) = check_migrations(service_for(root), models, database_url=url).diffs
    assert (
        diff.description == "column `users.name` is `String(120)` in the model but `VARCHAR(100)` after the migrations"
    )


def test_failing_revision_reports_the_server_error_and_drops_the_scratch_database(url):
    before = scratch_databases(url)
    root = DATA / "dg205_failing_revision"
    report = check_migrations(service_for(root), clean_models(root, users_extra=(NICKNAME,)), database_url=url)
    (failure,) = report.failures
    assert failure.location.line == 19 and "userz" in failure.error
    assert SCRATCH_PREFIX not in failure.error  # stable messages: no random scratch name
    assert no_new_scratch_databases(url, before)


# Ctrl-C and SIGTERM (real signals to a real drift-guard process) and a
# revision raising KeyboardInterrupt: tests/test_replay_isolation_servers.py.


def _checksum(url: str, database: str) -> str:
    """Tables, columns (with types and nullability) and every row of the sentinel."""
    engine = _engine(url, database)
    postgres = url.startswith("postgresql")
    schema_filter = "table_schema = 'public'" if postgres else f"table_schema = '{database}'"
    digest = hashlib.sha256()
    with engine.connect() as conn:
        columns = conn.exec_driver_sql(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            f"FROM information_schema.columns WHERE {schema_filter} ORDER BY table_name, column_name"
        ).all()
        digest.update(repr(columns).encode())
        digest.update(repr(conn.exec_driver_sql("SELECT * FROM sentinel ORDER BY id").all()).encode())
    engine.dispose()
    return digest.hexdigest()


def test_sentinel_database_is_never_touched(url):
    from sqlalchemy.engine import make_url

    name = f"dg_sentinel_{secrets.token_hex(4)}"
    admin = _engine(url)
    quoted = admin.dialect.identifier_preparer.quote_identifier(name)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
    try:
        engine = _engine(url, name)
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE sentinel (id INTEGER PRIMARY KEY, label VARCHAR(20) NOT NULL)")
            conn.exec_driver_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(5))")
            conn.exec_driver_sql("INSERT INTO sentinel VALUES (1, 'one'), (2, 'two')")
        engine.dispose()
        before = _checksum(url, name)
        scratch_before = scratch_databases(url)
        sentinel_url = make_url(url).set(database=name).render_as_string(hide_password=False)
        for case in ("clean", "dg201_migration_column", "dg205_failing_revision"):
            check_migrations(service_for(DATA / case), clean_models(DATA / case), database_url=sentinel_url)
        assert _checksum(url, name) == before
        assert no_new_scratch_databases(url, scratch_before)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
        admin.dispose()


def test_unsupported_url_is_a_config_error():
    from drift_guard.errors import ConfigError

    with pytest.raises(ConfigError):
        check_migrations(service_for(DATA / "clean"), clean_models(DATA / "clean"), database_url="sqlite:///x.db")


def test_alembic_env_mode_on_a_server(url):
    before = scratch_databases(url)
    root = DATA / "dg201_migration_column"
    report = check_migrations(service_for(root), clean_models(root), database_url=url, alembic_env=True)
    assert [(d.kind, d.column) for d in report.diffs] == [(DiffKind.REMOVE_COLUMN, "legacy_code")]
    assert no_new_scratch_databases(url, before)
