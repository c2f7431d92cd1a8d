"""Revisions outside the repository are never run unless the configuration says
so: an ``alembic.ini`` in a pull request pointing ``script_location`` at
``../../elsewhere`` or an absolute folder must not make drift-guard execute that
code. It is a DG203 that fails the gate; ``allow-external-migrations = true``
opts in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
SERVICE = Path("services") / "flask-backend"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".git").mkdir()
    # The history moves out of the repository, next to it; the marker shows whether it ran.
    outside = tmp_path / "elsewhere"
    shutil.move(str(root / SERVICE / "alembic"), outside)
    marker = tmp_path / "ran.txt"
    initial = next((outside / "versions").glob("*0001*.py"))
    initial.write_text(f"open({str(marker)!r}, 'w').write('ran')\n" + initial.read_text())
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("spelling", ["../../../elsewhere", "ABSOLUTE"])
def test_a_history_outside_the_repository_is_not_run(repo, capsys, spelling):
    outside = repo.parent / "elsewhere"
    location = str(outside) if spelling == "ABSOLUTE" else spelling
    ini = repo / SERVICE / "alembic.ini"
    ini.write_text(ini.read_text().replace("script_location = %(here)s/alembic", f"script_location = {location}"))
    status = main(["check", "--format", "json", "--select", "DG2"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert status == 1
    assert [(f["code"], "outside the repository" in f["message"]) for f in findings] == [("DG203", True)]
    assert not (repo.parent / "ran.txt").exists()


def test_the_configuration_can_allow_it(repo, capsys):
    ini = repo / SERVICE / "alembic.ini"
    outside = repo.parent / "elsewhere"
    ini.write_text(ini.read_text().replace("script_location = %(here)s/alembic", f"script_location = {outside}"))
    (repo / "pyproject.toml").write_text("[tool.drift_guard]\nallow-external-migrations = true\n")
    status = main(["check", "--format", "json", "--select", "DG2"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert (status, findings) == (0, [])
    assert (repo.parent / "ran.txt").read_text() == "ran"


def test_the_setting_is_a_boolean(repo, capsys):
    (repo / "pyproject.toml").write_text('[tool.drift_guard]\nallow-external-migrations = "yes"\n')
    assert main(["check"]) == 2
    assert "pyproject.toml:2:" in capsys.readouterr().err
