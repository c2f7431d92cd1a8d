"""Bind a helper call's arguments to the helper's parameters.

Field helpers usually take the field name and options as parameters::

    def money(name, **kw):
        return Field(name, "decimal(12,2)", default=0, **kw)

    db.define_table("orders", money("total", notnull=True))

Reading the helper's ``return`` alone leaves ``name`` a parameter (unknown), so
every such field became a DG002 and dropped out of the comparison. Binding the
call's own arguments the way Python does (positional, keyword, defaults,
``**kw`` collecting the extra keywords) lets the resolver read the field exactly
as that call builds it. A call that cannot be bound statically (``*args`` or
``**options`` at the call site, an argument Python would reject) binds nothing,
so the parameters stay unknown and are reported as before.
"""

from __future__ import annotations

import libcst as cst

from drift_guard.extract.pydal.scope import Argument, Where


def bind_arguments(call: cst.Call, caller: Where, func: cst.FunctionDef, home: Where) -> tuple[Argument, ...] | None:
    """Parameters of ``func`` (whose scope is ``home``) bound to ``call`` made in ``caller``."""
    if any(arg.star for arg in call.args):
        return None
    params = func.params
    if params.posonly_params or (isinstance(params.star_arg, cst.Param)):
        return None  # rare in field helpers; keep the parameters unknown
    named = [*params.params, *params.kwonly_params]
    positional = [arg for arg in call.args if arg.keyword is None]
    keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    if len(positional) > len(params.params):
        return None
    outer = Where(home.src, home.funcs[:-1], home.args)  # where the defaults are evaluated
    bound: list[Argument] = []
    for index, param in enumerate(named):
        name = param.name.value
        if index < len(positional) and param in params.params:
            bound.append(Argument(func, name, positional[index].value, caller))
        elif name in keywords:
            bound.append(Argument(func, name, keywords.pop(name), caller))
        elif param.default is not None:
            bound.append(Argument(func, name, param.default, outer))
        else:
            return None  # a missing argument: Python would raise
    if isinstance(params.star_kwarg, cst.Param):
        bound.append(Argument(func, params.star_kwarg.name.value, _as_dict(keywords), caller))
    elif keywords:
        return None  # an unexpected keyword: Python would raise
    return tuple(bound)


def _as_dict(keywords: dict[str, cst.BaseExpression]) -> cst.Dict:
    """``**kw``'s value: a dict literal of the extra keywords, as the call spells them."""
    return cst.Dict([cst.DictElement(cst.SimpleString(repr(key)), value) for key, value in keywords.items()])
