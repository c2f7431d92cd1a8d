"""A revision script is user code: ``os.chdir('/')`` in one must not move where
drift-guard writes its report, nor how it shows paths."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean" / "services" / "flask-backend"

CHDIR_REVISION = '''\
"""wanders off

Revision ID: 0003
Revises: 0002
"""
import os

from alembic import op

os.chdir("/")  # at import time

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    os.chdir("/tmp")


def downgrade() -> None:
    os.chdir("/")
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copytree(CLEAN, tmp_path / "svc")
    (tmp_path / "svc/alembic/versions/20260301_0003_chdir.py").write_text(CHDIR_REVISION)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _database_url() -> str:
    from test_migrations_helpers import PG_URL, server_url

    return server_url(PG_URL)


@pytest.mark.parametrize("mode", ["default", pytest.param("server", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("command", ["check", "baseline"])
def test_a_revision_changing_directory_does_not_move_the_output(project, capsys, mode, command) -> None:
    extra = ["--database-url", _database_url()] if mode == "server" else []
    folder = f"out-{secrets.token_hex(4)}"  # unique: nothing else creates it in / or /tmp
    if command == "check":
        status = main(["check", "--format", "json", "--output", f"{folder}/report.json", *extra])
        target = project / folder / "report.json"
    else:
        status = main(["baseline", f"{folder}/baseline.json", *extra])
        target = project / folder / "baseline.json"
    strays = [Path("/") / folder, Path("/tmp") / folder]
    try:
        assert Path.cwd() == project  # the working directory is back where it was
        assert target.is_file()
        assert not any(p.exists() for p in strays)
    finally:
        for stray in strays:
            shutil.rmtree(stray, ignore_errors=True)
    assert status == 0, capsys.readouterr()
    if command == "check":
        report = json.loads(target.read_text())
        assert report["findings"] == [] and report["summary"]["services"] == 1


@pytest.mark.parametrize("mode", ["default", pytest.param("server", marks=pytest.mark.postgres)])
def test_findings_after_a_directory_change_keep_relative_paths(project, capsys, mode) -> None:
    models = project / "svc/app/db/models.py"
    models.write_text(
        models.read_text().replace('__tablename__ = "teams"', '__tablename__ = "teams"\n    extra = Column(Integer)', 1)
    )
    extra = ["--database-url", _database_url()] if mode == "server" else []
    assert main(["check", "--format", "json", "--select", "DG201", *extra]) == 1
    paths = {f["location"]["path"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert paths == {"svc/app/db/models.py"}
    assert Path.cwd() == project
    assert os.getcwd() == str(project)
