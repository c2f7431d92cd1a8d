"""A class statement split into what a model reader acts on and what it does not.

An edit of a method's body is the most common edit of a model file that keeps
the schema. The class statement changed, but the reader (discovery, the
SQLAlchemy extraction) acts on its header and its other members: columns,
``__tablename__``, decorated attributes. A :class:`Shape` keeps those as one
hash (the *skeleton*) and the inert members (:func:`~drift_guard.inert.member_binding`)
apart, each with its lines and hash, so :mod:`drift_guard.layout` can tell an
edit of only inert members, and move the reader's locations member by member.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from drift_guard.cache import content_hash
from drift_guard.inert import member_binding


@dataclass(frozen=True)
class Shape:
    """Lines are 0-based from the class statement's first line, both ends included.

    ``skeleton``: hash of the header and the members that are not inert, each
    as written, in order. ``kept``: their lines. ``inert``: per inert member,
    its lines, the names it binds and the hash of its lines."""

    skeleton: str
    kept: tuple[tuple[int, int], ...]
    inert: tuple[tuple[int, int, tuple[str, ...], str], ...]


def shape_of(lines: list[bytes]) -> Shape | None:
    """The shape of ``lines``, one class statement (from its first decorator,
    perhaps followed by comment and blank lines); None when they are not one,
    or when a line outside its members is not blank or a comment."""
    try:
        tree = ast.parse(b"".join(lines))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.ClassDef):
        return None
    spans: list[list] = []  # [first, last, names or None], merged in place
    for member in tree.body[0].body:
        decorators = getattr(member, "decorator_list", [])
        first = min([member.lineno, *(d.lineno for d in decorators)]) - 1
        last = (member.end_lineno or member.lineno) - 1
        if spans and first <= spans[-1][1]:  # `a = 1; b = 2`: one line, read as one, never inert
            spans[-1][1], spans[-1][2] = max(spans[-1][1], last), None
            continue
        spans.append([first, last, member_binding(member)])
    header_last = spans[0][0] - 1
    while header_last >= 0 and gap(lines[header_last]):
        header_last -= 1
    if header_last < 0:  # `class X(Base): pass`: the body is on the header's line
        header_last = spans.pop(0)[1]
    kept = [(0, header_last)]
    inert = []
    for first, last, names in spans:
        if names is None:
            kept.append((first, last))
        else:
            inert.append((first, last, names, content_hash(b"".join(lines[first : last + 1]))))
    covered: set[int] = set()
    for first, last in (*kept, *((member[0], member[1]) for member in inert)):
        covered.update(range(first, last + 1))
    if not all(gap(line) for number, line in enumerate(lines) if number not in covered):
        return None
    skeleton = content_hash(b"\0".join(b"".join(lines[first : last + 1]) for first, last in kept))
    return Shape(skeleton, tuple(kept), tuple(inert))


def gap(line: bytes) -> bool:
    """A line that only comments or spaces a file: blank, or a UTF-8 comment."""
    stripped = line.strip()
    if stripped and not stripped.startswith(b"#"):
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
