"""What a revision run against a real server (``--database-url``) cannot do.

It runs in a worker process, as a login drift-guard creates for the throwaway
database only, and that database and login are dropped by drift-guard itself
afterwards, whatever the revision did: end its process, raise a BaseException,
never return, write into another database, leave a connection open, or have
drift-guard itself terminated (SIGTERM, SIGINT). Real PostgreSQL and MariaDB
servers, never mocks; under CI an unreachable server fails these tests.

Other people use the same servers at the same time: every database this file
creates has a name unique to the run, and "nothing left behind" is checked by
this run's own names (the scratch names a run creates are not known in
advance, so the checks compare the set of scratch databases whose age says
they were created during the test).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_migrations import clean_models
from test_migrations_helpers import DATA, MYSQL_URL, PG_URL, server_url, service_for
from test_migrations_servers import _engine

from drift_guard.migrations import check_migrations
from drift_guard.migrations.scratch import SCRATCH_PREFIX, scratch_name_time

SERVERS = [
    pytest.param(PG_URL, marks=pytest.mark.postgres, id="postgresql"),
    pytest.param(MYSQL_URL, marks=pytest.mark.mysql, id="mariadb"),
]
HEADER = "import os, sys, time\nimport sqlalchemy as sa\nfrom alembic import op\n"


@pytest.fixture(params=SERVERS)
def url(request) -> str:
    return server_url(request.param)


def _postgres(url: str) -> bool:
    return url.startswith("postgresql")


def _names(url: str) -> set[str]:
    """Every scratch database and scratch login on the server."""
    if _postgres(url):
        query = "SELECT datname FROM pg_database UNION SELECT rolname FROM pg_roles"
    else:
        query = "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA UNION SELECT User FROM mysql.user"
    engine = _engine(url)
    with engine.connect() as conn:
        names = {str(row[0]) for row in conn.exec_driver_sql(query)}
    engine.dispose()
    return {n for n in names if n.startswith(SCRATCH_PREFIX)}


def _server_now(url: str) -> int:
    query = "SELECT CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)" if _postgres(url) else "SELECT UNIX_TIMESTAMP()"
    engine = _engine(url)
    with engine.connect() as conn:
        now = int(conn.exec_driver_sql(query).scalar_one())
    engine.dispose()
    return now


def _made_since(url: str, since: int) -> set[str]:
    """Scratch databases/logins created from ``since`` on (this test's, and
    any concurrent run's still in progress: those are not old enough to
    matter, so the tests wait for theirs to go by polling briefly)."""
    return {n for n in _names(url) if (scratch_name_time(n) or 0) >= since}


def _leftovers(url: str, since: int, mine: set[str] | None = None) -> set[str]:
    """This test's leftovers: names created since ``since`` that are still there
    after a moment (a concurrent run's scratch database goes away by itself)."""
    deadline = time.monotonic() + 20
    while True:
        left = _made_since(url, since) if mine is None else (_names(url) & mine)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def _service(tmp_path: Path, body: str, name: str = "0004_user_code.py") -> Path:
    root = tmp_path / "svc"
    shutil.copytree(DATA / "clean", root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "alembic" / "versions" / name).write_text(
        HEADER + "revision = '0004'\ndown_revision = '0003'\n\n" + body + "\n\ndef downgrade():\n    pass\n"
    )
    return root


@pytest.mark.parametrize(
    ("body", "words", "line"),
    [
        ("def upgrade():\n    os._exit(0)", "ended its process", None),
        ("class Boom(BaseException):\n    pass\n\ndef upgrade():\n    raise Boom('no')", "Boom: no", 11),
        ("def upgrade():\n    raise KeyboardInterrupt", "KeyboardInterrupt", 8),
        ("def upgrade():\n    time.sleep(10**6)", "did not finish within 3 s", None),
    ],
    ids=["os-exit", "base-exception", "keyboard-interrupt", "sleeps-forever"],
)
@pytest.mark.parametrize("env_mode", [False, True], ids=["replay", "alembic-env"])
def test_user_code_that_ends_or_hangs_is_a_located_dg205_and_the_database_is_dropped(
    url, tmp_path, monkeypatch, body, words, line, env_mode
):
    from drift_guard.migrations import worker

    monkeypatch.setattr(worker, "time_limit", lambda: 3.0)
    root = _service(tmp_path, body)
    since = _server_now(url)
    started = time.monotonic()
    report = check_migrations(service_for(root), clean_models(root), database_url=url, alembic_env=env_mode)
    assert time.monotonic() - started < 60
    (failure,) = report.failures
    assert words in failure.error
    if env_mode and line is None:
        # Alembic runs the revisions inside env.py: which one was running is not known.
        assert failure.location.path.endswith("env.py")
    else:
        assert failure.location.path.endswith("0004_user_code.py")
        assert failure.location.line == (line or 1)
    assert _leftovers(url, since) == set()


def _cli(root: Path, url: str, *extra: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, DRIFT_GUARD_NO_CACHE="1")
    return subprocess.Popen(
        [sys.executable, "-m", "drift_guard", "check", "--format", "json", "--database-url", url, *extra],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
SAMPLE_VERSIONS = Path("services") / "flask-backend" / "alembic" / "versions"
SAMPLE_HEADER = 'import os, time\nfrom alembic import op\nrevision = "0003"\ndown_revision = "0002"\n'


def _sample(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / SAMPLE_VERSIONS / "20260301_0003.py").write_text(SAMPLE_HEADER + body)
    return root


def test_the_cli_run_completes_after_a_revision_ends_its_process(url, tmp_path):
    """The whole run: the other rules' findings come, the exit status is 1."""
    root = _sample(tmp_path, "def upgrade():\n    os._exit(0)\n\ndef downgrade():\n    pass\n")
    since = _server_now(url)
    done = _cli(root, url)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 1, err
    findings = json.loads(out)["findings"]
    (replay,) = [f for f in findings if f["code"] == "DG205"]
    assert "ended its process" in replay["message"]
    assert replay["location"]["path"].endswith("20260301_0003.py")
    assert _leftovers(url, since) == set()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_terminated_run_drops_its_database(url, tmp_path, signum):
    marker = tmp_path / "replaying"
    body = (
        f"def upgrade():\n    open({str(marker)!r}, 'w').close()\n    time.sleep(10**6)\n\ndef downgrade():\n    pass\n"
    )
    root = _sample(tmp_path, body)
    since = _server_now(url)
    run = _cli(root, url)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline and run.poll() is None, run.stderr.read() if run.stderr else ""
            time.sleep(0.1)
        mine = _made_since(url, since)
        assert mine  # the database exists while the revision runs
        run.send_signal(signum)
        out, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == (143 if signum == signal.SIGTERM else 130), err
    assert "Traceback" not in err
    assert _leftovers(url, since, mine) == set()


def _create_database(url: str, name: str, *, table: bool = True) -> None:
    admin = _engine(url)
    quote = admin.dialect.identifier_preparer.quote_identifier
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {quote(name)}")
    admin.dispose()
    if table:
        engine = _engine(url, name)
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, label VARCHAR(20))")
            conn.exec_driver_sql("INSERT INTO t VALUES (1, 'original')")
        engine.dispose()


def _drop_database(url: str, name: str) -> None:
    admin = _engine(url)
    quote = admin.dialect.identifier_preparer.quote_identifier
    force = " WITH (FORCE)" if _postgres(url) else ""
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quote(name)}{force}")
    admin.dispose()


