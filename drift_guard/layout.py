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

The same holds when the statements that changed are *inert* ones
(:mod:`drift_guard.inert`: they only bind names, as ``PAGE_SIZE = 50``, a
docstring or an undecorated helper ``def``), and for a class whose only
changes are inert members (a method's body, a new ``__repr__``;
:mod:`drift_guard.class_shapes`), provided the caller finds none of the names
they bind written anywhere else the reader looked (:attr:`Match.names`): the
reader acted on nothing in them. A layout records which of its statements are
inert and what they bind, and each class's shape.

The stored layout of the old content is computed from its libcst tree and
positions while the reader has them; an inert-looking statement and each class
are parsed again alone with the stdlib parser (C code: 0.18 s for 1,000 model
classes). The new content is split into lines and hashed; only the lines no
old statement explains, and a class that changed, are parsed (stdlib parser).
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drift_guard.cache import content_hash
from drift_guard.class_shapes import Shape, gaps_elsewhere, shape_of, statement_spans
from drift_guard.class_shapes import gap as _gap
from drift_guard.inert import inert_names, statements_binding
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.source import SourceFile

# PEP 263: a cookie in the first two lines decides how every other byte is decoded
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Layout:
    """Top-level statements as ``(first line, last line, hash of those lines)``,
    1-based; per statement, the names it binds when it is inert (None when it
    is not), and for a class its :class:`Shape` (None for any other statement)."""

    blocks: tuple[tuple[int, int, str], ...]
    binds: tuple[tuple[str, ...] | None, ...]
    shapes: tuple[Shape | None, ...]


Segment = tuple[int, int, "int | None"]  # old lines (first, last) and how far they moved; None: changed


@dataclass(frozen=True)
class Match:
    """Where a layout's statements are in new content.

    ``starts``: each old statement's first line now, None for an inert one
    that changed or went. ``segments``: the old lines that hold a statement or
    a class member, each with how far it moved (None: it changed; only inert
    ones may). ``layout``: the new content's layout. ``names``: what the
    statements and members that changed bound, before and after; the reader's
    result holds only if none of them is written anywhere else it looked.
    ``changed``: the new content's lines (first, last) of each inert
    statement or member that changed or was added (none when only comments
    and blank lines did)."""

    starts: tuple[int | None, ...]
    segments: tuple[Segment, ...]
    layout: Layout
    names: tuple[str, ...] = ()
    changed: tuple[tuple[int, int], ...] = ()


def layout_of(data: bytes, source: SourceFile) -> Layout | None:
    """The layout of ``data`` as parsed into ``source``; None when the file is
    not one whose comment edits can be told apart safely."""
    lines = data.splitlines(keepends=True)
    if _fixed_encoding(data, lines):
        return None
    positions = source.positions
    blocks: list[tuple[int, int, str]] = []
    binds: list[tuple[str, ...] | None] = []
    shapes: list[Shape | None] = []
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
        text = b"".join(lines[first - 1 : last])
        blocks.append((first, last, content_hash(text)))
        binds.append(inert_names(text) if _may_be_inert(statement) else None)
        shapes.append(shape_of(lines[first - 1 : last]) if _is_class(statement) else None)
        covered = last
    if not all(_gap(line) for line in lines[covered:]):
        return None
    return Layout(tuple(blocks), tuple(binds), tuple(shapes))


def _is_class(statement: object) -> bool:
    """A class with an indented body: the statement a :class:`Shape` is for.
    Every one gets it, not only those with a method already: adding the first
    method (a ``__repr__``) is an edit too. Parsing every class again with the
    stdlib parser costs 0.18 s for 1,000 model classes, once per content."""
    import libcst as cst

    return isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock)


def _may_be_inert(statement: object) -> bool:
    """The libcst statements :func:`~drift_guard.inert.inert_names` may accept
    (the others are not parsed again to find out)."""
    import libcst as cst

    if isinstance(statement, cst.FunctionDef):
        return not statement.decorators
    return isinstance(statement, cst.SimpleStatementLine)


