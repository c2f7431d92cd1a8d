"""``--format github``: workflow commands the runner decodes back to what we meant,
and the step summary that keeps every finding past GitHub's 10-annotation cap."""

from __future__ import annotations

import pytest

from drift_guard.engine import RunResult
from drift_guard.findings import Finding, Severity
from drift_guard.report.github import (
    annotation,
    escape_data,
    escape_property,
    render_github,
    step_summary,
    write_step_summary,
)
from drift_guard.schema import Location


def make(
    code="DG103",
    name="column-missing-in-pydal",
    severity=Severity.ERROR,
    message="users.email is missing",
    hint="",
    path="services/api/app/db/models.py",
    line=12,
    column=5,
    table="users",
    col="email",
    related=(),
):
    return Finding(
        code, name, severity, message, hint, Location(path, line, column), table, col, tuple(related), "services/api"
    )


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Decode a workflow command the way the runner does (ActionCommand.cs):
    ``::name k=v,k=v::data``, properties split on ``,`` and the first ``=``."""
    assert line.startswith("::")
    head, _, data = line[2:].partition("::")
    name, _, props = head.partition(" ")
    properties = {}
    for pair in filter(None, props.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = (
            value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
        )
    return name, properties, data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain text", "plain text", "plain text"),  # stays as is
        ("100%", "100%25", "100%25"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("x: y, z", "x: y, z", "x%3A y%2C z"),  # only properties escape : and ,
        ("%0A", "%250A", "%250A"),  # an existing escape is not taken for one
        ("C:\\path,1", "C:\\path,1", "C%3A\\path%2C1"),
    ],
)
def test_escaping_matches_the_toolkit(raw, data, prop):
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


@pytest.mark.parametrize(
    ("severity", "command"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")],
)
def test_severity_becomes_the_command(severity, command):
    assert annotation(make(severity=severity)).startswith(f"::{command} ")


def test_annotation_properties_and_title():
    line = annotation(make())
    assert line == (
        "::error file=services/api/app/db/models.py,line=12,col=5,endLine=12,"
        "title=DG103 column-missing-in-pydal::users.email is missing"
    )


@pytest.mark.parametrize(
    "item",
    [
        make(message="type differs: String(255), 'string' length=512\nsecond line", hint="set length=255 (100%)"),
        make(path="services/a,b/app:models.py", message="x::y"),
        make(related=[Location("services/api/app/models.py", 3, 1), Location("alembic/versions/1_a.py", 9, 4)]),
    ],
)
def test_runner_decodes_what_was_meant(item):
    name, props, data = parse_command(annotation(item))
    assert name == "error"
    assert props == {
        "file": item.location.path,
        "line": str(item.location.line),
        "col": str(item.location.column),
        "endLine": str(item.location.line),
        "title": f"{item.code} {item.name}",
    }
    assert data.splitlines()[0] == item.message.splitlines()[0]
    assert item.message in data
    if item.hint:
        assert f"hint: {item.hint}" in data
    for loc in item.related:
        assert str(loc) in data
    assert "\n" not in annotation(item)  # one physical line per finding


def test_render_one_command_per_finding_then_summary():
    findings = [make(line=n, col=f"c{n}") for n in (1, 2, 3)] + [make(severity=Severity.WARNING, code="DG105")]
    text = render_github(RunResult(findings, files_scanned=4, services=["services/api"]))
    lines = text.splitlines()
    assert len(lines) == 5
    assert [line.split(" ", 1)[0] for line in lines[:4]] == ["::error"] * 3 + ["::warning"]
    assert lines[-1].startswith("Found 3 errors, 1 warning")


def test_clean_run_stays_quiet():
    text = render_github(RunResult([], files_scanned=2, services=["."]))
    assert "::" not in text
    assert text.startswith("No drift found")


def test_step_summary_counts_and_groups_by_table():
    findings = [
        make(table="users", col="email"),
        make(table="users", col="name", code="DG105", name="column-type-mismatch", severity=Severity.WARNING),
        make(table="orders", col="total", message="pipe | and\nnewline"),
        make(table=None, col=None, code="DG001", name="syntax-error", message="cannot parse"),
    ]
    text = step_summary(RunResult(findings, 3, ["services/api"]))
    assert "| DG103 | column-missing-in-pydal | error | 2 |" in text
    assert "| DG105 | column-type-mismatch | warning | 1 |" in text
    assert text.index("### `orders`") < text.index("### `users`") < text.index("### Not tied to a table")
    assert "pipe \\| and<br>newline" in text
    # every finding is in a table row, none dropped
    assert sum(1 for line in text.splitlines() if line.startswith("| error") or line.startswith("| warning")) == 4


def test_step_summary_stays_under_its_size_budget():
    findings = [make(table=f"t{n // 10}", col=f"column_{n}", message="x" * 200) for n in range(100)]
    text = step_summary(RunResult(findings, 3, ["."]), budget=8000)
    assert len(text.encode("utf-8")) <= 8000
    rows = [line for line in text.splitlines() if line.startswith("| error")]
    assert 10 < len(rows) < 100
    assert f"*{100 - len(rows)} more findings not shown" in text
    assert "\n\n*" in text  # the note is not glued to the table as a row
    full = step_summary(RunResult(findings, 3, ["."]))
    assert "more findings not shown" not in full
    assert sum(1 for line in full.splitlines() if line.startswith("| error")) == 100


def test_write_step_summary_appends(tmp_path, monkeypatch):
    target = tmp_path / "summary.md"
    target.write_text("previous step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    write_step_summary(RunResult([make()], 1, ["."]))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("previous step\n## drift-guard")
    assert "DG103" in text


def test_write_step_summary_without_the_variable_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    write_step_summary(RunResult([make()], 1, ["."]))
    assert list(tmp_path.iterdir()) == []
