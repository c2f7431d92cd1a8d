"""A long module is parsed in pieces (peak memory); the tree must be the one a
single parse gives: same nodes, same whitespace ownership, same code."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from drift_guard import source

ROOT = Path(__file__).resolve().parents[1]

TRICKY = '''\
#!/usr/bin/env python
"""Docstring."""
import a; import b
from c import (
    d,
)


@decorator
@other(1)
class A(Base):
    x = 1
    # an indented comment after the block: the block's footer

# a comment at column 0: the next statement's

class B(A):
    if True:
        y = 2
        # deeper

    # shallower


def f(
    z,
):  # trailing
    return z
x = 1; y = 2
t = (
    1,
)
# the end'''


def _whole_and_pieces(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[cst.Module, cst.Module | None]:
    monkeypatch.setattr(source, "PIECE_LINES", 1)
    return cst.parse_module(text), source._parse_in_pieces(text)


@pytest.mark.parametrize("newline", ["", "\n"])
def test_pieces_give_the_tree_of_one_parse(monkeypatch, newline):
    whole, pieced = _whole_and_pieces(TRICKY + newline, monkeypatch)
    assert pieced is not None
    assert pieced.code == TRICKY + newline
    assert pieced.deep_equals(whole)


def test_every_fixture_and_source_file(monkeypatch):
    files = [*ROOT.joinpath("fixtures").rglob("*.py"), *ROOT.joinpath("drift_guard").rglob("*.py")]
    pieced_any = False
    for path in files:
        text = path.read_text(encoding="utf-8")
        whole, pieced = _whole_and_pieces(text, monkeypatch)
        if pieced is not None:
            pieced_any = True
            assert pieced.deep_equals(whole), path
            assert pieced.code == text, path
    assert pieced_any


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\r\ny = 2\r\n" * 4,  # other line endings: parsed whole
        "x = 1\n",  # short
        "def f(:\n    pass\n" + "x = 1\n" * 10,  # a syntax error: parsed whole, which reports it
        "if x:\n\tpass\n" + "y = 1\n" * 5 + "if y:\n    pass\n",  # pieces would disagree on the indentation
    ],
)
def test_what_is_parsed_whole(monkeypatch, text):
    monkeypatch.setattr(source, "PIECE_LINES", 1)
    assert source._parse_in_pieces(text) is None


def test_parse_bytes_of_a_long_module_locates_like_one_parse(monkeypatch):
    text = "".join(f"class M{i}(Base):\n    __tablename__ = 't{i}'\n    id = Column(Integer)\n\n" for i in range(40))
    monkeypatch.setattr(source, "PIECE_LINES", 10)
    parsed = source.parse_bytes(text.encode(), "m.py")
    assert isinstance(parsed, source.SourceFile)
    last = parsed.module.body[-1]
    assert isinstance(last, cst.ClassDef)
    assert parsed.location(last.name).line == 157
