"""``Field(..., requires=IS_IN_SET([...]))`` -> the values PyDAL accepts for the field.

Read as PyDAL's own ``IS_IN_SET.validate`` reads its set (pydal/validators.py):
every value is compared as ``str(value)``; a dict contributes its keys; a list
whose first element is a pair is a list of (value, label) pairs; an empty set
accepts anything; ``multiple=True`` takes lists of values (not compared here).
``IS_EMPTY_OR``/``IS_NULL_OR`` wrap the set (emptiness is nullability, another
rule); in a list of validators every one must pass, so the sets intersect.

The result is ``None`` when no set constrains the field and ``UNKNOWN`` when a
set is there but cannot be read: a rule then stays quiet instead of guessing.
"""

from __future__ import annotations

from typing import Union

import libcst as cst

from drift_guard.extract.pydal.scope import Failure, Resolver, Where
from drift_guard.extract.pydal.values import literal
from drift_guard.schema import UNKNOWN, _Unknown

Choices = Union[tuple[str, ...], None, _Unknown]
_WRAPPERS = ("IS_EMPTY_OR", "IS_NULL_OR")
_MAX_DEPTH = 12


def read_choices(node: cst.BaseExpression, where: Where, resolver: Resolver, depth: int = 0) -> Choices:
    """The values a ``requires=`` validator (or list of validators) accepts."""
    found = resolver.deref(node, where)
    if isinstance(found, Failure) or not isinstance(found[0], cst.BaseExpression) or depth > _MAX_DEPTH:
        return UNKNOWN
    value, home = found
    if isinstance(value, (cst.List, cst.Tuple)):
        return _all_of([read_choices(e.value, home, resolver, depth + 1) for e in value.elements])
    if not isinstance(value, cst.Call):
        return None if isinstance(value, cst.Name) and value.value == "None" else UNKNOWN
    name = resolver.last_name(value.func, home.src)
    if name in _WRAPPERS:
        inner = _argument(value, 0, "other")
        return read_choices(inner, home, resolver, depth + 1) if inner is not None else UNKNOWN
    if name != "IS_IN_SET":
        return None  # another validator: it restricts no set of values
    multiple = _argument(value, 3, "multiple")  # IS_IN_SET(theset, labels, error_message, multiple, ...)
    if multiple is not None and literal(multiple, home, resolver) not in (False, None, 0):
        return None  # a list of values per row: not one value to compare
    theset = _argument(value, 0, "theset")
    return _set_values(theset, home, resolver) if theset is not None else UNKNOWN


def _all_of(found: list[Choices]) -> Choices:
    """Every validator of a list must pass: the values all the sets accept."""
    if any(f is UNKNOWN for f in found):
        return UNKNOWN
    sets = [f for f in found if isinstance(f, tuple)]
    if not sets:
        return None
    return tuple(v for v in sets[0] if all(v in other for other in sets[1:]))


def _set_values(node: cst.BaseExpression, where: Where, resolver: Resolver) -> Choices:
    found = resolver.deref(node, where)
    if isinstance(found, Failure):
        return UNKNOWN
    value, home = found
    if not isinstance(value, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
        return UNKNOWN
    if isinstance(value, cst.Dict):
        keys = [e.key for e in value.elements if isinstance(e, cst.DictElement)]
        if len(keys) != len(value.elements):
            return UNKNOWN
        return _strings(keys, home, resolver)
    elements = value.elements
    if any(isinstance(e, cst.StarredElement) for e in elements):
        return UNKNOWN
    first = elements[0].value if elements else None
    if isinstance(first, (cst.List, cst.Tuple)) and len(first.elements) == 2:  # (value, label) pairs
        pairs = [e.value for e in elements if isinstance(e.value, (cst.List, cst.Tuple)) and e.value.elements]
        if len(pairs) != len(elements):
            return UNKNOWN
        return _strings([p.elements[0].value for p in pairs if isinstance(p, (cst.List, cst.Tuple))], home, resolver)
    return _strings([e.value for e in elements], home, resolver)


def _strings(nodes: list[cst.BaseExpression], where: Where, resolver: Resolver) -> Choices:
    """``str(value)`` of each literal, as IS_IN_SET compares; an empty set accepts anything."""
    out: list[str] = []
    for node in nodes:
        value = literal(node, where, resolver)
        if not isinstance(value, (str, int)) and value is not None:
            return UNKNOWN
        out.append(str(value))
    return tuple(dict.fromkeys(out)) or None


def _argument(call: cst.Call, index: int, keyword: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    return positional[index] if len(positional) > index and not any(a.star for a in call.args) else None
