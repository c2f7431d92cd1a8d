"""The fixed PyDAL module works against a database the migrations created.

The drifted sample is fixed (with ``--remove``, so every PyDAL table is one the
migrations create), ``alembic upgrade head`` of the sample builds a fresh
database, and the fixed module's ``define_table`` calls run against it with
``DAL(uri, migrate=False)``; a row goes into every fixed table and comes back.
Real SQLite and PostgreSQL; under CI an unreachable server fails.
"""

from __future__ import annotations

import datetime
import decimal
import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_migrations_helpers import PG_URL, server_url

from drift_guard.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-drifted"
SERVICE = Path("services/flask-backend")


def _fixed_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root)
    monkeypatch.chdir(root)
    # The sample shares one list of Field objects between two tables, which PyDAL
    # rejects when it really runs ("Field users.created_at is already bound to a
    # table"): a helper returning fresh Fields is what works (and is read as well).
    pydal = root / SERVICE / "app/models.py"
    text = (
        pydal.read_text()
        .replace("timestamps = [", "def timestamps():\n    return [")
        .replace("*timestamps,", "*timestamps(),")
    )
    pydal.write_text(
        text.replace('    Field("updated_at", "datetime"),\n]', '    Field("updated_at", "datetime"),\n    ]')
    )
    assert main(["fix", "--remove"]) == 0
    return root / SERVICE


def _upgrade(service: Path, url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"],
        cwd=service,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _exercise(service: Path, uri: str, folder: Path) -> None:
    from pydal import DAL

    spec = importlib.util.spec_from_file_location(f"fixed_models_{secrets.token_hex(4)}", service / "app/models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    db = DAL(uri, migrate=False, folder=str(folder))
    try:
        module.define_tables(db)
        when = datetime.datetime(2026, 3, 1, 12, 30)
        user = db.users.insert(email="a@example.com", password_hash="x", full_name="A", last_login=when)
        team = db.teams.insert(name="core", description="the core team")
        db.team_members.insert(team_id=team, user_id=user)
        db.invoices.insert(team_id=team, amount=decimal.Decimal("12.50"), meta={"k": [1, 2]}, issued_on=when)
        db.api_keys.insert(user_id=user, token_hash="h" * 128)
        db.commit()
        row = db(db.users.id == user).select().first()
        assert (row.email, row.last_login, row.is_active) == ("a@example.com", when, True)
        invoice = db(db.invoices.team_id == team).select().first()
        assert invoice.meta == {"k": [1, 2]} and invoice.amount == decimal.Decimal("12.50")
        assert db(db.api_keys.user_id == user).count() == 1
        assert db(db.team_members.user_id == user).select().first().member_role == "member"
    finally:
        db.close()


def test_fixed_module_runs_on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    service = _fixed_sample(tmp_path, monkeypatch)
    database = tmp_path / "app.db"
    _upgrade(service, f"sqlite:///{database}")
    _exercise(service, f"sqlite://{database}", tmp_path)


@pytest.mark.postgres
def test_fixed_module_runs_on_postgresql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    admin_url = server_url(PG_URL)
    name = f"dg_fix_{secrets.token_hex(6)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        service = _fixed_sample(tmp_path, monkeypatch)
        _upgrade(service, f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}")
        _exercise(service, f"postgres3://postgres@127.0.0.1:5432/{name}", tmp_path)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
