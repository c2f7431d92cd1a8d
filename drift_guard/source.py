"""Python source text, read without importing or executing it.

Decoding as Python would (PEP 263 cookie, BOM), the stdlib parser for scans
that need node kinds and positions, libcst for the schema layers, and one
located DG001 :class:`~drift_guard.schema.Problem` for whatever cannot be read.
Pure functions of the bytes: the run's :class:`~drift_guard.session.Session`
decides what is read when, and caches (:mod:`drift_guard.parsing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Union

from drift_guard.schema import Location, Problem, ProblemKind

if TYPE_CHECKING:
    import ast

    import libcst as cst

    from drift_guard.positions import Positions


@dataclass(eq=False)
class SourceFile:
    """A parsed module plus lazily computed node positions."""

    path: str  # display path (as discovered; reporters make it relative)
    text: str = field(repr=False)
    module: cst.Module = field(repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def positions(self) -> Positions:
        """libcst's PositionProvider semantics at a fraction of its cost."""
        from drift_guard.positions import Positions

        return Positions(self.module)

    def location(self, node: cst.CSTNode) -> Location:
        """1-based line and column of ``node``'s start (columns converted once, here)."""
        pos = self.positions.get(node)
        if pos is None:
            return Location(self.path, 1, 1)
        return Location(self.path, pos.start.line, pos.start.column + 1)

    def code(self, node: cst.CSTNode) -> str:
        """The source text of ``node`` as written."""
        return self.module.code_for_node(node).strip()


ParseResult = Union[SourceFile, Problem]


