"""Creation sites of tables, columns, indexes and constraints, read with libcst.

The replay records exact creation sites (:mod:`.origins`), including ops in
helper functions with computed names. This static reading is the fallback for
what the replay cannot see: ``--alembic-env`` (Alembic builds the Operations
inside env.py) and ops the recorder missed. Only literal names are read;
``op.add_column(table, ...)`` with a variable table is left to the replay.
Revisions are read in upgrade order, so a table created, dropped and created
again points at its last creation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from drift_guard.migrations.origins import OriginRecorder
from drift_guard.schema import Problem

if TYPE_CHECKING:
    from drift_guard.extract.alembic import RevisionGraph, RevisionHeader
    from drift_guard.parsing import SourceFile


def static_origins(graph: RevisionGraph) -> OriginRecorder:
    from drift_guard.parsing import parse_bytes
    from drift_guard.session import canonical, read_file

    recorder = OriginRecorder()
    for header in upgrade_order(graph):
        source = parse_bytes(read_file(header.path), canonical(header.path))
        if not isinstance(source, Problem):
            source.module.visit(_OpVisitor(source, recorder))
    return recorder


def upgrade_order(graph: RevisionGraph) -> list[RevisionHeader]:
    """Revisions parents-first (Kahn's algorithm, ties by revision id)."""
    by_id = graph.by_id()
    pending = {rev: {d for d in (*h.down_revisions, *h.depends_on) if d in by_id} for rev, h in by_id.items()}
    ordered: list[RevisionHeader] = []
    while pending:
        ready = sorted(rev for rev, downs in pending.items() if not downs)
        if not ready:  # a cycle: DG203 reports it; read the rest in id order
            ready = sorted(pending)
        for rev in ready:
            ordered.append(by_id[rev])
            del pending[rev]
        for downs in pending.values():
            downs.difference_update(ready)
    return ordered


def _string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if (
        isinstance(node, cst.Call)
        and node.args
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "f"
    ):
        return _string(node.args[0].value)  # op.f("ix_name")
    return None


def _strings(node: cst.BaseExpression | None) -> list[str] | None:
    if isinstance(node, (cst.List, cst.Tuple)):
        values = [_string(el.value) for el in node.elements]
        return None if any(v is None for v in values) else values  # type: ignore[return-value]
    return None


class _OpVisitor(cst.CSTVisitor):
    def __init__(self, source: SourceFile, recorder: OriginRecorder) -> None:
        self.source = source
        self.recorder = recorder
        self.batch_tables: dict[str, str] = {}  # `as` name -> table of batch_alter_table

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node.name.value != "downgrade"  # what downgrade() creates is not in the upgraded schema

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            call = item.item
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and call.func.attr.value == "batch_alter_table"
                and call.args
                and item.asname is not None
                and isinstance(item.asname.name, cst.Name)
            ):
                table = _string(call.args[0].value)
                if table is not None:
                    self.batch_tables[item.asname.name.value] = table

    def visit_Call(self, node: cst.Call) -> None:
        if not isinstance(node.func, cst.Attribute) or not isinstance(node.func.value, cst.Name):
            return
        receiver, name = node.func.value.value, node.func.attr.value
        args = [a.value for a in node.args if a.keyword is None]
        if receiver in self.batch_tables:
            # batch ops omit the table: add_column(column), others (name, ...)
            table = cst.SimpleString(repr(self.batch_tables[receiver]))
            args = [table, *args] if name == "add_column" else [*args[:1], table, *args[1:]]
        elif receiver != "op":
            return
        handler = getattr(self, f"_{name}", None)
        if handler is not None:
            handler(node, args)

    def _location(self, node: cst.CSTNode):
        return self.source.location(node)

    def _create_table(self, node: cst.Call, args: list) -> None:
        table = _string(args[0]) if args else None
        if table is None:
            return
        self.recorder.origins[("table", table.lower())] = self._location(node)
        for item in args[1:]:
            self._column(table, item)

    def _add_column(self, node: cst.Call, args: list) -> None:
        table = _string(args[0]) if args else None
        if table is not None and len(args) > 1:
            self._column(table, args[1])

    def _column(self, table: str, item: cst.BaseExpression) -> None:
        if (
            isinstance(item, cst.Call)
            and isinstance(item.func, (cst.Attribute, cst.Name))
            and item.args
            and (item.func.attr.value if isinstance(item.func, cst.Attribute) else item.func.value) == "Column"
        ):
            column = _string(item.args[0].value)
            if column is not None:
                self.recorder.origins[("column", table.lower(), column.lower())] = self._location(item)

    def _create_index(self, node: cst.Call, args: list) -> None:
        name = _string(args[0]) if args else None
        if name is not None:
            self.recorder.origins[("index", name.lower())] = self._location(node)

    def _create_unique_constraint(self, node: cst.Call, args: list) -> None:
        table = _string(args[1]) if len(args) > 2 else None
        columns = _strings(args[2]) if len(args) > 2 else None
        if table is not None and columns:
            self.recorder.origins[("unique", table.lower(), tuple(sorted(c.lower() for c in columns)))] = (
                self._location(node)
            )

    def _create_foreign_key(self, node: cst.Call, args: list) -> None:
        table = _string(args[1]) if len(args) > 3 else None
        columns = _strings(args[3]) if len(args) > 3 else None
        if table is not None and columns:
            self.recorder.origins[("fk", table.lower(), tuple(sorted(c.lower() for c in columns)))] = self._location(
                node
            )
