"""Results reused across an edit that touched only comments and blank lines
between a file's top-level statements.

A file's *layout* is its top-level statements as line ranges (from the first
decorator to the last token), each with the hash of its lines as bytes. When a
file changes but every statement's lines are byte for byte as they were, in the
same order, and every other line is blank or a comment, both the stdlib parser
and libcst read the same statements: the syntax trees differ only in comment
and blank-line nodes, and every node's position moved by its statement's shift.
The readers that opt in (discovery, the SQLAlchemy extraction) never read
comment nodes or line counts, only nodes and their :class:`Location`, so their
result for the new text is the old one with each location in the file moved
with its statement (:func:`relocate`). Anything that is not provably that case
(a coding cookie or a BOM, which decide how every byte is read; a line outside
the statements that is not a comment, as a continuation; a NUL byte, a comment
that is not UTF-8; a location the layout cannot place) is not reused: the file
is read again.

The stored layout of the old content is computed from its libcst tree and
positions while the reader has them (no extra parse); the new content is only
split into lines and hashed.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drift_guard.cache import content_hash
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.source import SourceFile

# PEP 263: a cookie in the first two lines decides how every other byte is decoded
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Layout:
    """Top-level statements as ``(first line, last line, hash of those lines)``, 1-based."""

    blocks: tuple[tuple[int, int, str], ...]


def layout_of(data: bytes, source: SourceFile) -> Layout | None:
    """The layout of ``data`` as parsed into ``source``; None when the file is
    not one whose comment edits can be told apart safely."""
    lines = data.splitlines(keepends=True)
    if _fixed_encoding(data, lines):
        return None
    positions = source.positions
    blocks: list[tuple[int, int, str]] = []
    covered = 0
    for statement in source.module.body:
        decorators = getattr(statement, "decorators", ())
        start = positions.offsets(decorators[0] if decorators else statement)
        end = positions.offsets(statement)
        if start is None or end is None or end[1] <= start[0]:
            return None
        first, last = positions.line_of(start[0]), positions.line_of(end[1] - 1)
        if first <= covered or last > len(lines) or not all(_gap(line) for line in lines[covered : first - 1]):
            return None
        blocks.append((first, last, content_hash(b"".join(lines[first - 1 : last]))))
        covered = last
    if not all(_gap(line) for line in lines[covered:]):
        return None
    return Layout(tuple(blocks))


def match(layout: Layout, data: bytes) -> tuple[int, ...] | None:
    """Where each statement of ``layout`` starts in ``data`` (1-based lines), or
    None unless ``data`` is the same statements with only comment and blank
    lines around them."""
    lines = data.splitlines(keepends=True)
    if b"\x00" in data or _fixed_encoding(data, lines):
        return None
    starts: list[int] = []
    at = 0
    for first, last, digest in layout.blocks:
        while at < len(lines) and _gap(lines[at]):
            at += 1
        size = last - first + 1
        if at + size > len(lines) or content_hash(b"".join(lines[at : at + size])) != digest:
            return None
        starts.append(at + 1)
        at += size
    if not all(_gap(line) for line in lines[at:]):
        return None
    return tuple(starts)


def moved(layout: Layout, starts: tuple[int, ...]) -> Layout:
    """``layout`` with its statements starting at ``starts`` (the new content's layout)."""
    return Layout(
        tuple((start, start + last - first, digest) for (first, last, digest), start in zip(layout.blocks, starts))
    )


def relocate(value: Any, shown: str, layout: Layout, starts: tuple[int, ...]) -> Any:
    """``value`` with every :class:`Location` in the file ``shown`` moved with
    its statement; None when a location cannot be placed (not inside a
    statement, or ``(1, 1)``, which also stands for "the file", when the
    first statement moved off line 1).
    Nothing is copied when no statement moved."""
    shifts = [(first, last, start - first) for (first, last, _), start in zip(layout.blocks, starts)]
    if all(shift == 0 for _, _, shift in shifts):
        return value
    first_moves = not shifts or shifts[0][0] != 1 or shifts[0][2] != 0
    firsts = [first for first, _, _ in shifts]

    def location(item: Location) -> Location | None:
        if item.path != shown:
            return item
        if item.line == 1 and item.column == 1 and (not shifts or shifts[0][0] != 1):
            return item  # no statement starts on line 1: the file itself
        if item.line == 1 and item.column == 1 and first_moves:
            return None
        at = bisect.bisect_right(firsts, item.line) - 1
        if at < 0 or item.line > shifts[at][1]:
            return None  # on no statement's lines
        shift = shifts[at][2]
        return item if shift == 0 else Location(item.path, item.line + shift, item.column)

    try:
        return _walk(value, location)
    except _Unplaceable:
        return None


class _Unplaceable(Exception):
    pass


def _walk(value: Any, location: Any) -> Any:
    """``value`` rebuilt where a location in it changed (shared where not)."""
    kind = type(value)
    if kind is Location:
        found = location(value)
        if found is None:
            raise _Unplaceable
        return found
    if kind in (str, bytes, int, float, bool, type(None)):
        return value
    if kind in (tuple, list, set, frozenset):
        items = [_walk(item, location) for item in value]
        if all(new is old for new, old in zip(items, value)):
            return value
        return kind(items)
    if kind is dict:
        pairs = [(_walk(k, location), _walk(v, location)) for k, v in value.items()]
        if all(k is old_k and v is old_v for (k, v), (old_k, old_v) in zip(pairs, value.items())):
            return value
        return dict(pairs)
    if isinstance(value, (Location, tuple, list, set, frozenset, dict)):
        raise _Unplaceable  # a subclass of a location or a container: not rebuilt, so not reused
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _record(value, location)
    return value  # enums, paths, UNKNOWN: no location inside


def _record(value: Any, location: Any) -> Any:
    """A dataclass record with its changed fields replaced. The copy keeps no
    value cached from the old fields (``cached_property``): those are computed
    again from the new ones."""
    names = [field.name for field in dataclasses.fields(value)]
    changed = {}
    for name in names:
        old = getattr(value, name)
        new = _walk(old, location)
        if new is not old:
            changed[name] = new
    if not changed:
        return value
    rebuilt = copy.copy(value)
    state = getattr(rebuilt, "__dict__", None)
    if state is not None:
        for stale in [key for key in state if key not in names]:
            del state[stale]
    for name, new in changed.items():
        object.__setattr__(rebuilt, name, new)
    return rebuilt


def _gap(line: bytes) -> bool:
    """A line that only comments or spaces a file: blank, or a UTF-8 comment."""
    stripped = line.strip()
    if stripped and not stripped.startswith(b"#"):
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _fixed_encoding(data: bytes, lines: list[bytes]) -> bool:
    """A BOM or a coding cookie: they decide how the rest is decoded, so a file
    holding one is never reused across an edit."""
    return data.startswith(_BOM) or any(_COOKIE.match(line) for line in lines[:2])
