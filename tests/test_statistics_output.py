"""--statistics also in the GitHub format (the log shows plain lines), and never
inside the fixed JSON/SARIF shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_guard.cli import main

DRIFTED = Path(__file__).resolve().parent.parent / "fixtures" / "sample-drifted"


@pytest.mark.parametrize(
    ("args", "env", "has_stats"),
    [
        (["--format", "github", "--statistics"], {}, True),
        (["--statistics"], {"GITHUB_ACTIONS": "true"}, True),
        (["--format", "github"], {}, False),  # stays quiet without the flag
        (["--format", "text", "--statistics"], {}, True),
    ],
)
def test_statistics_lines(monkeypatch, capsys, args, env, has_stats):
    monkeypatch.chdir(DRIFTED)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["check", "--no-migrations", "--select", "DG107,DG108", *args]) == 1
    lines = capsys.readouterr().out.splitlines()
    stats = [line for line in lines if line.strip().startswith(("2  DG107", "1  DG108"))]
    assert stats == (["    2  DG107  nullability-mismatch", "    1  DG108  unique-mismatch"] if has_stats else [])
    assert lines[-1].startswith("Found 2 errors, 1 warning")


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_statistics_keep_json_and_sarif_parseable(monkeypatch, capsys, fmt):
    monkeypatch.chdir(DRIFTED)
    main(["check", "--no-migrations", "--select", "DG107", "--format", fmt, "--statistics"])
    json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("git", "run_in", "prefix"),
    [
        (True, "services/flask-backend", "services/flask-backend/"),  # run in a service folder of a repository
        (True, "", "services/flask-backend/"),
        (False, "services/flask-backend", ""),  # no repository: relative to the run directory
    ],
)
def test_github_annotation_files_are_repository_relative(tmp_path, monkeypatch, capsys, git, run_in, prefix):
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(DRIFTED, root, ignore=shutil.ignore_patterns("__pycache__"))
    if git:
        (root / ".git").mkdir()
    monkeypatch.chdir(root / run_in)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    main(["check", "--no-migrations", "--select", "DG108", "--format", "github"])
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    assert line.startswith(f"::warning file={prefix}app/models.py,line=22,")