def match(layout: Layout, data: bytes) -> Match | None:
    """Where each statement of ``layout`` is in ``data``, or None unless
    ``data`` is the same statements with only comment and blank lines around
    them, except for inert statements that changed, were added or went, and
    classes whose only changes are inert members."""
    lines = data.splitlines(keepends=True)
    if b"\x00" in data or _fixed_encoding(data, lines):
        return None
    blocks = layout.blocks
    starts: list[int | None] = [None] * len(blocks)
    segments: list[Segment] = []
    new_blocks: list[tuple[tuple[int, int, str], tuple[str, ...] | None, Shape | None]] = []
    regions: list[tuple[int, int]] = []  # new lines (0-based, end excluded) no old statement explains
    names: set[str] = set()
    changed: list[tuple[int, int]] = []
    at = searches = 0
    for number, block in enumerate(blocks):
        first = _skip_gaps(lines, at)
        shape = layout.shapes[number]
        if not (_holds(lines, first, block) and _ends(lines, first + _size(block))):
            edited = _class_edit(lines, first, block, shape) if shape is not None else None
            if edited is not None:
                new_block, new_shape, class_segments, class_names, spans = edited
                starts[number] = first + 1
                segments.extend(class_segments)
                new_blocks.append((new_block, None, new_shape))
                names.update(class_names)
                changed.extend(spans)
                at = new_block[1]
                continue
            searches += 1
            found = _find(lines, first, block) if searches <= _MAX_SEARCHES else None
            if found is None:
                old_names = layout.binds[number]
                if old_names is None:
                    return None  # a statement a reader acts on changed or went
                names.update(old_names)  # an inert one changed or went: its new text, if any, is in a region
                segments.append((block[0], block[1], None))
                continue
            regions.append((at, found))
            first = found
        starts[number] = first + 1
        segments.append((block[0], block[1], first + 1 - block[0]))
        new_blocks.append(((first + 1, first + _size(block), block[2]), layout.binds[number], shape))
        at = first + _size(block)
    regions.append((at, len(lines)))
    for region in regions:
        found_blocks = _inert_blocks(lines[region[0] : region[1]], region[0])
        if found_blocks is None:
            return None
        for added, added_names in zip(*found_blocks):
            new_blocks.append((added, added_names, None))
            names.update(added_names)
            changed.append((added[0], added[1]))
    new_blocks.sort(key=lambda item: item[0][0])
    new_layout = Layout(*(tuple(column) for column in zip(*new_blocks))) if new_blocks else Layout((), (), ())
    return Match(tuple(starts), tuple(segments), new_layout, tuple(sorted(names)), tuple(sorted(changed)))


def _class_edit(
    lines: list[bytes], at: int, block: tuple[int, int, str], shape: Shape
) -> tuple[tuple[int, int, str], Shape, list[Segment], set[str], list[tuple[int, int]]] | None:
    """The class of ``block`` (old shape ``shape``) found at ``lines[at]`` with
    only inert members changed: its new block and shape, its segments, the
    names the changed members bound, and their new lines. The class ends
    before the next line after its header (decorators and ``class`` line(s):
    as many lines as before, or the skeleton differs anyway) that starts at
    column 0 and is not a comment; if the text up to there is not exactly one
    class, it is refused."""
    end = at + shape.kept[0][1] + 1
    while end < len(lines) and not _starts_statement(lines[end]):
        end += 1
    while end > at + 1 and _gap(lines[end - 1]):
        end -= 1
    candidate = lines[at:end]
    new_shape = shape_of(candidate)
    if new_shape is None or new_shape.skeleton != shape.skeleton:
        return None
    old_first, new_first = block[0], at + 1
    segments: list[Segment] = [
        (old_first + old[0], old_first + old[1], new_first + new[0] - (old_first + old[0]))
        for old, new in zip(shape.kept, new_shape.kept)
    ]
    unpaired = list(new_shape.inert)
    names: set[str] = set()
    for first, last, bound, digest in shape.inert:
        twin = next((member for member in unpaired if member[3] == digest), None)
        if twin is None:
            segments.append((old_first + first, old_first + last, None))
            names.update(bound)
            continue
        unpaired.remove(twin)
        segments.append((old_first + first, old_first + last, new_first + twin[0] - (old_first + first)))
    for member in unpaired:
        names.update(member[2])
    spans = [(new_first + first, new_first + last) for first, last, _, _ in unpaired]
    new_block = (new_first, new_first + len(candidate) - 1, content_hash(b"".join(candidate)))
    return new_block, new_shape, segments, names, spans


