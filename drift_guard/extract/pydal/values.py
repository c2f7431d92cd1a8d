"""Literal values as Python itself would evaluate them, read from libcst nodes.

Only literals (and names bound once to literals, via the resolver) have a
value; anything computed returns ``None`` so the caller reports it instead of
guessing. String literals are evaluated exactly (implicit concatenation
``"a" "boolean"`` is the one string ``"aboolean"``); f-strings and bytes never are.
"""

from __future__ import annotations

import re

import libcst as cst

from drift_guard.extract.pydal.scope import Failure, Resolver, Where

_NOTHING = object()
_RNAME_PART = re.compile(r'"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[^.]+')


def literal(node: cst.BaseExpression, where: Where, resolver: Resolver) -> object:
    """The value of a literal str/int/bool/None (following names), else ``_NOTHING``."""
    found = resolver.deref(node, where)
    if isinstance(found, Failure) or not isinstance(found[0], cst.BaseExpression):
        return _NOTHING
    value = found[0]
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        text = value.evaluated_value
        return text if isinstance(text, str) else _NOTHING
    if isinstance(value, cst.Integer):
        return value.evaluated_value
    if (
        isinstance(value, cst.UnaryOperation)
        and isinstance(value.operator, cst.Minus)
        and isinstance(value.expression, cst.Integer)
    ):
        return -value.expression.evaluated_value
    if isinstance(value, cst.Name) and value.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[value.value]
    return _NOTHING


def string_value(node: cst.BaseExpression, where: Where, resolver: Resolver) -> str | None:
    value = literal(node, where, resolver)
    return value if isinstance(value, str) else None


def int_value(node: cst.BaseExpression, where: Where, resolver: Resolver) -> int | None:
    value = literal(node, where, resolver)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def bool_value(node: cst.BaseExpression, where: Where, resolver: Resolver) -> bool | None:
    """PyDAL tests these flags for truth, so literal ints/strings/None count too."""
    value = literal(node, where, resolver)
    return None if value is _NOTHING else bool(value)


def string_list(node: cst.BaseExpression, where: Where, resolver: Resolver) -> tuple[list[str], bool] | None:
    """A literal list/tuple of strings -> (values, is_list); None otherwise."""
    found = resolver.deref(node, where)
    if isinstance(found, Failure) or not isinstance(found[0], (cst.List, cst.Tuple)):
        return None
    seq, home = found[0], found[1]
    values: list[str] = []
    for element in seq.elements:
        if isinstance(element, cst.StarredElement):
            return None
        text = string_value(element.value, home, resolver)
        if text is None:
            return None
        values.append(text)
    return values, isinstance(seq, cst.List)


def unquote_rname(rname: str) -> str:
    """``'"Renamed"'`` -> ``Renamed``; ``'"Sch"."Tbl"'`` -> ``Sch.Tbl``; ``schema.tbl`` as is.

    PyDAL uses rname verbatim as SQL, so the quotes are SQL quoting, not part of
    the name the database stores.
    """
    text = rname.strip()
    parts = _RNAME_PART.findall(text)
    if not parts or ".".join(parts) != text:
        return text
    return ".".join(_unquote_part(part) for part in parts)


def _unquote_part(part: str) -> str:
    if len(part) >= 2 and part[0] == part[-1] == '"':
        return part[1:-1].replace('""', '"')
    if len(part) >= 2 and (part[0], part[-1]) in (("`", "`"), ("[", "]")):
        return part[1:-1]
    return part
