"""The human format: ``path:line:col: DG103 [error] message`` plus a hint line."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from drift_guard.findings import Severity

if TYPE_CHECKING:
    from drift_guard.engine import RunResult

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
# C0/C1 controls and DEL, line/paragraph separators, and the bidirectional
# overrides that make a terminal or a review page show other text than is there.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, keep: str = "") -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x1b``,
    ``\\u202e``), except those in ``keep``: names in messages come from the
    checked code, and a newline in one must not start a line of its own (a
    ``::error`` line is a GitHub workflow command), nor an escape sequence
    reach the terminal."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        if char in _NAMED:
            return _NAMED[char]
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _CONTROL.sub(escape, text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_text(result: RunResult, *, color: bool = False, statistics: bool = False) -> str:
    from drift_guard.report.shown import shown_from

    lines = []
    for item in shown_from(result.findings, result.run_dir):
        where = f"{printable(str(item.location))}:"
        tag = f"{item.code} [{item.severity.value}]"
        if color:
            where = f"{_BOLD}{where}{_RESET}"
            tag = f"{_COLORS[item.severity]}{tag}{_RESET}"
        lines.append(f"{where} {tag} {printable(item.message)}")
        if item.hint:
            hint = f"hint: {printable(item.hint)}"
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
