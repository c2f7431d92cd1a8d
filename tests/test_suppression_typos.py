"""A suppression listing a code that is no rule (a typo such as DG1O3) silences
nothing and is reported as DG003, also when only some rules ran."""

from __future__ import annotations

import pytest

from drift_guard.findings import Finding, Severity
from drift_guard.schema import Location
from drift_guard.suppressions import apply_suppressions

PATH = "app/models.py"


def make(code: str, line: int) -> Finding:
    return Finding(
        code, "rule-name", Severity.ERROR, f"{code} message", "", Location(PATH, line, 1), "users", "email", (), "svc"
    )


@pytest.mark.parametrize(
    ("comment", "active", "expected"),
    [
        # fires: unknown codes, whatever ran
        ("# drift-guard: ignore[DG999]", None, ["unknown rule code DG999 in suppression"]),
        ("# drift-guard: ignore[DG1O3]", ["DG103", "DG003"], ["unknown rule code DG1O3 in suppression"]),
        ("# drift-guard: ignore[DG103,DG10]", None, ["unknown rule code DG10 in suppression"]),
        # stays quiet: a known code that matched
        ("# drift-guard: ignore[DG103]", None, []),
        # stays quiet: a known code that did not run (--select DG103)
        ("# drift-guard: ignore[DG103,DG201]", ["DG103", "DG003"], []),
        # stays quiet: DG003 itself did not run
        ("# drift-guard: ignore[DG999]", ["DG103"], []),
    ],
)
def test_unknown_codes_in_a_suppression(tmp_path, monkeypatch, comment, active, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / PATH).write_text(f'Field("email")  {comment}\n', encoding="utf-8")
    kept = apply_suppressions([make("DG103", 1)], [tmp_path / PATH], active_codes=active)
    reports = [f.message.split(" (")[0] for f in kept if f.code == "DG003"]
    assert reports == expected
    silenced = "DG103" not in [f.code for f in kept]
    assert silenced == ("DG103]" in comment or "DG103," in comment)
