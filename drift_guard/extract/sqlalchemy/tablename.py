"""Names a ``@declared_attr`` computes from the class: ``__tablename__`` from the
class name, and constraint/index names in ``__table_args__`` from
``cls.__tablename__``.

A base class that names every table after its class is one of the most common
declarative set-ups::

    class Base(DeclarativeBase):
        @declared_attr.directive
        def __tablename__(cls) -> str:
            return cls.__name__.lower()

Skipping every model of such a project (DG002) would blind the whole
comparison, so the few spellings real projects use are evaluated here against
the mapped class's own name: ``cls.__name__``, the string methods ``lower()``,
``upper()``, ``casefold()``, ``+`` with literals, f-strings, and ``re.sub`` with
literal pattern and replacement (the usual CamelCase -> snake_case idiom).
Anything else stays "computed" and is reported, never guessed.
"""

from __future__ import annotations

import re

import libcst as cst

from drift_guard.extract.sqlalchemy.literals import string_literal

_STRING_METHODS = {"lower": str.lower, "upper": str.upper, "casefold": str.casefold}


def computed_tablename(value: cst.BaseExpression | None, class_name: str, table_name: str | None = None) -> str | None:
    """The name ``value`` evaluates to for the class ``class_name`` (whose table,
    when known, is ``table_name``: ``cls.__tablename__`` in ``__table_args__``), or None."""
    if value is None:
        return None
    if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name):
        if value.attr.value == "__name__":
            return class_name  # cls.__name__ (the parameter's spelling does not matter)
        if value.attr.value == "__tablename__":
            return table_name
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        return string_literal(value)
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        left = computed_tablename(value.left, class_name, table_name)
        right = computed_tablename(value.right, class_name, table_name)
        return left + right if left is not None and right is not None else None
    if isinstance(value, cst.FormattedString):
        return _fstring(value, class_name, table_name)
    if isinstance(value, cst.Call):
        return _call(value, class_name, table_name)
    return None


def _fstring(value: cst.FormattedString, class_name: str, table_name: str | None) -> str | None:
    parts: list[str] = []
    for part in value.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(part.value)
            continue
        if not isinstance(part, cst.FormattedStringExpression) or part.conversion or part.format_spec:
            return None
        found = computed_tablename(part.expression, class_name, table_name)
        if found is None:
            return None
        parts.append(found)
    return "".join(parts)


def _call(value: cst.Call, class_name: str, table_name: str | None) -> str | None:
    func = value.func
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method in _STRING_METHODS and not value.args:
        inner = computed_tablename(func.value, class_name, table_name)
        return _STRING_METHODS[method](inner) if inner is not None else None
    if method == "sub" and isinstance(func.value, cst.Name) and func.value.value == "re":
        return _re_sub(value, class_name, table_name)
    return None


def _re_sub(value: cst.Call, class_name: str, table_name: str | None) -> str | None:
    """``re.sub(pattern, repl, text)`` with literal pattern and replacement."""
    if len(value.args) != 3 or any(a.keyword is not None or a.star for a in value.args):
        return None
    pattern, repl = string_literal(value.args[0].value), string_literal(value.args[1].value)
    text = computed_tablename(value.args[2].value, class_name, table_name)
    if pattern is None or repl is None or text is None:
        return None
    try:
        return re.sub(pattern, repl, text)
    except re.error:
        return None
