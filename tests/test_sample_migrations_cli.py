"""Issue 3's "Done when", through the real CLI on copies of fixtures/sample-clean.

Each seeded change must give exactly its finding (the whole report, not only
DG2xx: the seeds keep both layers in step, so nothing else may fire), and the
unchanged copy none, on SQLite, PostgreSQL and MariaDB. The server URLs are the
ones a user types (``postgresql://`` without a driver), and afterwards no
scratch database may be left on the server.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from drift_guard.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
SERVICE = Path("services") / "flask-backend"
PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/mysql"

REVISION = '''"""{rev}"""
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = "0002"


def upgrade():
    {upgrade}


def downgrade():
    {downgrade}
'''


def _add_revision(root: Path, rev: str, upgrade: str, downgrade: str) -> None:
    path = root / SERVICE / "alembic" / "versions" / f"20260301_{rev}.py"
    path.write_text(REVISION.format(rev=rev, upgrade=upgrade, downgrade=downgrade))


def _insert_after(path: Path, anchor: str, text: str) -> None:
    source = path.read_text()
    assert anchor in source, f"fixture changed: {anchor!r} not in {path}"
    path.write_text(source.replace(anchor, anchor + text, 1))


def model_column_without_migration(root: Path) -> None:
    """Model and PyDAL both gain the column (so DG103 stays quiet); no revision."""
    _insert_after(
        root / SERVICE / "app" / "db" / "models.py",
        "    full_name = Column(String(255))\n",
        "    nickname = Column(String(50))\n",
    )
    _insert_after(
        root / SERVICE / "app" / "models.py",
        '        Field("full_name", "string", length=255),\n',
        '        Field("nickname", "string", length=50),\n',
    )


def migration_column_missing_in_model(root: Path) -> None:
    _add_revision(
        root,
        "0003",
        'op.add_column("users", sa.Column("legacy_code", sa.String(20)))',
        'op.drop_column("users", "legacy_code")',
    )


def two_heads(root: Path) -> None:
    for rev in ("0003a", "0003b"):
        _add_revision(root, rev, 'op.execute("SELECT 1")', 'op.execute("SELECT 1")')


def empty_downgrade(root: Path) -> None:
    """A data migration: the schema stays as the model says, so only DG204."""
    _add_revision(root, "0003", "op.execute(\"UPDATE users SET role = 'viewer' WHERE role = ''\")", "pass")


def failing_revision(root: Path) -> None:
    _add_revision(
        root,
        "0003",
        'op.add_column("userz", sa.Column("nickname", sa.String(50)))',
        'op.drop_column("userz", "nickname")',
    )


SEEDS = [
    # seed, code, file the finding is located in, line, message fragment
    (
        model_column_without_migration,
        "DG201",
        "app/db/models.py",
        19,
        "column `users.nickname` (`String(50)`) is in the model",
    ),
    (migration_column_missing_in_model, "DG201", "20260301_0003.py", 10, "`users.legacy_code`"),
    (two_heads, "DG202", "20260301_0003a.py", None, "2 heads: `0003a`"),
    (empty_downgrade, "DG204", "20260301_0003.py", 13, "revision `0003` has an empty downgrade()"),
    (failing_revision, "DG205", "20260301_0003.py", 10, "userz"),
]


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _database_url(kind: str) -> str | None:
    """The URL for ``kind``; an unreachable server FAILS under CI, else skips."""
    if kind == "sqlite":
        return None
    url, port = (PG_URL, 5432) if kind == "postgresql" else (MYSQL_URL, 3306)
    if not _reachable("127.0.0.1", port):
        if os.environ.get("CI"):
            pytest.fail(f"{kind} server on 127.0.0.1:{port} is required under CI and unreachable")
        pytest.skip(f"{kind} server on 127.0.0.1:{port} unreachable")
    return url


def _scratch_databases(url: str | None) -> set[str]:
    """Databases named like drift-guard's scratch databases on the server."""
    if url is None:
        return set()
    import sqlalchemy as sa

    real = url.replace("postgresql://", "postgresql+psycopg2://")
    query = (
        "SELECT datname FROM pg_database"
        if real.startswith("postgresql")
        else "SELECT schema_name FROM information_schema.schemata"
    )
    engine = sa.create_engine(real)
    try:
        with engine.connect() as conn:
            return {row[0] for row in conn.exec_driver_sql(query) if row[0].startswith("driftguard_")}
    finally:
        engine.dispose()


def _check(root: Path, url: str | None, monkeypatch) -> tuple[int, dict]:
    report = root / "report.json"
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    argv = ["check", "--format", "json", "--output", str(report)]
    if url:
        argv += ["--database-url", url]
    before = _scratch_databases(url)
    code = main(argv)
    _assert_no_scratch_left(url, before)
    return code, json.loads(report.read_text())


def _assert_no_scratch_left(url: str | None, before: set[str]) -> None:
    """Scratch databases that appeared during the run must be gone. Other
    test runs may share the server, so a new name is given a few seconds to
    disappear (theirs are dropped when their run ends; a leak of ours never is)."""
    import time

    new = _scratch_databases(url) - before
    deadline = time.monotonic() + 20
    while new and time.monotonic() < deadline:
        time.sleep(0.5)
        new &= _scratch_databases(url)
    assert not new, f"scratch database(s) left on the server: {sorted(new)}"


@pytest.fixture
def sample(tmp_path) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


DATABASES = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mysql),
]


@pytest.mark.parametrize("kind", DATABASES)
@pytest.mark.parametrize(("seed", "code", "where", "line", "fragment"), SEEDS, ids=[s[0].__name__ for s in SEEDS])
def test_seeded_change_gives_exactly_its_finding(sample, monkeypatch, kind, seed, code, where, line, fragment):
    url = _database_url(kind)
    seed(sample)
    exit_code, report = _check(sample, url, monkeypatch)
    found = [(f["code"], f["message"]) for f in report["findings"]]
    assert [c for c, _ in found] == [code], found
    item = report["findings"][0]
    assert item["location"]["path"].endswith(where)
    if line is not None:
        assert item["location"]["line"] == line
    assert fragment in item["message"]
    assert not item["message"].startswith("(") and "<sqlalchemy" not in item["message"]
    assert exit_code == (0 if item["severity"] == "warning" else 1)


@pytest.mark.parametrize("kind", DATABASES)
def test_clean_sample_reports_nothing(sample, monkeypatch, kind):
    url = _database_url(kind)
    exit_code, report = _check(sample, url, monkeypatch)
    assert (exit_code, report["findings"]) == (0, [])
    assert report["summary"]["services"] == 1


@pytest.mark.parametrize("kind", DATABASES)
def test_failing_revision_message_is_the_database_text_not_a_tuple(sample, monkeypatch, kind):
    """PyMySQL's error str() is a tuple repr; the message shows the text."""
    url = _database_url(kind)
    failing_revision(sample)
    _, report = _check(sample, url, monkeypatch)
    message = report["findings"][0]["message"]
    assert "(1146," not in message
    assert message.split(": ", 1)[1][0].isalpha(), message


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("postgresql+nosuchdriver://postgres@127.0.0.1/postgres", "names the driver `nosuchdriver`"),
        ("sqlite:///x.db", "must point to a PostgreSQL or MySQL/MariaDB server"),
        ("not a url", "is not a database URL"),
    ],
)
def test_unusable_database_url_is_a_usage_error_not_a_traceback(sample, monkeypatch, capsys, url, fragment):
    monkeypatch.chdir(sample)
    assert main(["check", "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
