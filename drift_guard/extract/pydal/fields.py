"""``Field(...)`` calls -> :class:`FieldSpec`, with PyDAL's defaults applied.

The positional order and keyword names are PyDAL's own ``Field.__init__``
signature, so ``Field("x", "string", 64)`` reads the length exactly as PyDAL
does. Keywords PyDAL does not define are accepted by it silently and do nothing
(``nullable=False`` looks like it works and does not), so each one is noted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, TypeVar

import libcst as cst

from drift_guard.extract.pydal.choices import read_choices
from drift_guard.extract.pydal.model import FieldSpec, Note, Unresolved
from drift_guard.extract.pydal.scope import Failure, Resolver, Where
from drift_guard.extract.pydal.values import (
    bool_value,
    int_value,
    literal,
    string_value,
    unquote_rname,
)
from drift_guard.schema import UNKNOWN, Location, _Unknown

FIELD_PARAMS = (
    "fieldname", "type", "length", "default", "required", "requires", "ondelete", "onupdate",
    "notnull", "unique", "uploadfield", "widget", "label", "comment", "writable", "readable",
    "searchable", "listable", "regex", "options", "update", "authorize", "autodelete", "represent",
    "uploadfolder", "uploadseparate", "uploadfs", "compute", "custom_store", "custom_retrieve",
    "custom_retrieve_file_properties", "custom_delete", "filter_in", "filter_out",
    "custom_qualifier", "map_none", "rname",
)  # fmt: skip
_IGNORED_HINTS = {
    "primary_key": "use the type 'id' or define_table(..., primarykey=[...])",
    "index": "declare the index in the SQLAlchemy model and an Alembic migration",
    "server_default": "PyDAL's default= is Python-side; declare server defaults in the SQLAlchemy model",
    "max_length": "use length=N",
    "autoincrement": "use the type 'id'",
    "foreign_key": "use the type 'reference <table>'",
}

# An argument as written and the scope it is read in.
ArgPair = tuple[cst.BaseExpression, Where]
# Field arguments by PyDAL parameter name (positional ones named by FIELD_PARAMS).
FieldArgs = dict[str, ArgPair]
_V = TypeVar("_V")
_D = TypeVar("_D")


@dataclass(frozen=True)
class Ctx:
    """What field reading needs besides the node: lookups and the DAL expression."""

    resolver: Resolver
    receiver: str | None = None  # source of the define_table receiver, e.g. "db"


def read_field(call: cst.Call, where: Where, ctx: Ctx) -> FieldSpec | Unresolved:
    """Read a ``Field(...)`` call as PyDAL would construct it."""
    src = where.src
    loc = src.location(call)
    args: FieldArgs = {}
    notes: list[Note] = []
    position = 0
    opaque = False  # an unreadable **options
    for arg in call.args:
        if arg.star == "*":
            return Unresolved(f"`{src.code(call)}`: `*{src.code(arg.value)}` cannot be resolved statically", loc)
        if arg.star == "**":
            spread = _spread(arg.value, where, ctx.resolver)
            if spread is None:
                notes.append(
                    Note(
                        f"`{src.code(call)}`: `**{src.code(arg.value)}` cannot be resolved statically; "
                        "its options are unknown",
                        loc,
                        partial=True,
                    )
                )
                opaque = True
                continue
            args.update(spread)
        elif arg.keyword is not None:
            args[arg.keyword.value] = (arg.value, where)
        else:
            args[FIELD_PARAMS[position] if position < len(FIELD_PARAMS) else f"#{position}"] = (arg.value, where)
            position += 1
    spec = field_from_args(args, call, where, ctx, notes)
    if isinstance(spec, FieldSpec) and opaque:
        return _unknown_options(spec, args)
    return spec


def _unknown_options(spec: FieldSpec, given: FieldArgs) -> FieldSpec:
    """An unreadable ``**options`` may set any option not spelled out: unknown, not PyDAL's default."""
    return replace(
        spec,
        length=spec.length if "length" in given else UNKNOWN,
        notnull=spec.notnull if "notnull" in given else UNKNOWN,
        unique=spec.unique if "unique" in given else UNKNOWN,
        ondelete=spec.ondelete if "ondelete" in given else UNKNOWN,
        onupdate=spec.onupdate if "onupdate" in given else UNKNOWN,
    )


