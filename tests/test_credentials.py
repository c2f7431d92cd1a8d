"""Credentials in URLs are masked in every message drift-guard prints: the
password of the userinfo part and secret query parameters, in errors (the
``--database-url``) and in findings (URLs inside the code a finding quotes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main
from drift_guard.credentials import mask_credentials

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean" / "services" / "flask-backend"
SECRETS = ("hunter2", "qs3cret", "k3y", "tok123", "s3cr3t")


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://bob:hunter2@db:5432/app", "postgresql://bob:***@db:5432/app"),
        ("postgres:psycopg2://bob:hunter2@db/app", "postgres:psycopg2://bob:***@db/app"),
        ("mysql+pymysql://bob:hun/ter2@db/app", "mysql+pymysql://bob:***@db/app"),
        ("postgres://bob:hun@ter2@db/app", "postgres://bob:***@db/app"),
        ("postgresql://db/app?sslmode=require&password=qs3cret", "postgresql://db/app?sslmode=require&password=***"),
        (
            "postgresql://bob@db/app?sslpassword=k3y&sslmode=verify-full",
            "postgresql://bob@db/app?sslpassword=***&sslmode=verify-full",
        ),
        ("https://api/x?access_token=tok123;sig=abc#top", "https://api/x?access_token=***;sig=***#top"),
        ("host=db user=bob password=s3cr3t", "host=db user=bob password=***"),
        ('connect(user="bob", password="s3 cr3t")', 'connect(user="bob", password="***")'),
        # nothing secret: unchanged
        ("postgres3://app@localhost:5432/app", "postgres3://app@localhost:5432/app"),
        ("sqlite://storage.sqlite", "sqlite://storage.sqlite"),
        ("column `users.password_hash` (string)", "column `users.password_hash` (string)"),
        ("passive=1 author=me", "passive=1 author=me"),
    ],
)
def test_mask_credentials(text: str, expected: str) -> None:
    assert mask_credentials(text) == expected


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copytree(CLEAN, tmp_path / "svc")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "url",
    [
        # a server that refuses the connection: the error names the URL
        "postgresql+psycopg2://bob:hunter2@127.0.0.1:1/app?sslpassword=k3y&password=qs3cret",
        "postgresql+psycopg2://127.0.0.1:1/app?password=qs3cret&application_name=x&token=tok123",
        # not a URL at all, or not a server: the error must not quote it either
        "postgresql//bob:hunter2@127.0.0.1/app",
        "sqlite://bob:hunter2@/x?password=qs3cret",
        "postgresql+nosuchdriver://bob:hunter2@127.0.0.1:1/app",
    ],
)
def test_database_url_errors_mask_credentials(project, capsys, url: str) -> None:
    status = main(["check", "--database-url", url])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("drift-guard: error: ")
    assert _leaks(captured.err + captured.out) == []


RUNTIME = """\
import sqlalchemy as sa
from pydal import DAL

from app.models import get_db

REPORTS = DAL("postgres://bob:hunter2@reports.example/app?sslpassword=k3y", migrate=True)


def handler():
    db = get_db()
    db.executesql("CREATE TABLE audit (source text default 'postgres://bob:hunter2@db/app?password=qs3cret')")
    return db(db.users).select()


def legacy(connection):
    # the statement is quoted shortened to 60 characters: cut inside the password
    return connection.execute(sa.select(sa.literal("mysql://root:s3cr3t-and-then-some-more@legacy/app")))
"""


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_findings_quoting_urls_mask_credentials(project, capsys, fmt: str) -> None:
    (project / "svc/app/routes.py").write_text(RUNTIME)
    assert main(["check", "--no-migrations", "--format", fmt]) == 1
    out = capsys.readouterr().out
    assert _leaks(out) == [] and "s3c" not in out and "bob:h" not in out  # nor a prefix of one
    if fmt == "text":
        assert "DDL at run time: `CREATE TABLE audit (source text default 'postgres://bob:***...`" in out
    if fmt == "json":
        codes = {f["code"] for f in json.loads(out)["findings"]}
        assert {"DG301", "DG305", "DG401"} <= codes


def test_the_baseline_records_masked_messages(project, capsys) -> None:
    (project / "svc/app/routes.py").write_text(RUNTIME)
    assert main(["baseline", "baseline.json", "--no-migrations"]) == 0
    assert _leaks((project / "baseline.json").read_text()) == []
