"""``db.<table>`` / ``db.<table>.<field>`` references on DAL objects (DG402).

Which names hold a DAL is worked out statically, across the service's runtime
modules, in two passes:

1. per module (in :func:`~drift_guard.extract.runtime.summary.summarize_runtime`):
   names bound to ``DAL(...)`` (in any scope, e.g. a cached ``global _db``),
   functions that return one (``def get_db(): return _db``), names bound to
   calls of other functions, and parameters annotated ``DAL``;
2. across modules (:func:`table_refs`): a name is a DAL if it is bound to
   ``DAL(...)``, to a call of a DAL factory (local or imported), or imported
   from a module where it is one.

Only then are attribute chains on those names read; ``db.session`` on a
Flask-SQLAlchemy object never becomes a table reference.

Names that are attributes of a table without being columns are not fields to
check: ``Field.Virtual("name", ...)`` / ``Field.Method("name", ...)`` anywhere
in the runtime modules, and names assigned on a table
(``db.users.nick = Field.Virtual(...)``, PyDAL's other way to add one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.extract.runtime.summary import RuntimeSummary


@dataclass(frozen=True)
class TableRef:
    location: Location
    table: str
    field: str | None
    spelled: str


def table_refs(modules: Sequence[RuntimeSummary]) -> list[TableRef]:
    """Pass 2: every ``<dal>.<table>[.<field>]`` chain in every module."""
    dal_vars = {_q(m, n) for m in modules for n in m.dal_names}
    factories = {_q(m, f) for m in modules for f in m.factories}
    extra = {name for m in modules for name in m.extra_attributes}
    refs = []
    for summary in modules:
        names = dict(summary.import_names)
        local = set(summary.dal_names)
        local.update(n for n, callees in summary.bound_calls if callees & factories)
        local.update(n for n, q in names.items() if q in dal_vars)
        for chain in summary.chains:
            parts = chain.parts
            start = _dal_prefix(parts, local, names, dal_vars)
            if start is None or len(parts) <= start:
                continue
            table = parts[start]
            field_name = parts[start + 1] if len(parts) > start + 1 else None
            if field_name in extra:
                field_name = None  # a virtual/method field or an assigned attribute, not a column
            shown = ".".join(parts[: start + (2 if field_name else 1)])
            refs.append(TableRef(chain.location, table, field_name, shown))
    return refs


def _q(summary: RuntimeSummary, name: str) -> str:
    return f"{summary.module}.{name}" if summary.module else name


def _dal_prefix(parts: Sequence[str], local: set[str], names: dict[str, str], dal_vars: set[str]) -> int | None:
    """How many leading parts of the chain name the DAL object, or None."""
    if parts[0] in local:
        return 1
    qualified = names.get(parts[0], parts[0])
    for length in range(2, len(parts)):  # module.db.table
        if ".".join([qualified, *parts[1:length]]) in dal_vars:
            return length
    return None
