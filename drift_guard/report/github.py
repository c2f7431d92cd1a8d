"""The GitHub Actions format: one workflow command per finding, plus a step summary.

A workflow command is ``::error file=F,line=L,col=C,endLine=L,title=T::message``.
The runner splits it on ``::`` and ``,`` and decodes percent escapes, so data and
property values are escaped exactly as the official toolkit does it
(``actions/toolkit`` ``packages/core/src/command.ts``: ``escapeData`` /
``escapeProperty``). Anything else would cut a message at its first newline or
a ``title`` at its first comma.

GitHub shows only the first 10 errors and 10 warnings of a step as annotations;
:func:`write_step_summary` writes every finding to ``$GITHUB_STEP_SUMMARY`` so
nothing is lost on a large drift.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from drift_guard.findings import Finding, Severity
from drift_guard.paths import relative_path

if TYPE_CHECKING:
    from drift_guard.engine import RunResult

# GitHub has no "info" annotation level; "notice" is its lowest.
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# GitHub rejects a step summary over 1 MiB; stay well below it and say what was cut.
SUMMARY_BUDGET = 900 * 1024


def escape_data(text: str) -> str:
    """Escape a command's message (toolkit ``escapeData``); ``%`` first so the
    escapes themselves are not escaped again."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (toolkit ``escapeProperty``): ``:`` and ``,``
    separate properties, so they are escaped too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(item: Finding, root: Path | None = None, base: Path | None = None) -> str:
    """Message, hint and the other layer's locations (in the same repository-
    relative form as ``file=``, so the reader can open them in the PR). Control
    characters other than line breaks (escaped as the toolkit does) are written
    as escapes: names in messages come from the checked code."""
    from drift_guard.report.text import printable

    lines = [printable(item.message, keep="\r\n")]
    if item.hint:
        lines.append("hint: " + printable(item.hint, keep="\r\n"))
    if item.related:
        shown = (f"{_repository_path(loc.path, root, base)}:{loc.line}:{loc.column}" for loc in item.related)
        lines.append("see also: " + printable(", ".join(shown)))
    return "\n".join(lines)


def annotation(item: Finding, root: Path | None = None, base: Path | None = None) -> str:
    """One workflow command for ``item``; ``endLine`` equals ``line`` because a
    finding points at one definition, not a range. With ``root`` (the
    repository root) the file is given relative to it, as the runner expects,
    also when drift-guard runs in a service folder."""
    from drift_guard.report.text import printable

    loc = item.location
    props = (
        ("file", printable(_repository_path(loc.path, root, base))),
        ("line", str(loc.line)),
        ("col", str(loc.column)),
        ("endLine", str(loc.line)),
        ("title", f"{item.code} {item.name}"),
    )
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS[item.severity]} {rendered}::{escape_data(_message(item, root, base))}"


def _repository_path(path: str, root: Path | None, base: Path | None = None) -> str:
    """A location's canonical path relative to the repository root ``root``;
    outside it, as the text report shows it (relative to the run directory
    ``base``, else absolute)."""
    if root is None:
        return path
    absolute = path if os.path.isabs(path) else str(((base or root) / path).resolve())
    shown = relative_path(absolute, root)
    if os.path.isabs(shown) and base is not None:
        return relative_path(absolute, base)
    return shown


def render_github(result: RunResult, *, statistics: bool = False) -> str:
    """Every finding as a workflow command, then (``--statistics``) the count
    per rule and the plain summary line (plain text is shown in the log as is)."""
    from drift_guard.report.text import statistics_lines, summary_line

    lines = [annotation(item, result.repository_root, result.run_dir) for item in result.findings]
    if statistics and result.findings:
        lines += statistics_lines(result)
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def write_step_summary(result: RunResult) -> None:
    """Append a Markdown summary to ``$GITHUB_STEP_SUMMARY`` when it is set
    (appending, because other steps of the job write to the same file)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(step_summary(result))


def step_summary(result: RunResult, budget: int = SUMMARY_BUDGET) -> str:
    """The Markdown written by :func:`write_step_summary`: counts per rule, then
    a table of every finding grouped by table."""
    from drift_guard.report.text import summary_line

    parts = ["## drift-guard", "", summary_line(result), ""]
    if result.findings:
        parts += _rule_counts(result.findings)
        used = sum(len(p.encode("utf-8")) + 1 for p in parts)
        parts += _by_table(result.findings, budget - used)
    return "\n".join(parts) + "\n"


def _cell(text: object) -> str:
    """Make ``text`` safe inside a Markdown table cell (for drift-guard's own
    words: rule names, severities)."""
    value = "" if text is None else str(text)
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


_PUNCTUATION = re.compile(r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]""")


def _text(value: object) -> str:
    """Untrusted text (messages, names) for a table cell, rendered as the text it
    is: every ASCII punctuation character is backslash-escaped (CommonMark allows
    it for all of them), so no emphasis, code span, link, image, autolink, HTML
    or math can start; control characters are written as escapes, line breaks
    as ``<br>``."""
    from drift_guard.report.text import printable

    lines = ("" if value is None else str(value)).replace("\r\n", "\n").split("\n")
    return "<br>".join(_PUNCTUATION.sub(r"\\\g<0>", printable(line)) for line in lines)


def _code(value: object) -> str:
    """Untrusted text as a code span that nothing in it can close: the fence is
    longer than any run of backticks inside, ``|`` is escaped (GitHub splits
    table cells before it reads code spans), control characters are escapes."""
    from drift_guard.report.text import printable

    text = printable("" if value is None else str(value)).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _rule_counts(findings: Iterable[Finding]) -> list[str]:
    counts = Counter((f.code, f.name, f.severity.value) for f in findings)
    rows = ["| Rule | Name | Severity | Count |", "| --- | --- | --- | ---: |"]
    for (code, name, severity), n in sorted(counts.items()):
        rows.append(f"| {code} | {_cell(name)} | {severity} | {n} |")
    return rows + [""]


def _row(item: Finding) -> str:
    return (
        f"| {item.severity.value} | {item.code} {_cell(item.name)} | {_text(item.column or '')} "
        f"| {_code(item.location)} | {_text(item.message)} |"
    )


def _by_table(findings: list[Finding], budget: int) -> list[str]:
    """One Markdown table per database table; stops before ``budget`` bytes and
    says how many rows were left out."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for item in findings:
        groups[item.table or ""].append(item)
    out: list[str] = []
    left, shown = budget - 300, 0  # keep room for the closing note
    # Table-less findings (unparsable files, revision graph, ...) come last.
    for table in sorted(groups, key=lambda t: (t == "", t)):
        lines = [
            f"### {_code(table) if table else 'Not tied to a table'}",
            "",
            "| Severity | Rule | Column | Location | Message |",
            "| --- | --- | --- | --- | --- |",
        ]
        for item in groups[table]:
            lines.append(_row(item))
            cost = sum(len(line.encode("utf-8")) + 1 for line in lines)
            if cost > left:
                break
            out += lines
            left -= cost
            shown += 1
            lines = []
        if shown < len(findings) and lines:  # out of room
            break
        out.append("")
    if shown < len(findings):
        if out and out[-1]:
            out.append("")  # end the table, or the note would become a row
        out.append(
            f"*{len(findings) - shown} more findings not shown (summary size limit); "
            "see the annotations, or run with `--format json` or `--format sarif`.*"
        )
    return out
