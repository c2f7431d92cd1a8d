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
    """``DGnnn``, and the codes of a group share their hundreds digit, which no
    other group uses (DG0 inputs, DG1 cross-layer, ...): a new group picks a
    free digit and needs no edit here."""
    assert RULES, "no rules registered"
    ranges: dict[str, set[str]] = {}
    for info in RULES:
        assert re.fullmatch(r"DG\d\d\d", info.code), info.code
        ranges.setdefault(info.code[2], set()).add(info.group)
    assert all(len(groups) == 1 for groups in ranges.values()), ranges
    assert {digit: groups.pop() for digit, groups in ranges.items() if digit in "01234"} == {
        "0": "inputs",
        "1": "cross-layer",
        "2": "migrations",
        "3": "runtime",
        "4": "layering",
    }


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
