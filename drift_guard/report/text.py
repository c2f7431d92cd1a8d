"""The human format: ``path:line:col: DG103 [error] message`` plus a hint line."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from drift_guard.findings import Severity

if TYPE_CHECKING:
    from drift_guard.engine import RunResult

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_text(result: RunResult, *, color: bool = False, statistics: bool = False) -> str:
    lines = []
    for item in result.findings:
        where = f"{item.location}:"
        tag = f"{item.code} [{item.severity.value}]"
        if color:
            where = f"{_BOLD}{where}{_RESET}"
            tag = f"{_COLORS[item.severity]}{tag}{_RESET}"
        lines.append(f"{where} {tag} {item.message}")
        if item.hint:
            hint = f"hint: {item.hint}"
            lines.append(f"    {_DIM}{hint}{_RESET}" if color else f"    {hint}")
    if statistics and result.findings:
        lines += ["", *statistics_lines(result)]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def statistics_lines(result: RunResult) -> list[str]:
    """``--statistics``: one ``count  code  name`` line per rule that fired."""
    counts = Counter((f.code, f.name) for f in result.findings)
    return [f"{n:5d}  {code}  {name}" for (code, name), n in sorted(counts.items())]


def summary_line(result: RunResult) -> str:
    scope = f"{_plural(len(result.services), 'service')}, {_plural(result.files_scanned, 'file')} scanned"
    errors, warnings, infos = (result.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    if not (errors or warnings or infos):
        return f"No drift found ({scope})."
    parts = [_plural(errors, "error"), _plural(warnings, "warning")]
    if infos:
        parts.append(_plural(infos, "info"))
    return f"Found {', '.join(parts)} ({scope})."
