"""Baseline entries are only stale for what the run checked: another service's
entries (a run on one service of a repository-wide baseline) and entries of
rules that did not run are neither matched nor reported as DG004."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift_guard.baseline import apply_baseline, write_baseline
from drift_guard.engine import RunResult
from drift_guard.findings import Finding, Severity
from drift_guard.schema import Location


def make(code: str, service: str, column: str = "email") -> Finding:
    return Finding(
        code,
        "rule-name",
        Severity.ERROR,
        f"users.{column}: {code}",
        "hint",
        Location(f"{service}/app/models.py", 10, 5),
        "users",
        column,
        (),
        service,
    )


@pytest.fixture
def baseline(tmp_path, monkeypatch) -> Path:
    """A baseline recorded on a two-service repository with DG1 and DG2 findings."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "baseline.json"
    recorded = [make("DG103", "services/a"), make("DG201", "services/a"), make("DG103", "services/b")]
    write_baseline(RunResult(recorded, 4, ["services/a", "services/b"]), path)
    return path


def stale(result: RunResult) -> list[str]:
    return sorted(f.message for f in result.findings if f.code == "DG004")


@pytest.mark.parametrize(
    ("services", "active", "found", "expected_stale"),
    [
        # stays quiet: only services/a was checked, its findings all occur
        (["services/a"], None, ["DG103", "DG201"], []),
        # stays quiet: DG2 did not run (--no-migrations / --ignore DG2)
        (["services/a"], {"DG103", "DG004"}, ["DG103"], []),
        # fires: DG201 ran and no longer occurs
        (
            ["services/a"],
            {"DG103", "DG201", "DG004"},
            ["DG103"],
            ["baseline entry no longer occurs: DG201 users.email in services/a"],
        ),
        # fires: services/b was checked and its DG103 is gone
        (
            ["services/a", "services/b"],
            None,
            ["DG103", "DG201"],
            ["baseline entry no longer occurs: DG103 users.email in services/b"],
        ),
    ],
)
def test_stale_only_for_what_was_checked(baseline, services, active, found, expected_stale):
    current = RunResult([make(code, "services/a") for code in found], 2, services)
    after = apply_baseline(current, baseline, active_codes=active)
    assert stale(after) == expected_stale
    assert [f for f in after.findings if f.code != "DG004"] == []


def test_entry_of_an_unchecked_service_still_hides_nothing_new(baseline):
    """Scoping the stale report must not turn another service's entry into a
    match for this service's new finding."""
    current = RunResult([make("DG103", "services/a"), make("DG103", "services/a", column="name")], 2, ["services/a"])
    after = apply_baseline(current, baseline)
    assert [(f.code, f.column) for f in after.findings if f.code != "DG004"] == [("DG103", "name")]
    assert stale(after) == ["baseline entry no longer occurs: DG201 users.email in services/a"]


DRIFTED = Path(__file__).resolve().parent.parent / "fixtures" / "sample-drifted"


@pytest.mark.parametrize(
    ("write_in", "check_in"),
    [
        ("", "services/flask-backend"),  # written by the hook at the root, checked by CI in the service
        ("services/flask-backend", ""),
        ("", ""),  # stays as before
    ],
)
def test_baseline_matches_whatever_folder_it_runs_in(tmp_path, monkeypatch, capsys, write_in, check_in):
    import shutil

    from drift_guard.cli import main

    root = tmp_path / "repo"
    shutil.copytree(DRIFTED, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".git").mkdir()  # service folders are keyed relative to the repository root
    baseline = root / "drift-guard-baseline.json"
    monkeypatch.chdir(root / write_in)
    assert main(["baseline", str(baseline), "--no-migrations"]) == 0
    monkeypatch.chdir(root / check_in)
    capsys.readouterr()
    assert main(["check", "--baseline", str(baseline), "--no-migrations"]) == 0
    assert capsys.readouterr().out.startswith("No drift found")