def _spread(node: cst.BaseExpression, where: Where, resolver: Resolver) -> FieldArgs | None:
    found = resolver.deref(node, where)
    if isinstance(found, Failure):
        return None
    target, home = found
    if isinstance(target, cst.Call) and resolver.last_name(target.func, home.src) == "dict":
        if any(arg.keyword is None for arg in target.args):
            return None  # dict(other) / dict(**other): not a literal
        return {arg.keyword.value: (arg.value, home) for arg in target.args}  # type: ignore[union-attr]
    return dict_args(target, home, resolver) if isinstance(target, cst.Dict) else None


def dict_args(node: cst.Dict, where: Where, resolver: Resolver) -> FieldArgs | None:
    """A literal ``{"fieldname": ..., "type": ...}`` as Field keyword arguments."""
    out: FieldArgs = {}
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            return None
        key = string_value(element.key, where, resolver)
        if key is None:
            return None
        out[key] = (element.value, where)
    return out


def field_from_args(
    args: FieldArgs, anchor: cst.CSTNode, where: Where, ctx: Ctx, notes: list[Note]
) -> FieldSpec | Unresolved:
    src = where.src
    loc = src.location(anchor)
    # the field as written, for the two messages below only: generating its code
    # for every field was about a tenth of reading the PyDAL layer (callgrind, 200 tables)
    if "fieldname" not in args:
        return Unresolved(f"`{src.code(anchor)}`: the field has no name", loc)
    name = string_value(*args["fieldname"], ctx.resolver)
    if name is None:
        return Unresolved(f"`{src.code(anchor)}`: the field name `{_code(args['fieldname'])}` is not a literal", loc)
    type_text, spelled, custom = _field_type(args.get("type"), ctx, notes, loc, name)
    length = _maybe(args, "length", int_value, None, ctx, notes, loc, name)
    notnull = _maybe(args, "notnull", bool_value, False, ctx, notes, loc, name)
    unique = _maybe(args, "unique", bool_value, False, ctx, notes, loc, name)
    ondelete = _action(args, "ondelete", ctx, notes, loc, name)
    onupdate = _action(args, "onupdate", ctx, notes, loc, name)
    rname = None
    if "rname" in args:
        raw = string_value(*args["rname"], ctx.resolver)
        if raw is None and literal(*args["rname"], ctx.resolver) is not None:
            notes.append(
                Note(
                    f"Field({name!r}, ..., rname={_code(args['rname'])}): the column name is not a literal",
                    loc,
                    name,
                    partial=True,
                )
            )
        if raw == "":  # PyDAL only defaults a None rname: "" becomes the SQL name
            notes.append(Note(f"Field({name!r}, ..., rname=''): PyDAL uses an empty column name", loc, name))
        rname = unquote_rname(raw) if raw is not None else None
    for key, value in args.items():
        if key not in FIELD_PARAMS:
            notes.append(_ignored(key, value, ctx, loc, name))
    choices = read_choices(*args["requires"], ctx.resolver) if "requires" in args else None
    return FieldSpec(
        name=name, type_text=type_text, spelled=spelled, location=loc, length=length,
        notnull=notnull, unique=unique, default=_default(args, ctx), ondelete=ondelete,
        onupdate=onupdate, rname=rname, custom=custom, notes=tuple(notes), choices=choices,
    )  # fmt: skip


def _code(pair: ArgPair) -> str:
    return pair[1].src.code(pair[0])


