"""Tables that py4web/web2py ``Auth`` and PyDAL's ``Tags`` define without a
``define_table`` call in the project's own code (``Auth.define_tables()``
creates auth_user, auth_group, auth_membership, auth_permission, auth_event ...;
``Tags`` creates its own ``<table>_tag_<name>`` table).

A py4web app's ``auth = Auth(session, db)`` defines ``auth_user``; without
knowing that, every such project got a DG101 for the model's ``auth_user``.
Auth's column list depends on run-time settings (``use_username``,
``extra_fields``...), so those tables are registered as *partial*: they exist
(no DG101), their columns are not compared, and one DG002 says so; unless the
application defines one itself, which Auth then leaves alone. ``Tags(table,
name)`` always builds ``<table>_tag_<name>`` with ``tagpath`` and ``record_id``
(pydal/tools/tags.py), so that table is read in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import libcst as cst

from drift_guard.extract.names.cst_reader import imports_of, qualify
from drift_guard.extract.pydal.fields import Ctx, table_symbol
from drift_guard.extract.pydal.model import FieldSpec, TableSpec, Unresolved
from drift_guard.extract.pydal.order import ImportGraph, Site, run_order
from drift_guard.extract.pydal.scope import Failure, Resolver, Where
from drift_guard.extract.pydal.values import bool_value, string_value
from drift_guard.schema import Location

_AUTH_TABLES = {
    "py4web": ("auth_user",),
    "gluon": ("auth_user", "auth_group", "auth_membership", "auth_permission", "auth_event", "auth_cas"),
}


@dataclass(frozen=True)
class AuthCall:
    """A call that makes a framework's Auth define its tables (``Auth(...)``,
    ``auth.define_tables()``), read but not yet turned into tables: the
    application's own ``define_table`` of the same name may replace them."""

    framework: str
    spelled: str
    location: Location
    order: int
    scope: tuple[str, ...]


def implicit_tables(call: cst.Call, where: Where, resolver: Resolver, order: int) -> list[TableSpec] | AuthCall:
    """The tables ``call`` defines when it is a Tags, or the Auth call itself."""
    func = call.func
    framework: str | None = None
    if isinstance(func, cst.Attribute) and func.attr.value == "define_tables":
        found = resolver.deref(func.value, where)
        if isinstance(found, Failure) or not isinstance(found[0], cst.Call):
            return []
        framework = _auth_framework(found[0].func, found[1])
    else:
        framework = _auth_framework(func, where)
        if framework is not None:
            flag = next((a.value for a in call.args if a.keyword and a.keyword.value == "define_tables"), None)
            if flag is not None and bool_value(flag, where, resolver) is not True:
                return []  # define_tables=False (tables come from a later define_tables())
        elif _qualified(func, where).rsplit(".", 1)[-1] == "Tags" and "pydal" in _qualified(func, where):
            return _tags_spec(call, where, resolver, order)
    if framework is None:
        return []
    scope = tuple(f.name.value for f in where.funcs)
    return AuthCall(framework, _short(where.src.code(call)), where.src.location(call), order, scope)


def auth_specs(call: AuthCall, defined: Sequence[TableSpec], taken: set[str], graph: ImportGraph) -> list[TableSpec]:
    """The tables ``call`` defines: those of its framework that no earlier Auth
    call defined and that the application does not define itself (``taken`` is
    updated). Auth skips a table already defined (py4web's ``if "auth_user" not
    in db.tables``, web2py's ``if not settings.table_user_name in db.tables``), so
    a custom ``db.define_table("auth_user", ...)`` is the table in use, compared
    in full. Only one known to run after Auth without ``redefine=True`` is left
    to DG114: PyDAL raises ``table already defined`` there."""
    names = [n for n in _AUTH_TABLES[call.framework] if n not in taken and not _replaced(n, call, defined, graph)]
    taken.update(names)
    if not names:
        return []
    shown = ", ".join(f"`{n}`" for n in names)
    their = "their columns depend" if len(names) > 1 else "its columns depend"
    why = f"`{call.spelled}`: {call.framework}'s Auth defines {shown}; {their} on run-time settings"
    note = Unresolved(why, call.location)  # one DG002, naming every table it makes partial
    loc = call.location
    return [TableSpec(n, n, loc, loc, (note,), order=call.order, scope=call.scope) for n in names]


def _replaced(name: str, call: AuthCall, defined: Sequence[TableSpec], graph: ImportGraph) -> bool:
    """Whether the application defines ``name`` in a way PyDAL accepts: before
    Auth runs, with ``redefine=True``, or where the order is unknown (a running
    application did not raise, so its definition is the one in use)."""
    auth = Site(call.location, call.scope, call.order)
    for spec in defined:
        if spec.symbol != name:
            continue
        after_auth = run_order(auth, Site(spec.location, spec.scope, spec.order), graph) == "before"
        if not after_auth or dict(spec.options).get("redefine") == "True":
            return True
    return False


def _qualified(func: cst.BaseExpression, where: Where) -> str:
    return qualify(imports_of(where.src), func) or ""


def _auth_framework(func: cst.BaseExpression, where: Where) -> str | None:
    name = _qualified(func, where)
    if name.rsplit(".", 1)[-1] != "Auth":
        return None
    return next((f for f in _AUTH_TABLES if name.startswith(f + ".")), None)


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