def _databases(url: str) -> set[str]:
    query = "SELECT datname FROM pg_database" if _postgres(url) else "SHOW DATABASES"
    engine = _engine(url)
    with engine.connect() as conn:
        names = {str(row[0]) for row in conn.exec_driver_sql(query)}
    engine.dispose()
    return names


def _rows(url: str, name: str) -> list:
    engine = _engine(url, name)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM t ORDER BY id").all()
        tables = (
            conn.exec_driver_sql(
                "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN "
                "('pg_catalog', 'information_schema') ORDER BY 1, 2"
            ).all()
            if _postgres(url)
            else conn.exec_driver_sql(f"SHOW TABLES FROM `{name}`").all()
        )
    engine.dispose()
    return [tuple(r) for r in rows] + [tuple(t) for t in tables]


def _other_database(url: str) -> str:
    name = f"dg_other_{os.getpid()}_{secrets.token_hex(4)}"
    _create_database(url, name)
    return name


MARIADB_WRITES = {
    "create-table": "def upgrade():\n    op.create_table('intruder', sa.Column('id', sa.Integer, primary_key=True), schema={other!r})",
    "update": "def upgrade():\n    op.execute('UPDATE {other}.t SET label = \\'changed\\'')",
}
# PostgreSQL has no cross-database statements: the revision opens its own
# connection to the other database with the credentials it was given.
POSTGRES_WRITES = {
    "create-table": (
        "def upgrade():\n    url = op.get_bind().engine.url.set(database={other!r})\n"
        "    with sa.create_engine(url).begin() as conn:\n"
        "        conn.exec_driver_sql('CREATE TABLE intruder (id INTEGER)')"
    ),
    "update": (
        "def upgrade():\n    url = op.get_bind().engine.url.set(database={other!r})\n"
        "    with sa.create_engine(url).begin() as conn:\n"
        "        conn.exec_driver_sql('UPDATE t SET label = \\'changed\\'')"
    ),
}


