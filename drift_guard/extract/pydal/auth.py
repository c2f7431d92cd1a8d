"""Tables that py4web/web2py ``Auth`` and PyDAL's ``Tags`` define without a
``define_table`` call in the project's own code (``Auth.define_tables()``
creates auth_user, auth_group, auth_membership, auth_permission, auth_event ...;
``Tags`` creates its own ``<table>_tag_<name>`` table).

A py4web app's ``auth = Auth(session, db)`` defines ``auth_user``; without
knowing that, every such project got a DG101 for the model's ``auth_user``.
Auth's column list depends on run-time settings (``use_username``,
``extra_fields``...), so those tables are registered as *partial*: they exist
(no DG101), their columns are not compared, and one DG002 says so. ``Tags(table,
name)`` always builds ``<table>_tag_<name>`` with ``tagpath`` and ``record_id``
(pydal/tools/tags.py), so that table is read in full.
"""

from __future__ import annotations

import libcst as cst

from drift_guard.extract.names import imports_of
from drift_guard.extract.pydal.fields import Ctx, table_symbol
from drift_guard.extract.pydal.model import FieldSpec, TableSpec, Unresolved
from drift_guard.extract.pydal.scope import Failure, Resolver, Where
from drift_guard.extract.pydal.values import bool_value, string_value

_AUTH_TABLES = {
    "py4web": ("auth_user",),
    "gluon": ("auth_user", "auth_group", "auth_membership", "auth_permission", "auth_event", "auth_cas"),
}


def implicit_tables(call: cst.Call, where: Where, resolver: Resolver, order: int) -> list[TableSpec]:
    """The tables ``call`` defines when it is an Auth, ``auth.define_tables()`` or Tags."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "define_tables":
        found = resolver.deref(func.value, where)
        if isinstance(found, Failure) or not isinstance(found[0], cst.Call):
            return []
        framework = _auth_framework(found[0].func, found[1])
        return _auth_specs(framework, call, where, order) if framework else []
    framework = _auth_framework(func, where)
    if framework is not None:
        flag = next((a.value for a in call.args if a.keyword and a.keyword.value == "define_tables"), None)
        if flag is not None and bool_value(flag, where, resolver) is not True:
            return []  # define_tables=False (tables come from a later define_tables())
        return _auth_specs(framework, call, where, order)
    if _qualified(func, where).rsplit(".", 1)[-1] == "Tags" and "pydal" in _qualified(func, where):
        return _tags_spec(call, where, resolver, order)
    return []


def _qualified(func: cst.BaseExpression, where: Where) -> str:
    return imports_of(where.src).qualify(func) or ""


def _auth_framework(func: cst.BaseExpression, where: Where) -> str | None:
    name = _qualified(func, where)
    if name.rsplit(".", 1)[-1] != "Auth":
        return None
    return next((f for f in _AUTH_TABLES if name.startswith(f + ".")), None)


def _auth_specs(framework: str, call: cst.Call, where: Where, order: int) -> list[TableSpec]:
    loc = where.src.location(call)
    names = _AUTH_TABLES[framework]
    shown = ", ".join(f"`{n}`" for n in names)
    their = "their columns depend" if len(names) > 1 else "its columns depend"
    why = (
        f"`{_short(where.src.code(call))}`: {framework}'s Auth defines {shown}; {their} on "
        "run-time settings and are not compared"
    )
    first = TableSpec(names[0], names[0], loc, loc, (Unresolved(why, loc),), order=order)
    return [first, *(TableSpec(n, n, loc, loc, (), partial=True, order=order) for n in names[1:])]


def _tags_spec(call: cst.Call, where: Where, resolver: Resolver, order: int) -> list[TableSpec]:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    named = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    table_node = positional[0].value if positional else named.get("table")
    name_node = positional[1].value if len(positional) > 1 else named.get("name")
    if table_node is None or "tag_table" in named:
        return []
    symbol = table_symbol(table_node, where, Ctx(resolver))
    name = "default" if name_node is None else string_value(name_node, where, resolver)
    if symbol is None or name is None:
        return []
    loc = where.src.location(call)
    fields = (
        FieldSpec("tagpath", "string", "'string'", loc, length=512),
        FieldSpec("record_id", f"reference {symbol}", f"{where.src.code(table_node)}", loc),
    )
    tag_table = f"{symbol}_tag_{name}"
    return [TableSpec(tag_table, tag_table, loc, loc, fields, order=order)]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
