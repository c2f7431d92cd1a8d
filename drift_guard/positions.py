"""Node positions for a libcst module, about 5x cheaper than PositionProvider.

libcst's ``PositionProvider`` re-generates the module's code and, on every
token, scans for newlines and builds line/column objects for every node: on a
3,500-line models file that is 0.7 s, seven times the cost of the code
generation itself. The same information is the character offset at which a node
starts and ends, so this state records two integers per node while the code is
generated, and turns an offset into a line and column (by bisecting the line
starts) only for the few nodes a location is asked for. The semantics are
``PositionProvider``'s: the syntactic start and end (``record_syntactic_position``
overrides the whitespace-inclusive range), 1-based lines, 0-based columns in
characters.
"""

from __future__ import annotations

import bisect
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange

_NEWLINE = re.compile(r"\r\n?|\n")
_SHIFT = 40  # offsets below 2**40: no source file is a terabyte
_MASK = (1 << _SHIFT) - 1


@dataclass(frozen=False)
class _OffsetState(CodegenState):
    offset: int = 0
    ranges: dict = field(
        default_factory=dict
    )  # node -> start << _SHIFT | end: one int per node (500k of them in a 17,500-line module)
    _stack: list = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        if node not in self.ranges:  # a syntactic range was recorded already
            self.ranges[node] = start << _SHIFT | self.offset

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.ranges[start_node] >> _SHIFT
            if end_node is not None:
                end = self.ranges[end_node] & _MASK
            self.ranges[node] = start << _SHIFT | end


class Positions:
    """``node -> CodeRange`` for every node of ``module``, computed in one code
    generation; the mapping interface is the part of libcst's that callers use."""

    def __init__(self, module: cst.Module) -> None:
        state = _OffsetState(default_indent=module.default_indent, default_newline=module.default_newline)
        module._codegen(state)
        self._ranges: dict = state.ranges
        text = "".join(state.tokens)
        self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def line_of(self, offset: int) -> int:
        """1-based line of the character at ``offset``."""
        return bisect.bisect_right(self._line_starts, offset)

    def _position(self, offset: int) -> CodePosition:
        line = self.line_of(offset)
        return CodePosition(line, offset - self._line_starts[line - 1])

    def get(self, node: cst.CSTNode, default: CodeRange | None = None) -> CodeRange | None:
        found = self.offsets(node)
        if found is None:
            return default
        return CodeRange(self._position(found[0]), self._position(found[1]))

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self.get(node)
        if found is None:
            raise KeyError(node)
        return found

    def __contains__(self, node: object) -> bool:
        return node in self._ranges

    def offsets(self, node: cst.CSTNode) -> tuple[int, int] | None:
        """Start and end character offsets of ``node`` in the module's text."""
        packed = self._ranges.get(node)
        return None if packed is None else (packed >> _SHIFT, packed & _MASK)