@pytest.mark.parametrize("write", ["create-table", "update"])
def test_a_revision_cannot_write_into_another_database(url, tmp_path, write):
    other = _other_database(url)
    try:
        before = _rows(url, other)
        body = (POSTGRES_WRITES if _postgres(url) else MARIADB_WRITES)[write].format(other=other)
        root = _service(tmp_path, body)
        since = _server_now(url)
        report = check_migrations(service_for(root), clean_models(root), database_url=url)
        (failure,) = report.failures
        assert failure.location.path.endswith("0004_user_code.py")
        denied = ("permission denied", "denied") if _postgres(url) else ("denied",)
        assert any(word in failure.error.lower() for word in denied), failure.error
        assert _rows(url, other) == before
        assert _leftovers(url, since) == set()
    finally:
        _drop_database(url, other)


def test_the_scratch_login_has_no_rights_beyond_its_database(url, tmp_path):
    """Directly: the URL the replay connects with is not the URL's user."""
    from sqlalchemy.engine import make_url

    from drift_guard.migrations.scratch import scratch_engine

    with scratch_engine(url) as engine:
        assert engine.url.username == engine.url.database
        assert engine.url.username != make_url(url).username
        assert engine.url.database in _databases(url)
        with engine.connect() as conn:
            query = "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
            if _postgres(url):
                assert tuple(conn.exec_driver_sql(query).one()) == (False, False, False)
            else:
                grants = [row[0] for row in conn.exec_driver_sql("SHOW GRANTS")]
                assert all("ON *.*" not in g or "USAGE" in g for g in grants), grants
        name = engine.url.database
    assert name not in _names(url)


