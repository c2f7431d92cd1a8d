"""Per-column comparators, dispatched in one walk over the paired columns.

As in Alembic's autogenerate (``comparators.dispatch_for("column")``): each
aspect of a column (type, length, nullability, unique, keys) is a comparator
that receives one model column and its PyDAL counterpart and reports on its own
aspect only, so one drift gives one finding. The walk over the table pairs and
their columns happens once per service (:func:`compared_columns`), whatever the
number of aspects; each aspect's rule reads its share of the result.

A comparator is registered with :func:`column_rule`, which also registers the
rule (code, name, severity, documentation) in the registry, so selection,
suppressions and the reports treat it as any other rule. Adding an aspect is one
decorated function in any rule module.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, RuleCheck, rule

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext
    from drift_guard.dialect import Target
    from drift_guard.rules import FindingMaker
    from drift_guard.schema import Column, ColumnType, Table


@dataclass
class PairedColumn:
    """One column defined in both layers, as a comparator receives it.

    Findings about it are located at the PyDAL field (the layer that must
    follow the models) with the model column as the related location."""

    ctx: ServiceContext
    model_table: Table
    pydal_table: Table
    model: Column
    pydal: Column
    _typed: list[TypedPair] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """``table.column`` as messages show it (the model's spelling)."""
        return f"{self.model_table.name}.{self.model.name}"

    def report(
        self,
        make: FindingMaker,
        message: str,
        hint: str,
        *,
        model: Column | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return make(
            message,
            hint,
            self.pydal.location,
            table=self.model_table.key,
            column=self.model.key,
            related=[(model or self.model).location],
            severity=severity,
        )

    def typed(self) -> list[TypedPair]:
        """The model column with the type SQLAlchemy uses on each target database.

        A ``with_variant`` type is compared per target (``BigInteger().with_variant(
        Integer, "sqlite")`` is an Integer on SQLite only), once per distinct type,
        with the targets it is used on; ``targets`` is None for a type without
        variants (the same type on every target). Computed once per column for
        every comparator that compares types."""
        if self._typed is None:
            self._typed = list(self._variants())
        return self._typed

    def _variants(self) -> Iterator[TypedPair]:
        if not self.model.type.variants:
            yield TypedPair(self.model, None)
            return
        from drift_guard.dialect import target_dialects

        per_type: dict[int, tuple[ColumnType, list[Target]]] = {}
        for target in target_dialects(self.ctx):
            ctype = self.model.type.on(target.sa_dialect)
            per_type.setdefault(id(ctype), (ctype, []))[1].append(target)
        for ctype, on in per_type.values() or [(self.model.type, [])]:
            yield TypedPair(replace(self.model, type=ctype), tuple(on))


@dataclass(frozen=True)
class TypedPair:
    """The model column as typed on ``targets`` (None: on every target)."""

    model: Column
    targets: tuple[Target, ...] | None

    @property
    def on(self) -> str:
        """`` on postgres://`` for a per-target (with_variant) comparison."""
        return f" on {', '.join(t.shown for t in self.targets)}" if self.targets else ""


Comparator = Callable[[PairedColumn], Iterable[Finding]]
COMPARATORS: dict[str, Comparator] = {}


def column_rule(
    code: str, name: str, severity: Severity, *, group: str = Group.CROSS_LAYER
) -> Callable[[Comparator], RuleCheck]:
    """Register ``fn(pair)`` as the comparator of one column aspect and as rule ``code``.

    The rule's check reads its findings from the service's one walk; its
    documentation is the comparator's docstring."""

    def register(fn: Comparator) -> RuleCheck:
        def check(ctx: ServiceContext) -> Iterator[Finding]:
            return iter(compared_columns(ctx).get(code, ()))

        check.__doc__, check.__name__, check.__qualname__ = fn.__doc__, fn.__name__, fn.__qualname__
        check.__module__ = fn.__module__
        registered = rule(code, name, severity, group=group, needs=("models", "pydal"))(check)
        COMPARATORS[code] = fn
        return registered

    return register


def compared_columns(ctx: ServiceContext) -> dict[str, list[Finding]]:
    """Every comparator's findings for the service, by rule code: one walk over
    the table pairs and their columns, once per service context."""
    return ctx.memo("column-comparators", lambda: _walk(ctx))


def _walk(ctx: ServiceContext) -> dict[str, list[Finding]]:
    from drift_guard.pairing import both_columns, both_tables

    found: dict[str, list[Finding]] = {code: [] for code in COMPARATORS}
    for model_t, pydal_t in both_tables(ctx.table_pairs):
        for model_c, pydal_c in both_columns(model_t, pydal_t):
            pair = PairedColumn(ctx, model_t, pydal_t, model_c, pydal_c)
            for code, compare in COMPARATORS.items():
                found[code].extend(compare(pair))
    return found
