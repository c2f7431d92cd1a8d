"""Every rule has what users rely on: a code, a kebab-case name, documentation with
the four headings, and golden cases that show it firing and staying quiet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drift_guard.rules import load_rules

RULES_DIR = Path(__file__).parent / "rules"
HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## How to fix")
RULES = sorted(load_rules().values(), key=lambda r: r.code)


def test_codes_are_in_their_ranges() -> None:
    assert RULES, "no rules registered"
    for info in RULES:
        assert re.fullmatch(r"DG[0-4]\d\d", info.code), info.code


@pytest.mark.parametrize("info", RULES, ids=[r.code for r in RULES])
def test_rule_is_documented(info) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", info.name), info.name
    for heading in HEADINGS:
        assert heading in info.doc, f"{info.code} doc lacks {heading!r}"
    assert info.summary and not info.summary.startswith("#")


@pytest.mark.parametrize("info", RULES, ids=[r.code for r in RULES])
def test_rule_has_firing_and_quiet_cases(info) -> None:
    cases = [p for p in (RULES_DIR / info.code).glob("*") if p.is_dir()]
    assert any(c.name.startswith("fires") for c in cases), f"{info.code}: no tests/rules/{info.code}/fires* case"
    assert any(c.name.startswith("quiet") for c in cases), f"{info.code}: no tests/rules/{info.code}/quiet* case"
    for case in cases:
        assert (case / "expected.txt").is_file(), f"{case} has no expected.txt"


def test_names_are_unique() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
