"""In GitHub annotations the other layer's location is written like ``file=``:
relative to the repository root, also when drift-guard runs in a sub-folder."""

from __future__ import annotations

from pathlib import Path

from drift_guard.cli import main

DRIFTED = Path(__file__).resolve().parents[1] / "fixtures" / "sample-drifted"


def test_related_locations_use_repository_paths(monkeypatch, capsys):
    monkeypatch.chdir(DRIFTED)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert main(["check", "--format", "github", "--select", "DG103", "--no-migrations"]) == 1
    [line] = [text for text in capsys.readouterr().out.splitlines() if text.startswith("::error")]
    prefix = "fixtures/sample-drifted/services/flask-backend/app/"
    assert f"file={prefix}db/models.py," in line
    assert line.endswith(f"see also: {prefix}models.py:21:9")
