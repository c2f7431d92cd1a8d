"""Findings as a report shows them: paths relative to the report's base."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from drift_guard.findings import Finding


def shown_from(findings: list[Finding], base: Path) -> list[Finding]:
    """``findings`` with every path relative to ``base`` (when inside it), in
    the order of what is shown: findings carry canonical absolute paths, and a
    report lists them as the reader sees them (path, line, column, code)."""
    shown = [
        replace(item, location=item.location.shown_from(base), related=tuple(r.shown_from(base) for r in item.related))
        for item in findings
    ]
    return sorted(shown, key=lambda item: item.sort_key)
