"""The code in every rule's documentation is code: each ```python block of the
"Example" and "Use instead" sections parses, so the docs cannot rot into
something Python would refuse. (Running them as projects is future work: the
examples are cross-file fragments, not whole services.)"""

from __future__ import annotations

import ast
import re

import pytest

from drift_guard.rules import load_rules

RULES = sorted(load_rules().values(), key=lambda r: r.code)
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _section(doc: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", doc, re.S | re.M)
    return match.group(1) if match else ""


@pytest.mark.parametrize("info", RULES, ids=[r.code for r in RULES])
def test_documented_examples_parse(info) -> None:
    for heading in ("Example", "Use instead"):
        for block in _BLOCK.findall(_section(info.doc, heading)):
            if info.code == "DG001" and heading == "Example":  # the example of a syntax error must not parse
                with pytest.raises(SyntaxError):
                    ast.parse(block)
                continue
            ast.parse(block, filename=f"{info.code} documentation")


@pytest.mark.parametrize("info", RULES, ids=[r.code for r in RULES])
def test_the_good_example_differs_from_the_bad_one(info) -> None:
    assert _section(info.doc, "Use instead").strip() != _section(info.doc, "Example").strip()


def test_a_broken_example_would_be_caught() -> None:
    with pytest.raises(SyntaxError):
        ast.parse("class User(Base):\n    email = Column(String(255)\n")