def decode_source(data: bytes, display: str) -> str | Problem:
    """Source text as Python would decode it, or a located DG001 problem."""
    try:
        return _decode(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return Problem(
            ProblemKind.SYNTAX_ERROR,
            f"file is not valid {exc.encoding}: byte {data[exc.start]:#04x} cannot be decoded",
            Location(display, line, col),
        )
    except LookupError as exc:  # unknown coding cookie
        return Problem(ProblemKind.SYNTAX_ERROR, f"cannot decode file: {exc}", Location(display))


def parse_ast_bytes(data: bytes, display: str) -> tuple[str, ast.Module] | Problem:
    """The decoded text and its stdlib syntax tree, or the located DG001 problem
    that stopped either step."""
    text = decode_source(data, display)
    if isinstance(text, Problem):
        return text
    tree = parse_ast(text, display)
    if isinstance(tree, Problem):
        return tree
    return text, tree


def parse_ast(text: str, display: str) -> ast.Module | Problem:
    """Parse with the stdlib parser (C code, several times faster than libcst):
    for scans that need node kinds and positions but never rewrite code."""
    import ast

    try:
        return ast.parse(text, filename=display)
    except SyntaxError as err:
        line = err.lineno or 1
        col = err.offset or 1
        return Problem(ProblemKind.SYNTAX_ERROR, f"syntax error: {err.msg}", Location(display, line, col))
    except (RecursionError, MemoryError):
        return Problem(ProblemKind.SYNTAX_ERROR, "file is nested too deeply to parse", Location(display))
    except ValueError as err:  # e.g. a NUL byte
        return Problem(ProblemKind.SYNTAX_ERROR, f"cannot parse file: {err}", Location(display))


def parse_bytes(data: bytes, display: str) -> ParseResult:
    import libcst as cst

    text = decode_source(data, display)
    if isinstance(text, Problem):
        return text
    checked = _checked_for_libcst(text, display)
    if isinstance(checked, Problem):
        return checked
    import gc

    # The tree holds no cycles: the cyclic collector, run again and again over
    # the nodes as they are built, would only cost time (0.6 s of 3.7 s on a
    # 17,500-line module).
    collecting = gc.isenabled()
    gc.disable()
    try:
        module = _parse_in_pieces(text, checked.body) or cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        return _syntax_problem(text, display, exc)
    except RecursionError:
        return Problem(ProblemKind.SYNTAX_ERROR, "file is nested too deeply to parse", Location(display))
    finally:
        if collecting:
            gc.enable()
    return SourceFile(display, text, module)


PIECE_LINES = 500  # a long module is parsed this many lines (of whole statements) at a time


def _parse_in_pieces(text: str, statements: list[ast.stmt] | None = None) -> cst.Module | None:
    """A long module parsed a few hundred lines at a time and put together:
    the same tree, code and positions as one ``parse_module`` of the whole text,
    at a fraction of the peak memory (the native parser's working memory is
    several times the tree's, about 440 MB for a 17,500-line models file, 100
    at a time). ``statements`` are the stdlib parser's top-level statements
    of the same text (where it may be cut), when the caller has them already.
    None when the text is short, or when it cannot be cut safely (no stdlib
    parse, line endings other than ``\n``, pieces that disagree on
    indentation): the caller parses it whole, and reports any syntax error."""
    import re

    import libcst as cst

    if text.count("\n") < 2 * PIECE_LINES or "\r" in text or "\x0c" in text:
        return None
    if statements is None:
        import ast

        try:
            statements = ast.parse(text).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    # offsets of line starts; a cut is the start of the line after a statement
    # when the next statement begins on a later line (never inside `a = 1; b = 2`)
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    cuts = [0]
    for before, after in zip(statements, statements[1:]):
        first = min([after.lineno, *(d.lineno for d in getattr(after, "decorator_list", ()))])
        end = before.end_lineno or before.lineno
        if first > end and end - _line_of(cuts[-1], starts) >= PIECE_LINES and _flush(text, starts, end, first):
            cuts.append(starts[end])
    if len(cuts) == 1:
        return None
    cuts.append(len(text))
    try:
        pieces = [cst.parse_module(text[a:b]) for a, b in zip(cuts, cuts[1:])]
    except Exception:  # noqa: BLE001 - any failure: parse it whole, as always
        return None
    first, last = pieces[0], pieces[-1]
    if any((p.default_indent, p.default_newline) != (first.default_indent, first.default_newline) for p in pieces):
        return None
    body: list[cst.BaseStatement] = list(first.body)
    carried: list[cst.EmptyLine] = list(first.footer)
    for piece in pieces[1:]:
        # a piece's header and the previous one's footer are the comments and
        # blank lines above its first statement
        carried.extend(piece.header)
        statements_here = list(piece.body)
        if statements_here:
            head = statements_here[0]
            statements_here[0] = head.with_changes(leading_lines=(*carried, *head.leading_lines))
            carried = []
        body.extend(statements_here)
        carried.extend(piece.footer)
    return first.with_changes(body=tuple(body), footer=tuple(carried), has_trailing_newline=last.has_trailing_newline)


def _flush(text: str, starts: list[int], end: int, first: int) -> bool:
    """Whether the lines between two statements (after line ``end``, before
    line ``first``) are all empty or comments at column 0. An indented comment
    there belongs to the block above (libcst's ``IndentedBlock.footer``), which a
    piece ending before it could not know: no cut there."""
    between = text[starts[end] : starts[first - 1]]
    return all(not line or line.startswith("#") for line in between.split("\n")[:-1])


def _line_of(offset: int, starts: list[int]) -> int:
    """1-based line holding ``offset``."""
    import bisect

    return bisect.bisect_right(starts, offset)


# libcst's native parser recurses without a limit: thousands of nested
# brackets, calls or unary operators crash the process (SIGSEGV, no exception
# to catch), and a few hundred nested calls already take seconds (its time grows
# faster than the depth). Python's own parser bounds nesting and fails cleanly,
# so it looks first; deeper than this many syntax-tree levels, the file is a
# DG001 instead of a crash or a hang. Hand-written code stays far below it.
MAX_NESTING = 200


def _checked_for_libcst(text: str, display: str) -> ast.Module | Problem:
    """The DG001 for a file libcst must not be given, else the stdlib's tree of
    it (which :func:`_parse_in_pieces` cuts by, so the text is parsed once here).

    Python's parser decides first: a file it rejects, for whatever reason, is
    that (located) problem, and libcst never sees it; a syntax error elsewhere
    must not hide a 50,000-term expression that would crash libcst. A file it
    accepts is measured (iteratively) and refused past :data:`MAX_NESTING`
    levels, located at the deepest point."""
    import ast

    try:
        tree = ast.parse(text, filename=display)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        problem = parse_ast(text, display)  # the same parse, as the located problem the stdlib readers give
        if isinstance(problem, Problem):
            return problem
        return Problem(ProblemKind.SYNTAX_ERROR, "file is nested too deeply to parse", Location(display))
    deepest, where = _deepest(tree, text)
    if deepest <= MAX_NESTING:
        return tree
    line, column = getattr(where, "lineno", 1), getattr(where, "col_offset", 0) + 1
    return Problem(
        ProblemKind.SYNTAX_ERROR,
        f"code nested {deepest} levels deep (more than {MAX_NESTING}) is not parsed",
        Location(display, line, column),
    )


def _deepest(tree: ast.Module, text: str) -> tuple[int, ast.AST]:
    """How deep ``tree`` nests, and where (its deepest node with a position), as
    far as the limit needs.

    A subtree cannot nest deeper than twice the bytes it spans: every level of
    the syntax tree consumes source text (``-`` of a unary minus, ``f(`` of a
    call, ``.b`` of an attribute; at most two levels for ``f(a=`` or ``f(*``),
    plus a leaf or two (an operator, a load context). So a statement too short
    to reach :data:`MAX_NESTING` from where it sits is not walked: on a models
    file that is almost every one, and the check walks a few thousand nodes
    instead of a hundred thousand. Past the limit, the subtrees that could
    reach it are walked in full, so the depth reported is exact."""
    import ast
    import re

    # byte offset of each line start (ast's columns count bytes), lines ended as Python ends them
    starts = [0, *(m.end() for m in re.finditer(rb"\r\n|\r|\n", text.encode("utf-8", "surrogatepass")))]
    last = len(starts)
    deepest = 0
    where: ast.AST = tree
    # (node, depth, the nearest node with a position: a load context has none)
    stack: list[tuple[ast.AST, int, ast.AST]] = [(tree, 0, tree)]
    while stack:
        node, depth, located = stack.pop()
        if hasattr(node, "lineno"):
            located = node
        if depth > deepest:
            deepest, where = depth, located
        end_line = getattr(node, "end_lineno", None)
        if end_line is not None and 0 < end_line <= last and node.end_col_offset is not None:  # type: ignore[attr-defined]
            span = starts[end_line - 1] + node.end_col_offset - starts[node.lineno - 1] - node.col_offset  # type: ignore[attr-defined]
            if 0 <= span and depth + 2 * span + 4 <= MAX_NESTING:
                continue  # it cannot reach the limit: no need to look inside
        stack.extend((child, depth + 1, located) for child in ast.iter_child_nodes(node))
    return deepest, where


def _syntax_problem(text: str, display: str, exc: Exception) -> Problem:
    """Locate a syntax error precisely.

    libcst's native parser reports token positions that can be a line off, so the
    location (and wording) come from Python's own compiler on this failure path
    only; ``ast.parse`` compiles, it never executes.
    """
    import ast

    try:
        ast.parse(text, filename=display)
    except SyntaxError as err:
        line = err.lineno or 1
        col = err.offset or 1
        return Problem(ProblemKind.SYNTAX_ERROR, f"syntax error: {err.msg}", Location(display, line, col))
    except (ValueError, RecursionError, MemoryError):
        pass
    message = str(getattr(exc, "message", exc))
    line = getattr(exc, "raw_line", 1) or 1
    col = (getattr(exc, "raw_column", 0) or 0) + 1
    return Problem(ProblemKind.SYNTAX_ERROR, f"syntax error: {message}", Location(display, line, col))


def _decode(data: bytes) -> str:
    """Decode honouring a PEP 263 coding cookie, as Python itself would."""
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # undecodable first lines: let utf-8 name the bad byte
        encoding = "utf-8"
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text
