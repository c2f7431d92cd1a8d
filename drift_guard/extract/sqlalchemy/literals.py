"""A tiny literal evaluator over libcst nodes.

Only what a schema spells literally is evaluated: ints, floats, strings, bools,
None and tuples/lists of those, plus names that a ``lookup`` callback can turn
into a literal (module constants such as ``NAME_LEN = 255``). Anything else is
``UNKNOWN``: the extractor never guesses and never executes code.
"""

from __future__ import annotations

import ast
from typing import Callable

import libcst as cst

from drift_guard.schema import UNKNOWN, _Unknown

Lookup = Callable[[cst.BaseExpression], object]


def literal(node: cst.BaseExpression | None, lookup: Lookup | None = None) -> object:
    """The Python value ``node`` spells, or UNKNOWN."""
    if node is None:
        return UNKNOWN
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)):
        return _scalar(node)
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        value = literal(node.expression, lookup)
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return -value if is_number else UNKNOWN  # type: ignore[operator]
    if isinstance(node, (cst.Tuple, cst.List)):
        items = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return UNKNOWN
            items.append(literal(element.value, lookup))
        return tuple(items)
    if isinstance(node, (cst.Name, cst.Attribute)) and lookup is not None:
        return lookup(node)
    return UNKNOWN


def _scalar(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.ConcatenatedString):
        left, right = _scalar(node.left), _scalar(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return UNKNOWN
    text = node.value  # type: ignore[attr-defined]
    if isinstance(node, cst.SimpleString):
        if "b" in node.prefix.lower():
            return UNKNOWN  # bytes are not schema names (f-strings are FormattedString)
        if text[0] in "'\"" and "\\" not in text and text[:3] not in ('"""', "'''"):
            return text[1:-1]  # the common case, without a compile() per literal
    elif isinstance(node, cst.Integer) and text.isdigit():
        return int(text)
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return UNKNOWN


def string_literal(node: cst.BaseExpression | None, lookup: Lookup | None = None) -> str | None:
    """The string ``node`` spells, or None."""
    value = literal(node, lookup)
    return value if isinstance(value, str) else None


def bool_literal(node: cst.BaseExpression | None, lookup: Lookup | None = None) -> bool | None | _Unknown:
    """True/False, None when absent-as-None, or UNKNOWN."""
    value = literal(node, lookup)
    return value if isinstance(value, bool) or value is None else UNKNOWN
