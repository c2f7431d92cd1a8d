"""Baselines: keyed by what a finding is about (not where), counted, and
reporting entries that no longer occur (DG004) so the baseline shrinks."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from drift_guard.baseline import apply_baseline, finding_key, write_baseline
from drift_guard.cli import main
from drift_guard.engine import RunResult
from drift_guard.errors import InputError
from drift_guard.findings import Finding, Severity
from drift_guard.rules import load_rules
from drift_guard.schema import Location


def make(
    code="DG103",
    table="users",
    column="email",
    line=10,
    message=None,
    service="services/api",
    path="services/api/app/db/models.py",
) -> Finding:
    text = message or f"{table}.{column}: {code}"
    return Finding(code, "rule-name", Severity.ERROR, text, "hint", Location(path, line, 5), table, column, (), service)


def result(*findings: Finding) -> RunResult:
    return RunResult(list(findings), files_scanned=2, services=["services/api"])


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_write_then_apply_hides_everything(cwd):
    findings = [make(), make(column="name"), make(code="DG001", table=None, column=None, message="a.py: bad syntax")]
    baseline = cwd / "drift-guard-baseline.json"
    assert write_baseline(result(*findings), baseline) == 3
    assert apply_baseline(result(*findings), baseline).findings == []


def test_written_file_is_one_entry_per_line_and_sorted(cwd):
    baseline = cwd / "b.json"
    write_baseline(result(make(column="name"), make(column="email")), baseline)
    text = baseline.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["version"] == 1
    assert [e["column"] for e in data["entries"]] == ["email", "name"]
    assert data["entries"][0] == {
        "code": "DG103",
        "service": "services/api",
        "table": "users",
        "column": "email",
        "message": "users.email: DG103",
        "count": 1,
        "location": "services/api/app/db/models.py:10:5",
    }
    assert sum(1 for line in text.splitlines() if line.lstrip().startswith('{"')) == 2


@pytest.mark.parametrize(
    "edit",
    [
        lambda f: replace(f, location=replace(f.location, line=f.location.line + 25)),  # lines moved
        lambda f: replace(f, location=replace(f.location, path="services/api/app/db/user.py")),  # class moved file
        lambda f: replace(f, message="users.email: reworded"),  # message of a column finding is not matched
    ],
)
def test_editing_files_does_not_invalidate_the_baseline(cwd, edit):
    baseline = cwd / "b.json"
    write_baseline(result(make()), baseline)
    assert apply_baseline(result(edit(make())), baseline).findings == []


@pytest.mark.parametrize(
    "new",
    [
        make(column="phone"),  # another column
        make(table="orders"),  # another table
        make(code="DG105"),  # another problem on the same column
        make(service="services/other"),  # same names in another service
        make(code="DG001", table=None, column=None, message="b.py: bad syntax"),  # table-less: message matters
    ],
)
def test_new_findings_are_reported(cwd, new):
    baseline = cwd / "b.json"
    write_baseline(result(make(), make(code="DG001", table=None, column=None, message="a.py: bad syntax")), baseline)
    after = apply_baseline(
        result(make(), make(code="DG001", table=None, column=None, message="a.py: bad syntax"), new), baseline
    )
    assert after.findings == [new]


def test_a_second_occurrence_of_a_known_key_is_new(cwd):
    baseline = cwd / "b.json"
    write_baseline(result(make(line=10)), baseline)
    after = apply_baseline(result(make(line=10), make(line=40)), baseline)
    assert [f.location.line for f in after.findings] == [40]


def test_stale_entries_are_reported_at_their_line(cwd):
    baseline = cwd / "b.json"
    write_baseline(result(make(column="email"), make(column="name")), baseline)
    after = apply_baseline(result(make(column="name")), baseline)
    assert len(after.findings) == 1
    stale = after.findings[0]
    assert (stale.code, stale.name, stale.severity) == ("DG004", "stale-baseline-entry", Severity.INFO)
    assert "DG103 users.email in services/api" in stale.message
    assert stale.location == Location(baseline.as_posix(), 5, 1)  # the email entry's line (after "entries": [)
    assert stale.location.shown_from(cwd) == Location("b.json", 5, 1)  # as the text report shows it
    assert "drift-guard baseline b.json" in stale.hint


def test_partially_stale_count(cwd):
    baseline = cwd / "b.json"
    write_baseline(result(make(line=1), make(line=2), make(line=3)), baseline)
    after = apply_baseline(result(make(line=1)), baseline)
    assert [f.message for f in after.findings] == [
        "baseline entry no longer occurs: DG103 users.email in services/api (2 of 3 recorded occurrences)"
    ]


def test_quiet_when_nothing_changed_and_other_fields_kept(cwd):
    baseline = cwd / "b.json"
    write_baseline(result(), baseline)
    assert json.loads(baseline.read_text(encoding="utf-8"))["entries"] == []
    after = apply_baseline(result(make()), baseline)
    assert after.findings == [make()]
    assert (after.files_scanned, after.services) == (2, ["services/api"])


def test_reformatted_baseline_still_matches(cwd):
    baseline = cwd / "b.json"
    write_baseline(result(make(), make(column="name")), baseline)
    data = json.loads(baseline.read_text(encoding="utf-8"))
    baseline.write_text(json.dumps(data, indent=4), encoding="utf-8")  # a user's editor reflowed it
    after = apply_baseline(result(make()), baseline)
    assert [(f.code, f.location.line) for f in after.findings] == [("DG004", 1)]


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (None, "b.json"),  # missing file
        ("{not json", "b.json:1:2"),
        ('{"entries": {}}', "b.json"),
        ("[1, 2]", "b.json"),
        ('{"entries": [{"table": "users"}]}', "b.json:1"),
        ('{"entries": [{"code": "DG103", "count": 0}]}', "b.json:1"),
        ('{"entries": [{"code": "DG103", "table": 3}]}', "b.json:1"),
    ],
)
def test_bad_baseline_is_an_input_error(cwd, content, where):
    baseline = cwd / "b.json"
    if content is not None:
        baseline.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        apply_baseline(result(make()), baseline)
    assert info.value.location == where


def test_finding_key_ignores_message_only_for_table_findings():
    assert finding_key(make()) == ("DG103", "services/api", "users", "email", None)
    table_less = make(code="DG001", table=None, column=None, message="x")
    assert finding_key(table_less) == ("DG001", "services/api", None, None, "x")


def test_dg004_is_a_post_phase_rule_reading_the_review():
    """DG004's findings come from its own check, reading the entries the
    baseline step left unmatched (the step itself reports nothing)."""
    from drift_guard.review import RunReview, StaleEntry
    from drift_guard.rules import Phase

    info = load_rules().get("DG004")
    assert info is not None and (info.name, info.phase) == ("stale-baseline-entry", Phase.POST)
    entry = StaleEntry("DG103", "services/api", "users", "email", None, 1, 2, Location("base line.json", 4, 1))
    found = list(info.check(RunReview(stale_entries=(entry,))))
    assert [(f.code, f.severity, f.location.line) for f in found] == [("DG004", Severity.INFO, 4)]
    assert found[0].message == (
        "baseline entry no longer occurs: DG103 users.email in services/api (1 of 2 recorded occurrences)"
    )
    assert "drift-guard baseline 'base line.json'" in found[0].hint
    assert list(info.check(RunReview())) == []
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## How to fix"):
        assert heading in info.doc


# ---------------------------------------------------------------------------
# end to end through the CLI, on the sample projects

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PYDAL_FILE = Path("services/flask-backend/app/models.py")


def _project(tmp_path: Path, sample: str) -> Path:
    project = tmp_path / sample
    shutil.copytree(FIXTURES / sample, project, ignore=shutil.ignore_patterns("__pycache__"))
    return project


def _check(capsys, *args: str) -> tuple[int, str]:
    status = main(["check", "--no-migrations", "--format", "text", *args])
    return status, capsys.readouterr().out


def test_cli_baseline_fails_only_on_new_drift(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(_project(tmp_path, "sample-drifted"))
    status, before = _check(capsys)
    assert status == 1 and " DG10" in before
    assert main(["baseline", "drift-guard-baseline.json", "--no-migrations"]) == 0
    assert "wrote" in capsys.readouterr().out
    status, out = _check(capsys, "--baseline", "drift-guard-baseline.json")
    assert (status, out.splitlines()[-1].startswith("No drift found")) == (0, True), out
    # New drift, inserted above existing definitions (their lines move): only it is reported.
    source = PYDAL_FILE.read_text(encoding="utf-8")
    anchor = '        Field("slug", length=100),\n'
    assert anchor in source
    PYDAL_FILE.write_text(source.replace(anchor, anchor + '        Field("nickname", "string"),\n'), encoding="utf-8")
    status, out = _check(capsys, "--baseline", "drift-guard-baseline.json")
    reported = [line for line in out.splitlines() if " [error]" in line or " [warning]" in line]
    assert status == 1
    assert len(reported) == 1 and "nickname" in reported[0], out


def test_cli_baseline_reports_fixed_entries(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(_project(tmp_path, "sample-drifted"))
    assert main(["baseline", str(tmp_path / "b.json"), "--no-migrations"]) == 0
    recorded = len(json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["entries"])
    capsys.readouterr()
    monkeypatch.chdir(_project(tmp_path, "sample-clean"))  # all drift fixed
    status, out = _check(capsys, "--baseline", str(tmp_path / "b.json"))
    stale = [line for line in out.splitlines() if " DG004 [info]" in line]
    assert status == 0, out  # info does not fail the run
    # every seeded drift was fixed (findings the clean sample still has are not stale)
    assert 10 <= len(stale) <= recorded, out
    assert " [error]" not in out, out
