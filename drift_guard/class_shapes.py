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
    # 0-based; a member sharing a line with another (`a = 1; b = 2`) is read with it, never inert
    spans = [
        (first - 1, last - 1, member_binding(group[0]) if len(group) == 1 else None)
        for first, last, group in statement_spans(tree.body[0].body)
    ]
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
    members = [(first + 1, last + 1) for first, last in kept] + [(m[0] + 1, m[1] + 1) for m in inert]
    if not gaps_elsewhere(lines, members):
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


def statement_spans(statements: list[ast.stmt]) -> list[tuple[int, int, list[ast.stmt]]]:
    """Each statement's lines, 1-based, from its first decorator to its last
    token; statements that share a line (``a = 1; b = 2``) make one span."""
    spans: list[tuple[int, int, list[ast.stmt]]] = []
    for statement in statements:
        decorators = getattr(statement, "decorator_list", [])
        first = min([statement.lineno, *(d.lineno for d in decorators)])
        last = statement.end_lineno or statement.lineno
        if spans and first <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], last), [*spans[-1][2], statement])
        else:
            spans.append((first, last, [statement]))
    return spans


def gaps_elsewhere(lines: list[bytes], spans: list[tuple[int, int]]) -> bool:
    """Whether every line outside ``spans`` (1-based, both ends included) is
    blank or a comment."""
    covered = 0
    for first, last in sorted(spans):
        if not all(gap(line) for line in lines[covered : first - 1]):
            return False
        covered = max(covered, last)
    return all(gap(line) for line in lines[covered:])
