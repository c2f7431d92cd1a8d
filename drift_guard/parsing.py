"""Parse a Python file with libcst, once per run, without importing or executing it.

Every extractor goes through :func:`parse_file`, so a file that holds both
layers is parsed a single time per run, and every unreadable file becomes the
same located :class:`~drift_guard.schema.Problem` (DG001) instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from drift_guard.schema import Problem
from drift_guard.source import (  # noqa: F401  (the readers, re-exported where callers know them)
    ParseResult,
    SourceFile,
    decode_source,
    parse_ast,
    parse_bytes,
)


def parse_file(path: Path | str, display: str | None = None) -> ParseResult:
    """Parse ``path``; return a SourceFile, or a DG001 Problem saying why not.

    Within a run the :class:`~drift_guard.session.Session` reads and parses each
    file once (and applies ``max-file-size``); outside one (a test calling an
    extractor directly) a throwaway session with the default settings does."""
    from drift_guard.session import Session, current

    path = Path(path)
    session = current()
    if session is None:
        from drift_guard.config import Config

        session = Session(Config(root=Path.cwd()))
    return session.parse(path, display or str(path))


@dataclass
class ParsedFiles:
    """A layer's files, each read once: the parsed ones and the DG001 problems."""

    sources: list[tuple[Path, SourceFile]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # display paths, in order


def parse_files(paths: Iterable[Path | str]) -> ParsedFiles:
    """Parse every file (a file listed twice is read once); what cannot be read
    becomes a DG001 problem and the other files are still returned."""
    from drift_guard.session import canonical

    batch = ParsedFiles()
    # one file reached under two names (a symlink and its target) is read once,
    # under the name it was given first: the session decides whether a link may
    # be followed, so the link itself is what is read
    unique: dict[Path, Path] = {}
    for given in paths:
        unique.setdefault(Path(given).resolve(), Path(given).absolute())
    for resolved, path in unique.items():
        display = canonical(path)
        batch.shown.append(display)
        parsed = parse_file(path, display)
        if isinstance(parsed, Problem):
            batch.problems.append(parsed)
        else:
            batch.sources.append((resolved, parsed))
    return batch


def failures_under(root: Path) -> list[Problem]:
    """DG001 problems of every file under ``root`` read so far in this run.

    Rules that scan modules skip files they cannot parse; this lets the DG001
    rule report those too without parsing anything a second time.
    """
    from drift_guard.session import current

    session = current()
    return session.failures_under(root) if session is not None else []
