"""SARIF artifact URIs are relative to the repository root, also when the gate
runs in a service folder (GitHub resolves %SRCROOT% to the checkout root)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main

DRIFTED = Path(__file__).resolve().parent.parent / "fixtures" / "sample-drifted"
SERVICE = "services/flask-backend"


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(DRIFTED, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def uris(root: Path, cwd: Path, monkeypatch) -> set[str]:
    monkeypatch.chdir(cwd)
    out = root / "out.sarif"
    assert main(["check", "--no-migrations", "--format", "sarif", "--output", str(out)]) == 1
    run = json.loads(out.read_text())["runs"][0]
    found = set()
    for result in run["results"]:
        for loc in result["locations"] + result.get("relatedLocations", []):
            artifact = loc["physicalLocation"]["artifactLocation"]
            assert artifact.get("uriBaseId") == "%SRCROOT%", artifact
            found.add(artifact["uri"])
    return found


@pytest.mark.parametrize(
    ("git_at", "run_in", "prefix"),
    [
        ("", SERVICE, SERVICE + "/"),  # fires the fix: run in the service folder of a repository
        ("", "", SERVICE + "/"),  # stays as before: run at the repository root
        (None, SERVICE, ""),  # no repository: relative to the run directory
    ],
)
def test_artifact_uris_are_repository_relative(repo, monkeypatch, git_at, run_in, prefix):
    if git_at is not None:
        (repo / git_at / ".git").mkdir()
    found = uris(repo, repo / run_in, monkeypatch)
    assert found == {prefix + "app/db/models.py", prefix + "app/models.py"}


def test_fingerprints_do_not_depend_on_the_run_directory(repo, monkeypatch):
    (repo / ".git").mkdir()
    prints = []
    for cwd in (repo, repo / SERVICE):
        monkeypatch.chdir(cwd)
        out = repo / "out.sarif"
        main(["check", "--no-migrations", "--format", "sarif", "--output", str(out)])
        results = json.loads(out.read_text())["runs"][0]["results"]
        prints.append(sorted(r["partialFingerprints"]["driftGuardFinding/v1"] for r in results))
    assert prints[0] == prints[1] and len(prints[0]) == 14  # fixtures/sample-drifted/expected.json
