"""The last two passes over the drafts: which tables belong to Alembic's target
metadata, and the types that type-less ``Column(ForeignKey(...))`` columns take
from the column they reference.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import libcst as cst

from drift_guard.extract.sqlalchemy.columns import FK_PENDING
from drift_guard.extract.sqlalchemy.modules import ModuleIndex, Ref
from drift_guard.extract.sqlalchemy.tables import Draft, TableBuilder
from drift_guard.schema import (
    UNKNOWN,
    ColumnType,
    Family,
    Location,
    Problem,
    ProblemKind,
    Table,
)

_FK_ROUNDS = 8  # a chain of FK-typed columns is resolved one link per round


def wanted_ids(bases: Sequence[str], index: ModuleIndex, tables: TableBuilder) -> set[str]:
    """Metadata identities named by ``bases`` ("app.db.base.Base", "app.db.models.metadata")."""
    wanted: set[str] = set()
    for entry in bases:
        wanted.update((entry, f"{entry}.metadata"))
        target = index.resolve_qualname(entry)
        if isinstance(target, Ref):
            wanted.update(_ids_of(target, tables))
        elif entry.endswith(".metadata"):
            owner = index.resolve_qualname(entry[: -len(".metadata")])
            if isinstance(owner, Ref) and not owner.attrs:
                wanted.update(_ids_of(Ref(owner.module, owner.name, ("metadata",)), tables))
    return wanted


def _ids_of(target: Ref, tables: TableBuilder) -> set[str]:
    classes = tables.classes
    if target.attrs == ("metadata",) or (not target.attrs and not target.is_class):
        expr = _expression(target)
        found = tables.metadata_id(target.module, expr)
        if found is not None:
            return {found}
        owner = Ref(target.module, target.name)
        root = classes.root_reader.value_root(owner) if not owner.is_class else None
        root = root or classes.root_reader.registry_root(owner.module, cst.Name(owner.name), owner.key)
        return {root.mid} if root is not None else set()
    if target.is_class and not target.attrs:
        roots, _ = classes.roots(target)
        return {r.mid for r in roots}
    return set()


def _expression(target: Ref) -> cst.BaseExpression:
    node: cst.BaseExpression = cst.Name(target.name)
    for attr in target.attrs:
        node = cst.Attribute(node, cst.Name(attr))
    return node


def select(
    drafts: list[Draft], wanted: set[str] | None, bases: Sequence[str], first_file: str | None, problems: list[Problem]
) -> list[Draft]:
    """Keep the drafts on the target metadata; every draft in fallback mode."""
    if wanted is None:
        return drafts
    kept = [d for d in drafts if wanted.intersection(d.mids)]
    if drafts and not kept:
        names = ", ".join(f"`{b}`" for b in bases)
        problems.append(
            Problem(
                ProblemKind.UNRESOLVED,
                f"no model in these files is on the target metadata {names}; every model is included",
                Location(first_file or "."),
            )
        )
        return drafts
    for draft in drafts:
        if draft in kept:
            continue
        if draft.uncertain_base is not None:
            why = f"its base `{draft.uncertain_base}` cannot be read"
        elif not draft.mids:
            why = "its MetaData cannot be resolved"
        else:
            continue  # on another, readable base or MetaData: not this layer
        problems.append(
            Problem(
                ProblemKind.UNRESOLVED,
                f"cannot tell whether table `{draft.name}` is on the target metadata ({why}); it is left out",
                draft.location,
                draft.name,
            )
        )
    return kept


def without_reflections(drafts: list[Draft], on_target: bool) -> list[Draft]:
    """A module-level ``Table("x", meta, autoload_with=engine)`` reads table x from
    a database; it defines nothing. It is never a second definition of a table a
    model defines (SQLAlchemy would return that table, or refuse), and alone it
    stays (partial, not compared) only where it is known to be on the target
    metadata: then Alembic's target has the table. Anywhere else (a one-off script
    on its own MetaData, or any file when the target is unknown) it is left out."""
    defined = {d.name.lower() for d in drafts if not d.reflected}
    return [d for d in drafts if not d.reflected or (on_target and d.name.lower() not in defined)]


def fill_foreign_key_types(tables: list[Table], problems: list[Problem]) -> list[Table]:
    """Give ``Column(ForeignKey("t.c"))`` the type of ``t.c``, as SQLAlchemy does."""
    by_key: dict[str, Table] = {}
    for table in tables:
        by_key.setdefault(table.key, table)
    for _ in range(_FK_ROUNDS):
        changed = False
        for position, table in enumerate(tables):
            columns = [_typed(c, by_key) for c in table.columns]
            if any(new is not old for new, old in zip(columns, table.columns)):
                updated = replace(table, columns=tuple(columns))
                if by_key[table.key] is table:
                    by_key[table.key] = updated
                tables[position] = updated
                changed = True
        if not changed:
            break
    return [_unresolved_fk_types(t, problems) for t in tables]


def _typed(column, by_key: dict[str, Table]):  # noqa: ANN001, ANN202 - schema.Column
    if column.type is not FK_PENDING or column.foreign_key is None:
        return column
    fk = column.foreign_key
    if fk.table is UNKNOWN or fk.column is UNKNOWN:
        return column
    target = by_key.get(fk.table) or by_key.get(fk.table.rpartition(".")[2])
    referenced = target.column(fk.column) if target is not None else None
    if referenced is None or referenced.type is FK_PENDING:
        return column
    return replace(column, type=referenced.type)


def _unresolved_fk_types(table: Table, problems: list[Problem]) -> Table:
    columns = []
    for column in table.columns:
        if column.type is FK_PENDING:
            fk = column.foreign_key
            target = f"{fk.table}.{fk.column}" if fk is not None else "?"
            if fk is not None and fk.table is not UNKNOWN:  # an unknown target is reported already
                problems.append(
                    Problem(
                        ProblemKind.UNRESOLVED,
                        f"cannot infer the type of `{column.name}` from its foreign key: `{target}` not found",
                        column.location,
                        table.name,
                        column.name,
                    )
                )
            column = replace(column, type=ColumnType(Family.UNKNOWN, fk.spelled if fk is not None else ""))
        columns.append(column)
    return replace(table, columns=tuple(columns))
