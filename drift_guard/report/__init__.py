"""Output formats. Each renders a RunResult to a string; none decides exit codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drift_guard.engine import RunResult

FORMATS = ("text", "json", "github", "sarif", "html")
# Formats that show each service's schemas, so the run must collect them (run(collect_schemas=True)).
NEEDS_SCHEMAS = frozenset({"html"})


def render(result: RunResult, fmt: str, *, color: bool = False, statistics: bool = False) -> str:
    # --statistics is part of the text-like formats only: JSON and SARIF have
    # fixed shapes other tools read (counts are derivable from their findings).
    if fmt == "json":
        from drift_guard.report.json_report import render_json

        return render_json(result)
    if fmt == "github":
        from drift_guard.report.github import render_github

        return render_github(result, statistics=statistics)
    if fmt == "html":
        from drift_guard.report.html import render_html

        return render_html(result)
    if fmt == "sarif":
        from drift_guard.report.sarif import render_sarif

        return render_sarif(result)
    from drift_guard.report.text import render_text

    return render_text(result, color=color, statistics=statistics)
