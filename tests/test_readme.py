"""The README stays current: its rule table is what the registry says."""

from __future__ import annotations

from pathlib import Path

from drift_guard.cli import rules_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_rule_table_matches_the_registry():
    text = README.read_text()
    start = text.index("<!-- rules:start -->\n") + len("<!-- rules:start -->\n")
    end = text.index("<!-- rules:end -->")
    assert text[start:end] == rules_markdown(), "run `drift-guard rules --markdown` and paste it into README.md"


def test_readme_names_the_test_command_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text()
    assert "python -m pytest" in README.read_text() and "python -m pytest" in ci
