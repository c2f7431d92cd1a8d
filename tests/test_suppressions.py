"""Inline suppressions: which comments silence which findings, and DG003 for the
ones that silence nothing. Real files in tmp_path, findings built directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift_guard.findings import Finding, Severity
from drift_guard.rules import load_rules
from drift_guard.schema import Location
from drift_guard.suppressions import apply_suppressions, parse_directive, read_suppressions

MODELS = "app/db/models.py"
PYDAL = "app/models.py"


def make(code: str, path: str, line: int, related: tuple[tuple[str, int], ...] = ()) -> Finding:
    return Finding(
        code,
        "rule-name",
        Severity.ERROR,
        f"{code} message",
        "",
        Location(path, line, 1),
        "users",
        "email",
        tuple(Location(p, n, 1) for p, n in related),
        "svc",
    )


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("# drift-guard: ignore[DG103]", (("DG103",), "")),
        ("# drift-guard: ignore[DG103,DG105]", (("DG103", "DG105"), "")),
        ("# drift-guard: ignore[ dg103 , DG105 ]", (("DG103", "DG105"), "")),
        ("# drift-guard: ignore", (None, "")),
        ("# drift-guard: ignore -- legacy column", (None, "legacy column")),
        ("# drift-guard: ignore[DG103] -- dropped in Q3, see #42", (("DG103",), "dropped in Q3, see #42")),
        ("#drift-guard:ignore[DG103]", (("DG103",), "")),
        ("# noqa: E501  # drift-guard: ignore[DG103]", (("DG103",), "")),
        ("# Drift-Guard: IGNORE[dg103]", (("DG103",), "")),
    ],
)
def test_parse_directive(comment, expected):
    parsed = parse_directive(comment)
    assert parsed is not None
    assert parsed[:2] == expected


@pytest.mark.parametrize(
    "comment",
    ["# drift-guard ignore[DG103]", "# drift-guard: ignored", "# noqa: DG103", "# drift-guard: check", "# plain"],
)
def test_not_a_directive(comment):
    assert parse_directive(comment) is None


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_read_suppressions_finds_comments_not_strings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(
        tmp_path,
        MODELS,
        (
            'HELP = "# drift-guard: ignore[DG103]"\n'
            "email = Column(String(255))  # drift-guard: ignore[DG104] -- legacy\n"
            "x = 1  # noqa  # drift-guard: ignore\n"
        ),
    )
    found = read_suppressions(path)
    assert [(s.location.line, s.location.column, s.codes, s.reason) for s in found] == [
        (2, 30, ("DG104",), "legacy"),
        (3, 16, None, ""),  # the directive's own "#", after the noqa comment
    ]
    assert found[0].location.path == (tmp_path / MODELS).as_posix()  # canonical: absolute
    assert found[0].location.shown_from(tmp_path).path == MODELS


def test_read_suppressions_falls_back_for_files_that_do_not_tokenize(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, MODELS, 'x = 1  # drift-guard: ignore[DG001]\ns = """never closed\n')
    assert [s.codes for s in read_suppressions(path)] == [("DG001",)]


def test_read_suppressions_without_marker_reads_nothing(tmp_path):
    path = write(tmp_path, MODELS, "x = 1  # noqa\n")
    assert read_suppressions(path) == []
    assert read_suppressions(tmp_path / "missing.py") == []


