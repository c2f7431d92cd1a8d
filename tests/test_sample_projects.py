"""End to end: the CLI on the sample projects in fixtures/, exactly as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drift_guard.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLEAN = FIXTURES / "sample-clean"
DRIFTED = FIXTURES / "sample-drifted"


def check_json(project: Path, monkeypatch, capsys, *extra: str) -> tuple[int, dict]:
    monkeypatch.chdir(project)
    status = main(["check", "--format", "json", *extra])
    return status, json.loads(capsys.readouterr().out)


def test_clean_sample_reports_nothing(monkeypatch, capsys):
    status, report = check_json(CLEAN, monkeypatch, capsys)
    assert report["findings"] == []
    assert status == 0
    assert report["summary"]["services"] == 1
    assert report["summary"]["files_scanned"] >= 4


def test_drifted_sample_reports_every_seeded_drift_and_nothing_else(monkeypatch, capsys):
    expected = sorted(tuple(item) for item in json.loads((DRIFTED / "expected.json").read_text())["findings"])
    status, report = check_json(DRIFTED, monkeypatch, capsys)
    found = sorted((f["code"], f["table"], f["column"]) for f in report["findings"])
    assert found == expected
    assert status == 1


def test_drifted_sample_findings_are_located(monkeypatch, capsys):
    _, report = check_json(DRIFTED, monkeypatch, capsys)
    by_key = {(f["code"], f["table"], f["column"]): f for f in report["findings"]}
    last_login = by_key[("DG103", "users", "last_login")]
    models = "services/flask-backend/app/db/models.py"
    assert last_login["location"]["path"] == models
    source = (DRIFTED / models).read_text().splitlines()
    assert "last_login" in source[last_login["location"]["line"] - 1]
    assert last_login["related"][0]["path"] == "services/flask-backend/app/models.py"
    meta = by_key[("DG105", "invoices", "meta")]
    assert meta["message"] == 'column `invoices.meta` is `sa.JSON` (json) in the model vs "text" (text) in PyDAL'
    assert meta["severity"] == "error" and meta["name"] == "column-type-mismatch"


def test_text_output_format(monkeypatch, capsys):
    monkeypatch.chdir(DRIFTED)
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["check", "--select", "DG106"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("services/flask-backend/app/models.py:")
    assert " DG106 [error] column `users.full_name` is `String(255)` (length 255) in the model" in out[0]
    assert out[1] == "    hint: set length=255 on the PyDAL field"
    assert out[-1].startswith("Found 1 error, 0 warnings (1 service,")


def test_fail_on_and_exit_zero(monkeypatch, capsys):
    monkeypatch.chdir(DRIFTED)
    assert main(["check", "--select", "DG108", "--quiet"]) == 0  # a warning does not fail by default
    assert main(["check", "--select", "DG108", "--fail-on", "warning", "--quiet"]) == 1
    assert main(["check", "--exit-zero", "--quiet"]) == 0
    capsys.readouterr()


def test_service_folder_as_path(monkeypatch, capsys):
    monkeypatch.chdir(DRIFTED)
    status = main(["check", "services/flask-backend", "--select", "DG101", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 1 and [f["table"] for f in report["findings"]] == ["api_keys"]


def test_console_script_runs_as_a_module(tmp_path):
    """``python -m drift_guard`` works from anywhere and never needs the project importable."""
    result = subprocess.run(
        [sys.executable, "-m", "drift_guard", "check", str(DRIFTED), "--select", "DG101", "--no-migrations"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 1, result.stderr
    assert "DG101 [error] table `api_keys` is defined in the models but not in PyDAL" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "argv", [["check", "--select"], ["check", "--format", "xml"], ["rule", "DG999"], ["check", "no/such/dir"]]
)
def test_usage_errors_exit_2(argv, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as raised:
        status = main(argv)
        raise SystemExit(status)
    assert raised.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