def _field_type(
    pair: ArgPair | None, ctx: Ctx, notes: list[Note], loc: Location, name: str
) -> tuple[str | None, str, bool]:
    if pair is None:
        return "string", "'string'", False
    node, where = pair
    spelled = where.src.code(node)
    text = string_value(node, where, ctx.resolver)
    if text is not None:
        return text, spelled, False
    found = ctx.resolver.deref(node, where)
    if not isinstance(found, Failure) and isinstance(found[0], cst.BaseExpression):
        target, home = found[0], found[1]
        if isinstance(target, cst.Call) and ctx.resolver.last_name(target.func, home.src) == "SQLCustomType":
            notes.append(Note(f"Field({name!r}, {spelled}): SQLCustomType: the native type is not compared", loc, name))
            return None, spelled, True
        symbol = table_symbol(target, home, ctx)
        if symbol is not None:
            return f"reference {symbol}", spelled, False
    why = found.reason if isinstance(found, Failure) else "is not a literal type string"
    notes.append(Note(f"Field({name!r}, {spelled}): the type `{spelled}` {why}", loc, name))
    return None, spelled, False


def _maybe(
    args: FieldArgs,
    key: str,
    read: Callable[[cst.BaseExpression, Where, Resolver], _V | None],
    default: _D,
    ctx: Ctx,
    notes: list[Note],
    loc: Location,
    name: str,
) -> _V | _D | _Unknown:
    if key not in args:
        return default
    value = read(*args[key], ctx.resolver)
    if value is None and literal(*args[key], ctx.resolver) is None:
        return default  # an explicit None is PyDAL's default too
    if value is None:
        notes.append(Note(f"Field({name!r}, ..., {key}={_code(args[key])}): `{key}` is not a literal", loc, name))
        return UNKNOWN
    return value


def _action(args: FieldArgs, key: str, ctx: Ctx, notes: list[Note], loc: Location, name: str) -> str | _Unknown:
    if key not in args:
        return "CASCADE"
    text = string_value(*args[key], ctx.resolver)
    if text is None:
        notes.append(
            Note(f"Field({name!r}, ..., {key}={_code(args[key])}): `{key}` is not a literal string", loc, name)
        )
        return UNKNOWN
    return text.upper()


def _default(args: FieldArgs, ctx: Ctx) -> str | None:
    for key in ("default", "update"):  # PyDAL: default falls back to update
        if key in args:
            if literal(*args[key], ctx.resolver) is None:
                return None
            return _code(args[key])
    return None


def _ignored(key: str, pair: ArgPair, ctx: Ctx, loc: Location, name: str) -> Note:
    shown = f"{key}={_code(pair)}"
    if key == "nullable":
        value = bool_value(*pair, ctx.resolver)
        hint = "use notnull=True" if value is False else "PyDAL columns are nullable unless notnull=True"
    else:
        hint = _IGNORED_HINTS.get(key, "it is not a Field argument")
    return Note(f"Field(..., {shown}): PyDAL ignores `{key}`; {hint}", loc, name)  # the column is on the Problem


def _last_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def table_symbol(node: cst.BaseExpression, where: Where, ctx: Ctx) -> str | None:
    """``db.person`` / ``db["person"]`` -> "person" when ``db`` is the DAL."""
    if isinstance(node, cst.Attribute) and is_dal(node.value, where, ctx):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and is_dal(node.value, where, ctx):
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            return string_value(index.value, where, ctx.resolver)
    return None


def is_dal(node: cst.BaseExpression, where: Where, ctx: Ctx) -> bool:
    """Whether ``node`` is the DAL object: the define_table receiver, a name
    ending in ``db``, or a name bound to ``DAL(...)``."""
    code = where.src.code(node)
    if ctx.receiver is not None and code == ctx.receiver:
        return True
    last = _last_name(node)
    if last is not None and last.lower().endswith("db"):
        return True
    found = ctx.resolver.deref(node, where)
    return (
        not isinstance(found, Failure)
        and isinstance(found[0], cst.Call)
        and ctx.resolver.last_name(found[0].func, found[1].src) == "DAL"
    )