_INDENTED = (b" ", b"\t", b"\f")
_MAX_SEARCHES = 16  # statements looked for further on (each a pass over the rest); past that the file is read again


def _find(lines: list[bytes], at: int, block: tuple[int, int, str]) -> int | None:
    """The first line from ``at`` where ``block``'s lines are, at a line that
    can start a top-level statement."""
    size = _size(block)
    for candidate in range(at, len(lines) - size + 1):
        if _starts_statement(lines[candidate]) and _holds(lines, candidate, block):
            return candidate
    return None


def _inert_blocks(region: list[bytes], offset: int) -> tuple[list[tuple[int, int, str]], list[tuple[str, ...]]] | None:
    """The statements in ``region`` (lines after the first ``offset`` of the
    file) as layout blocks, with what each binds; None unless all are inert.
    The region lies between statements that are complete on their own, so it
    parses alone exactly as it does in the file: a region that does not parse
    alone (a bracket or string left open into the next statement) is refused."""
    import ast

    if all(_gap(line) for line in region):
        return [], []
    try:
        tree = ast.parse(b"".join(region))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    spans = statement_spans(tree.body)  # 1-based in region
    if not gaps_elsewhere(region, [(first, last) for first, last, _ in spans]):
        return None
    blocks: list[tuple[int, int, str]] = []
    binds: list[tuple[str, ...]] = []
    for first, last, statements in spans:
        bound = statements_binding(statements)
        if bound is None:
            return None
        blocks.append((first + offset, last + offset, content_hash(b"".join(region[first - 1 : last]))))
        binds.append(bound)
    return blocks, binds


def _size(block: tuple[int, int, str]) -> int:
    return block[1] - block[0] + 1


def _holds(lines: list[bytes], at: int, block: tuple[int, int, str]) -> bool:
    """Whether ``block``'s lines are ``lines[at:]`` byte for byte."""
    size = _size(block)
    return 0 <= at and at + size <= len(lines) and content_hash(b"".join(lines[at : at + size])) == block[2]


def _ends(lines: list[bytes], at: int) -> bool:
    """Whether a statement whose last line is ``lines[at - 1]`` ends there: the
    next line that is not blank or a comment is not indented (a class that
    holds its old lines and goes on with a new method did not end)."""
    after = _skip_gaps(lines, at)
    return after == len(lines) or _starts_statement(lines[after])


def _starts_statement(line: bytes) -> bool:
    """A line a top-level statement can start on: not indented, not blank, not a comment."""
    return line[:1] not in _INDENTED and not _gap(line)


def _skip_gaps(lines: list[bytes], at: int) -> int:
    while at < len(lines) and _gap(lines[at]):
        at += 1
    return at


def relocate(value: Any, shown: str, segments: tuple[Segment, ...]) -> Any:
    """``value`` with every :class:`Location` in the file ``shown`` moved with
    its statement or member (:attr:`Match.segments`); None when a location
    cannot be placed (on no segment's lines, on one that changed, or ``(1, 1)``,
    which also stands for "the file", when the first statement moved off line 1
    or changed). Nothing is copied when nothing moved."""
    shifts = sorted(segments)
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
        if shift is None:
            return None  # on a statement that changed
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


def _fixed_encoding(data: bytes, lines: list[bytes]) -> bool:
    """A BOM or a coding cookie: they decide how the rest is decoded, so a file
    holding one is never reused across an edit."""
    return data.startswith(_BOM) or any(_COOKIE.match(line) for line in lines[:2])
