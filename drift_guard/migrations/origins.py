"""Where each table, column, index and constraint was created in the history.

DG201 locates "only in the migrations" diffs at the revision line that created
the thing. Reading ``op.*`` calls with libcst cannot follow ops that live in
helper functions with computed table names, so the replay records every
operation Alembic is asked to invoke together with the innermost frame in the
revision file being applied: the same location a traceback would show, exact
for helpers and loops too. Nothing is executed for this beyond the replay
itself.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Callable

from drift_guard.schema import Location

OriginKey = tuple  # ("table", t) | ("column", t, c) | ("index", name) | ("unique", t, cols) | ("fk", t, cols)


@dataclass
class OriginRecorder:
    """Collects creation sites while one revision file after another is applied."""

    origins: dict[OriginKey, Location] = field(default_factory=dict)
    changes: dict[OriginKey, Location] = field(default_factory=dict)  # last alter_column per column
    # (table, column) -> (dialect, SQL) of a dialect-specific type a revision declared
    # (``mysql.MEDIUMTEXT()``): the scratch database of another dialect keeps only its affinity
    types: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    current_file: str | None = None  # absolute path of the revision being applied
    current_display: str = ""

    def wrap_invoke(self, invoke: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def recording_invoke(operation: Any) -> Any:
            location = self.caller_location()
            if location is not None:
                self.record(operation, location)
            return invoke(operation)

        return recording_invoke

    def caller_location(self) -> Location | None:
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.current_file:
                return Location(self.current_display, frame.f_lineno)
            frame = frame.f_back
        return None

    def failure_location(self, tb: TracebackType | None) -> Location | None:
        """The innermost traceback frame inside the current revision file."""
        found = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.current_file:
                found = Location(self.current_display, tb.tb_lineno)
            tb = tb.tb_next
        return found

    def record(self, operation: Any, location: Location) -> None:
        from alembic.operations import ops

        if isinstance(operation, ops.CreateTableOp):
            self.origins[("table", operation.table_name.lower())] = location
            for item in operation.columns:
                self._record_item(operation.table_name, item, location)
        elif isinstance(operation, ops.AddColumnOp):
            self._record_item(operation.table_name, operation.column, location)
        elif isinstance(operation, ops.AlterColumnOp):
            table = operation.table_name.lower()
            name = (operation.modify_name or operation.column_name).lower()
            if operation.modify_name:
                self.origins[("column", table, name)] = location
                declared = self.types.pop((table, operation.column_name.lower()), None)
                if declared is not None:
                    self.types[(table, name)] = declared
            self.changes[("column", table, name)] = location
            if operation.modify_type is not None:
                self._record_type(table, name, operation.modify_type)
        elif isinstance(operation, ops.RenameTableOp):
            self.origins[("table", operation.new_table_name.lower())] = location
        elif isinstance(operation, ops.CreateIndexOp):
            self.origins[("index", str(operation.index_name).lower())] = location
        elif isinstance(operation, ops.CreateUniqueConstraintOp):
            self._record_constraint("unique", operation.table_name, operation.columns, location)
        elif isinstance(operation, ops.CreateForeignKeyOp):
            self._record_constraint("fk", operation.source_table, operation.local_cols, location)

    def _record_item(self, table: str, item: Any, location: Location) -> None:
        import sqlalchemy as sa

        if isinstance(item, sa.Column):
            self.origins[("column", table.lower(), item.name.lower())] = location
            self._record_type(table.lower(), item.name.lower(), item.type)
            if item.unique:
                self._record_constraint("unique", table, [item.name], location)
            if item.foreign_keys:
                self._record_constraint("fk", table, [item.name], location)
        elif isinstance(item, sa.UniqueConstraint):
            self._record_constraint("unique", table, _column_names(item), location)
        elif isinstance(item, sa.ForeignKeyConstraint):
            self._record_constraint("fk", table, _column_names(item), location)

    def _record_type(self, table: str, column: str, type_: Any) -> None:
        dialect = _dialect_of(type_)
        self.types.pop((table, column), None)
        if dialect is not None:
            from sqlalchemy.exc import CompileError

            try:
                self.types[(table, column)] = (dialect, type_.compile())  # in its own dialect
            except CompileError:
                pass

    def declared_type(self, table: str, column: str, dialect: str) -> str | None:
        """The SQL of the type a revision declared for the column, when it belongs to
        another dialect than the database the history was replayed on (there it
        became something else: MEDIUMTEXT is a TEXT on SQLite)."""
        found = self.types.get((table.lower(), column.lower()))
        return found[1] if found is not None and found[0] != dialect else None

    def _record_constraint(self, kind: str, table: str, columns: Any, location: Location) -> None:
        names = tuple(sorted(str(c).lower() for c in columns))
        self.origins[(kind, table.lower(), names)] = location

    def column(self, table: str, column: str) -> Location | None:
        return self.origins.get(("column", table.lower(), column.lower()))

    def table(self, table: str) -> Location | None:
        return self.origins.get(("table", table.lower()))


def _dialect_of(type_: Any) -> str | None:
    """``mysql`` for ``sqlalchemy.dialects.mysql.MEDIUMTEXT``; None for generic types."""
    parts = type(type_).__module__.split(".")
    return parts[2] if parts[:2] == ["sqlalchemy", "dialects"] and len(parts) > 2 else None


def _column_names(constraint: Any) -> list[str]:
    """Column names of a constraint that may not be bound to a table yet."""
    import sqlalchemy as sa

    if isinstance(constraint, sa.ForeignKeyConstraint):
        return list(constraint.column_keys)
    pending = getattr(constraint, "_pending_colargs", None) or list(constraint.columns)
    return [getattr(c, "name", c) for c in pending]


def revision_file_key(path: Path) -> str:
    """How a revision file appears as ``co_filename`` (Alembic loads resolved paths)."""
    return str(path.resolve())
