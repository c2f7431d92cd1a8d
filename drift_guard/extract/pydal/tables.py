"""One ``db.define_table(...)`` call -> a :class:`TableSpec` (or why it cannot be one).

Keyword arguments are checked against PyDAL's own ``TABLE_ARGS``: anything else
makes PyDAL raise at import time, which is worth a note. ``fields=`` is only
used by PyDAL when no positional field is given, exactly as here.
"""

from __future__ import annotations

import libcst as cst

from drift_guard.extract.pydal.args import expand_arg, expand_star
from drift_guard.extract.pydal.fields import Ctx
from drift_guard.extract.pydal.model import Item, Note, TableSpec
from drift_guard.extract.pydal.scope import Resolver, Where
from drift_guard.extract.pydal.values import string_list, string_value, unquote_rname
from drift_guard.schema import UNKNOWN, Location, Problem, ProblemKind

TABLE_ARGS = frozenset({
    "migrate", "primarykey", "fake_migrate", "format", "redefine", "singular", "plural", "trigger_name",
    "sequence_name", "fields", "common_filter", "table_class", "on_define", "rname",
})  # fmt: skip
KEPT_OPTIONS = ("migrate", "fake_migrate", "rname", "primarykey", "redefine")


def read_table(call: cst.Call, where: Where, resolver: Resolver, order: int) -> TableSpec | Problem:
    """Read a define_table call; a Problem when its table name cannot be known."""
    src = where.src
    assert isinstance(call.func, cst.Attribute)
    ctx = Ctx(resolver, src.code(call.func.value))
    name_node, positional, keywords, notes = _split(call, where)
    if name_node is None:
        return _problem(f"`{_short(src.code(call))}`: the table name cannot be resolved statically", src.location(call))
    symbol = string_value(name_node, where, resolver)
    if symbol is None:
        return _problem(
            f"define_table({src.code(name_node)}, ...): the table name `{src.code(name_node)}` is not "
            "a literal; this table is not compared",
            src.location(name_node),
        )
    db_name = symbol
    if "rname" in keywords and not _is_none(keywords["rname"]):  # rname=None is PyDAL's default
        raw = string_value(keywords["rname"], where, resolver)
        if raw is None:
            return _problem(
                f"define_table({symbol!r}, ..., rname={src.code(keywords['rname'])}): the table's "
                "database name is not a literal; this table is not compared",
                src.location(name_node),
            )
        db_name = unquote_rname(raw) if raw else symbol  # PyDAL: `rname or tablename`
    items: list[Item] = []
    for arg in positional:
        items.extend(expand_arg(arg, where, ctx))
    if "fields" in keywords:
        if positional:
            notes.append(
                Note(
                    f"define_table({symbol!r}, ..., fields={_short(src.code(keywords['fields']))}): PyDAL "
                    "ignores `fields=` when positional fields are given",
                    src.location(keywords["fields"]),
                )
            )
        else:
            items.extend(expand_star(keywords["fields"], where, ctx, f"fields={src.code(keywords['fields'])}"))
    primarykey = _primarykey(keywords.get("primarykey"), symbol, where, resolver, notes)
    for key in sorted(set(keywords) - TABLE_ARGS):
        notes.append(
            Note(
                f'define_table({symbol!r}, ..., {key}=...): PyDAL raises `invalid table "{symbol}" '
                f"attributes` for `{key}`",
                src.location(keywords[key]),
            )
        )
    options = tuple((key, src.code(keywords[key])) for key in KEPT_OPTIONS if key in keywords)
    return TableSpec(
        symbol=symbol, db_name=db_name, location=src.location(name_node), call_location=src.location(call),
        items=tuple(items), primarykey=primarykey, options=options, notes=tuple(notes),
        partial=any(n.partial for n in notes), order=order,
    )  # fmt: skip


def _split(call: cst.Call, where: Where) -> tuple[cst.BaseExpression | None, list[cst.Arg], dict, list[Note]]:
    src = where.src
    name_node: cst.BaseExpression | None = None
    positional: list[cst.Arg] = []
    keywords: dict[str, cst.BaseExpression] = {}
    notes: list[Note] = []
    seen_star = False
    for arg in call.args:
        if arg.keyword is not None:
            keywords[arg.keyword.value] = arg.value
        elif arg.star == "**":
            notes.append(
                Note(
                    f"define_table(..., **{src.code(arg.value)}): the table options cannot be resolved statically",
                    src.location(arg),
                    partial=True,
                )
            )
        elif name_node is None and not arg.star and not seen_star:
            name_node = arg.value
        else:
            seen_star = seen_star or arg.star == "*"
            positional.append(arg)
    if name_node is None and "tablename" in keywords and not seen_star:
        name_node = keywords.pop("tablename")
    return name_node, positional, keywords, notes


def _primarykey(node, symbol: str, where: Where, resolver: Resolver, notes: list[Note]):
    if node is None or _is_none(node):
        return None
    src = where.src
    read = string_list(node, where, resolver)
    if read is None:
        notes.append(
            Note(
                f"define_table({symbol!r}, ..., primarykey={src.code(node)}): the primary key is not a "
                "literal list of field names",
                src.location(node),
                partial=True,
            )
        )
        return UNKNOWN
    values, is_list = read
    if not is_list:
        notes.append(
            Note(
                f"define_table({symbol!r}, ..., primarykey={src.code(node)}): PyDAL raises `primarykey "
                "must be a list of fields`",
                src.location(node),
            )
        )
    return tuple(values)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _problem(message: str, location: Location) -> Problem:
    return Problem(ProblemKind.UNRESOLVED, message, location)