# (files: {path: source}, findings, expected kept codes with their line, expected DG003 (line, message part))
CASES = {
    "no directive stays quiet": (
        {MODELS: "a = 1\nb = 2\n"},
        [make("DG103", MODELS, 2)],
        [("DG103", 2)],
        [],
    ),
    "code on the reported line": (
        {MODELS: "a = 1\nb = 2  # drift-guard: ignore[DG103]\n"},
        [make("DG103", MODELS, 2)],
        [],
        [],
    ),
    "bare directive": (
        {MODELS: "a = 1\nb = 2  # drift-guard: ignore -- accepted\n"},
        [make("DG103", MODELS, 2), make("DG105", MODELS, 2)],
        [],
        [],
    ),
    "directive on the related line in the other layer": (
        {MODELS: "a = 1\nb = 2\n", PYDAL: "Field('email')  # drift-guard: ignore[DG103]\n"},
        [make("DG103", MODELS, 2, related=((PYDAL, 1),))],
        [],
        [],
    ),
    "other code does not silence, and is unused": (
        {MODELS: "a = 1\nb = 2  # drift-guard: ignore[DG105]\n"},
        [make("DG103", MODELS, 2)],
        [("DG103", 2)],
        [(2, "no DG105 finding")],
    ),
    "one of two codes unused": (
        {MODELS: "b = 2  # drift-guard: ignore[DG103,DG105]\n"},
        [make("DG103", MODELS, 1)],
        [],
        [(1, "no DG105 finding")],
    ),
    "directive on another line does not silence": (
        {MODELS: "a = 1  # drift-guard: ignore[DG103]\nb = 2\n"},
        [make("DG103", MODELS, 2)],
        [("DG103", 2)],
        [(1, "no DG103 finding")],
    ),
    "bare directive with nothing to silence": (
        {MODELS: "a = 1  # drift-guard: ignore\n"},
        [],
        [],
        [(1, "silences no finding")],
    ),
    "directive inside a string is not one": (
        {MODELS: 'a = "# drift-guard: ignore[DG103]"\n'},
        [make("DG103", MODELS, 1)],
        [("DG103", 1)],
        [],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_apply_suppressions(name, tmp_path, monkeypatch):
    files, findings, kept, unused = CASES[name]
    monkeypatch.chdir(tmp_path)
    paths = [write(tmp_path, rel, text) for rel, text in files.items()]
    result = apply_suppressions(findings, paths)
    assert [(f.code, f.location.line) for f in result if f.code != "DG003"] == kept
    dg003 = [f for f in result if f.code == "DG003"]
    assert [f.location.line for f in dg003] == [line for line, _ in unused]
    for item, (_, text) in zip(dg003, unused):
        assert text in item.message
        assert item.severity is Severity.WARNING
        assert item.name == "unused-suppression"
        assert item.location.shown_from(tmp_path).path == MODELS


def test_related_file_outside_the_scanned_set_is_read(tmp_path, monkeypatch):
    """A related line in a file the engine did not list (e.g. a migration) still counts."""
    monkeypatch.chdir(tmp_path)
    models = write(tmp_path, MODELS, "b = 2\n")
    write(tmp_path, "alembic/versions/1_init.py", "op.add_column('users')  # drift-guard: ignore[DG201]\n")
    finding = make("DG201", MODELS, 1, related=(("alembic/versions/1_init.py", 1),))
    assert apply_suppressions([finding], [models]) == []


def test_absolute_scanned_paths_match_relative_finding_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    models = write(tmp_path, MODELS, "b = 2  # drift-guard: ignore[DG103]\n")
    assert models.is_absolute()
    assert apply_suppressions([make("DG103", MODELS, 1)], [models]) == []


def test_inactive_codes_are_not_called_unused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    models = write(tmp_path, MODELS, "a = 1  # drift-guard: ignore[DG201,DG103]\n")
    result = apply_suppressions([], [models], active_codes=["DG103", "DG003"])
    assert [f.message for f in result] == ["unused suppression: no DG103 finding on this line"]
    assert apply_suppressions([], [models], active_codes=["DG201"]) == []  # DG003 itself not selected


def test_bare_directive_is_only_unused_when_every_rule_ran(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    models = write(tmp_path, MODELS, "a = 1  # drift-guard: ignore\n")
    assert apply_suppressions([], [models], active_codes=["DG103", "DG003"]) == []
    everything = list(load_rules())
    assert [f.code for f in apply_suppressions([], [models], active_codes=everything)] == ["DG003"]


def test_dg003_is_a_post_phase_rule_reading_the_review():
    """DG003's findings come from its own check, reading what the suppression
    step recorded (the step itself reports nothing)."""
    from drift_guard.review import DirectiveUse, RunReview, Suppression
    from drift_guard.rules import Phase
    from drift_guard.schema import Location
    from drift_guard.suppressions import match_suppressions

    info = load_rules()["DG003"]
    assert (info.name, info.severity, info.phase) == ("unused-suppression", Severity.WARNING, Phase.POST)
    used = DirectiveUse(Suppression(Location(MODELS, 3, 7), ("DG103",)), frozenset({"DG103"}))
    stale = DirectiveUse(Suppression(Location(MODELS, 5, 7), ("DG103", "DG105")), frozenset({"DG103"}))
    found = list(info.check(RunReview(directives=(used, stale))))
    assert [(f.code, f.location.line, f.message) for f in found] == [
        ("DG003", 5, "unused suppression: no DG105 finding on this line")
    ]
    assert list(info.check(RunReview())) == []
    assert match_suppressions.__doc__ and "DG003" not in {f.code for f in match_suppressions([], [])[0]}
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## How to fix"):
        assert heading in info.doc