def test_a_connection_left_open_does_not_block_the_drop(url, tmp_path):
    """A revision starts a process that keeps a transaction open on the scratch
    database (MariaDB's DROP DATABASE would wait for its lock forever)."""
    pid_file = tmp_path / "holder.pid"
    holder = (
        "import sys, time, sqlalchemy as sa\n"
        "engine = sa.create_engine(sys.argv[1])\n"
        "conn = engine.connect()\n"
        "conn.begin()\n"
        "conn.exec_driver_sql('SELECT * FROM users').all()\n"
        "open(sys.argv[2], 'w').close()\n"
        "time.sleep(600)\n"
    )
    (tmp_path / "holder.py").write_text(holder)
    body = (
        "import subprocess\n\ndef upgrade():\n"
        "    url = op.get_bind().engine.url.render_as_string(hide_password=False)\n"
        f"    child = subprocess.Popen([sys.executable, {str(tmp_path / 'holder.py')!r}, url, {str(pid_file) + '.ready'!r}],"
        " start_new_session=True)\n"
        f"    open({str(pid_file)!r}, 'a').write(f'{{child.pid}}\\n')\n"
        f"    while not os.path.exists({str(pid_file) + '.ready'!r}):\n"
        "        time.sleep(0.05)"
    )
    root = _service(tmp_path, body)
    since = _server_now(url)
    try:
        started = time.monotonic()
        report = check_migrations(service_for(root), clean_models(root), database_url=url)
        assert time.monotonic() - started < 60
        assert report.failures == ()
        assert _leftovers(url, since) == set()
    finally:
        # every holder: the downgrade check on PostgreSQL runs upgrade() a second time
        for pid in pid_file.read_text().split() if pid_file.exists() else ():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass


def _abandoned_name(url: str, age: int) -> str:
    return f"{SCRATCH_PREFIX}{_server_now(url) - age}_{secrets.token_hex(6)}"


def test_a_later_run_drops_abandoned_scratch_databases_and_nothing_else(url, tmp_path):
    day = 24 * 3600
    old = _abandoned_name(url, 2 * day)  # abandoned: old and unused
    recent = _abandoned_name(url, 60)  # may belong to a run in progress
    busy = _abandoned_name(url, 2 * day)  # old, but something is connected to it
    lookalike = f"driftguard_x{os.getpid()}_{secrets.token_hex(4)}"  # not a name drift-guard makes
    for name in (old, recent, busy, lookalike):
        _create_database(url, name, table=False)
    holder = _engine(url, busy).connect()
    try:
        check_migrations(service_for(DATA / "clean"), clean_models(DATA / "clean"), database_url=url)
        left = _databases(url)
        assert old not in left
        assert {recent, busy, lookalike} <= left
    finally:
        holder.close()
        for name in (old, recent, busy, lookalike):
            _drop_database(url, name)


def test_names_that_drift_guard_did_not_make_have_no_age():
    assert scratch_name_time("driftguard_1764790000_0123456789ab") == 1764790000
    for name in ("driftguard_0123456789ab", "driftguard_1764790000_0123456789abc", "postgres", "driftguard_"):
        assert scratch_name_time(name) is None


CREATING = [
    pytest.param(PG_URL, statement, marks=pytest.mark.postgres, id=f"postgresql-{statement}")
    for statement in ("CREATE ROLE", "CREATE DATABASE")
] + [
    pytest.param(MYSQL_URL, statement, marks=pytest.mark.mysql, id=f"mariadb-{statement}")
    for statement in ("CREATE USER", "CREATE DATABASE", "GRANT")
]


@pytest.mark.parametrize(("server", "statement"), CREATING)
def test_an_interrupt_inside_the_driver_while_creating_leaves_nothing(server, statement):
    """Ctrl-C while the server creates the scratch login or database arrives
    inside the driver's call: SQLAlchemy then invalidates the connection, so
    a clean-up on that connection fails (PendingRollbackError) and would hide
    the interrupt behind a traceback and leave the login. The interrupt must
    come out as itself, and nothing of the run stay on the server. (Found by
    sending SIGINT at a sweep of moments to a loaded run on the embedded
    PostgreSQL.)"""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from drift_guard.migrations.scratch import scratch_engine

    url = server_url(server)
    since = _server_now(url)
    reached: list[str] = []

    def interrupt(conn, cursor, sql, parameters, context, executemany):  # noqa: ANN001, ANN202
        if sql.startswith(statement):
            reached.append(sql)
            raise KeyboardInterrupt

    event.listen(Engine, "before_cursor_execute", interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):
            with scratch_engine(url):
                pytest.fail("the scratch database was handed out")
    finally:
        event.remove(Engine, "before_cursor_execute", interrupt)
    assert reached
    assert _leftovers(url, since) == set()
