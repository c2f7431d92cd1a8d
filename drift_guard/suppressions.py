"""Inline suppressions: ``# drift-guard: ignore[DG103]`` and friends.

Forms (case-insensitive marker, codes are exact rule codes)::

    # drift-guard: ignore[DG103]
    # drift-guard: ignore[DG103,DG105] -- legacy column, dropped in Q3
    # drift-guard: ignore                -- every code on this line

A directive silences a finding when it sits on the line the finding is
reported at *or* on one of the finding's related lines: drift is between two
files, and the person allowed to accept it may own either of them. Directives
that silence nothing are reported as DG003 ``unused-suppression`` so stale
comments do not pile up (as ruff's RUF100 does for ``noqa``).

Only files containing the marker text are tokenized; comments are found with
:mod:`tokenize`, so the marker inside a string literal is not a directive.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from drift_guard.findings import Finding
from drift_guard.review import DirectiveUse, RunReview, Silenced, Suppression
from drift_guard.schema import Location

__all__ = ["Suppression", "apply_suppressions", "match_suppressions", "parse_directive", "read_suppressions"]

MARKER = "drift-guard:"
_DIRECTIVE = re.compile(
    r"#\s*drift-guard:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?(?:\s*--\s*(?P<reason>.*))?",
    re.IGNORECASE,
)


@dataclass
class _Usage:
    """Which codes of one directive silenced something (mutable bookkeeping)."""

    suppression: Suppression
    used: set[str] = field(default_factory=set)


def parse_directive(comment: str) -> tuple[tuple[str, ...] | None, str, int] | None:
    """``(codes, reason, offset)`` for a comment holding a directive (``offset``
    of its ``#`` inside the comment, which may follow another tool's comment),
    else None."""
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    raw = match.group("codes")
    codes = None if raw is None else tuple(dict.fromkeys(c.strip().upper() for c in raw.split(",") if c.strip()))
    return codes, (match.group("reason") or "").strip(), match.start()


def _comments(text: str, python: bool) -> Iterator[tuple[int, int, str]]:
    """``(line, column0, comment)`` for every comment; a file that does not
    tokenize (it is reported as DG001) falls back to a plain line scan."""
    if python:
        try:
            found = [
                (tok.start[0], tok.start[1], tok.string)
                for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                if tok.type == tokenize.COMMENT
            ]
        except (tokenize.TokenError, SyntaxError):
            pass
        else:
            yield from found
            return
    for number, line in enumerate(text.splitlines(), 1):
        start = line.find("#")
        if start >= 0:
            yield number, start, line[start:]


def read_suppressions(path: Path, shown: str | None = None) -> list[Suppression]:
    """Directives in ``path`` (empty when the file lacks the marker or cannot
    be read: an unreadable file is reported by DG001, not here)."""
    from drift_guard.session import canonical, read_file

    try:
        text = read_file(path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if MARKER not in text.lower():
        return []
    shown = shown or canonical(path)
    result = []
    for line, col0, comment in _comments(text, path.suffix == ".py"):
        parsed = parse_directive(comment)
        if parsed is not None:
            codes, reason, offset = parsed
            result.append(Suppression(Location(shown, line, col0 + 1 + offset), codes, reason))
    return result


def _has_marker(path: Path) -> bool:
    from drift_guard.session import current

    session = current()
    try:
        data = session.read_bytes(path) if session is not None else Path(path).read_bytes()
    except OSError:
        return False
    return MARKER.encode() in data.lower()


def _cached_suppressions(path: Path, shown: str) -> list[Suppression]:
    """:func:`read_suppressions` through the run's session: every file is read
    once per run, and only the few holding the marker are tokenized, with their
    directives kept in the cache alongside their content."""
    from drift_guard.session import current

    session = current()
    if session is None:
        return read_suppressions(path, shown)
    if not _has_marker(path):
        return []

    def compute() -> list[Suppression]:
        session.note(path)  # the directives depend on the file's content
        return read_suppressions(path, shown)

    return session.cached("suppressions", [str(Path(path).absolute()), shown], compute)


class _Index:
    """Directives per (canonical path, line), read lazily and once per file."""

    def __init__(self, files: Iterable[Path]) -> None:
        self._files = list(files)
        self._marked: dict[str, Path] | None = None
        self._by_file: dict[str, dict[int, list[_Usage]]] = {}

    @property
    def _paths(self) -> dict[str, Path]:
        """Canonical path -> file, for the files that hold the marker at all (the
        few that can hold a directive; the others need no canonical path)."""
        from drift_guard.session import canonical

        if self._marked is None:
            self._marked = {canonical(p): p for p in self._files if _has_marker(p)}
        return self._marked

    def at(self, loc: Location) -> list[_Usage]:
        from drift_guard.session import canonical

        return self._file(canonical(loc.path)).get(loc.line, [])  # the same name however the finding spelt it

    def _file(self, shown: str) -> dict[int, list[_Usage]]:
        if shown not in self._by_file:
            path = self._paths.get(shown) or Path(shown)
            lines: dict[int, list[_Usage]] = {}
            for item in _cached_suppressions(path, shown):
                lines.setdefault(item.location.line, []).append(_Usage(item))
            self._by_file[shown] = lines
        return self._by_file[shown]

    def all_usages(self) -> Iterator[_Usage]:
        for shown in self._paths:
            self._file(shown)
        for shown in sorted(self._by_file):
            for line in sorted(self._by_file[shown]):
                yield from self._by_file[shown][line]


def _silencer(item: Finding, index: _Index) -> Suppression | None:
    """The first directive that covers ``item`` (None: not silenced)."""
    first = None
    for loc in (item.location, *item.related):
        for usage in index.at(loc):
            if usage.suppression.covers(item.code):
                usage.used.add(item.code)
                first = first or usage.suppression  # keep going: every directive that covers it counts as used
    return first


def match_suppressions(
    findings: list[Finding], files_scanned: Iterable[Path], silenced: list[Silenced] | None = None
) -> tuple[list[Finding], list[DirectiveUse]]:
    """The findings no directive silences, and every directive of the scanned
    files with the codes it silenced (what DG003 reads). The silenced findings
    are appended to ``silenced`` when given, with the directive's reason (the
    HTML report shows what was accepted and why)."""
    index = _Index(files_scanned)
    kept = []
    for item in findings:
        directive = _silencer(item, index)
        if directive is None:
            kept.append(item)
        elif silenced is not None:
            silenced.append(Silenced(item, "suppressed", directive.reason, directive.location))
    uses = [DirectiveUse(usage.suppression, frozenset(usage.used)) for usage in index.all_usages()]
    return kept, uses


def apply_suppressions(
    findings: list[Finding],
    files_scanned: Iterable[Path],
    *,
    active_codes: Iterable[str] | None = None,
    silenced: list[Silenced] | None = None,
) -> list[Finding]:
    """Findings not silenced by a directive, plus what the post-phase rules
    report on the directives (DG003: one per directive that silenced nothing, or
    per unused code of a directive's list).

    ``active_codes`` are the codes that ran; a listed code that did not run is
    not called unused (``--select DG1`` must not flag every DG2 suppression),
    a bare directive is only called unused when every rule ran, and DG003 is
    only produced when it is active itself. ``silenced``, when given, receives
    the findings a directive silenced.
    """
    from drift_guard.rules import post_findings

    kept, uses = match_suppressions(findings, files_scanned, silenced)
    active = None if active_codes is None else frozenset(c.upper() for c in active_codes)
    return kept + list(post_findings(RunReview(directives=tuple(uses), active_codes=active)))
