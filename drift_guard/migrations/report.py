"""The typed result of the migration check, computed once per service.

Rules DG201-DG206 only read these records; they never replay or compare
anything themselves. Everything here is a frozen record with locations, never
a preformatted string block, so reporters and tests can use the parts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from drift_guard.extract.alembic import GraphIssue, RevisionHeader
from drift_guard.migrations.raw_sql import SkippedSql
from drift_guard.migrations.reversal import DowngradeProblem
from drift_guard.migrations.stubs import StubbedImport
from drift_guard.schema import Location


class DiffKind(str, enum.Enum):
    """Alembic's diff tags, with the constraint kinds told apart."""

    ADD_TABLE = "add_table"
    REMOVE_TABLE = "remove_table"
    ADD_COLUMN = "add_column"
    REMOVE_COLUMN = "remove_column"
    MODIFY_TYPE = "modify_type"
    MODIFY_NULLABLE = "modify_nullable"
    ADD_INDEX = "add_index"
    REMOVE_INDEX = "remove_index"
    ADD_UNIQUE = "add_unique"
    REMOVE_UNIQUE = "remove_unique"
    ADD_FK = "add_fk"
    REMOVE_FK = "remove_fk"
    MODIFY_FK = "modify_fk"  # the same foreign key, with other options (ON DELETE / ON UPDATE)

    @property
    def model_side(self) -> bool:
        """True when the thing exists in the models (located at the model line)."""
        return not self.value.startswith("remove_")


@dataclass(frozen=True)
class MigrationDiff:
    """One difference between the models and the replayed migrations (DG201)."""

    kind: DiffKind
    table: str
    column: str | None
    description: str  # readable, e.g. "column `users.x` (`String(255)`) is in the model but no migration adds it"
    model_location: Location | None = None
    migration_location: Location | None = None  # the revision line that created the thing
    name: str | None = None  # index / constraint name, when there is one

    @property
    def location(self) -> Location | None:
        if self.kind.model_side:
            return self.model_location or self.migration_location
        return self.migration_location or self.model_location


@dataclass(frozen=True)
class ReplayFailure:
    """A revision that could not be loaded or applied on the scratch database (DG205)."""

    revision: str | None
    location: Location  # the failing op call (or import) inside the revision file
    error: str  # the database's (or Python's) error message, first line
    failed_import: str | None = None  # the module a revision tried to import, if that failed
    interrupted: bool = False  # the replay timed out or its process died: an outcome of this run, not of the files


@dataclass(frozen=True)
class UnreachedTable:
    """A model table whose module env.py's imports never reach (DG206)."""

    table: str
    location: Location


@dataclass(frozen=True)
class MigrationReport:
    graph_issues: tuple[GraphIssue, ...] = ()
    heads: tuple[RevisionHeader, ...] = ()
    diffs: tuple[MigrationDiff, ...] = ()
    failures: tuple[ReplayFailure, ...] = ()
    empty_downgrades: tuple[RevisionHeader, ...] = ()
    unreached_tables: tuple[UnreachedTable, ...] = ()
    database: str = "sqlite"  # dialect name of the scratch database
    replayed: int = 0  # number of revisions applied
    skipped: str | None = None  # why the replay/compare did not run, if it did not
    statement_failures: tuple[ReplayFailure, ...] = ()  # raw-SQL DDL SQLite could not run (DG205); the replay went on
    skipped_sql: tuple[SkippedSql, ...] = ()  # raw SQL the SQLite replay skipped, per revision (DG208)
    downgrade_problems: tuple[DowngradeProblem, ...] = ()  # downgrade() leaving a difference (DG207)
    stubbed_imports: tuple[StubbedImport, ...] = ()  # missing third-party packages stood in for (DG209)
    scratch_fallback: str | None = None  # why the embedded PostgreSQL was not used, SQLite instead (DG210)

    @property
    def interrupted(self) -> bool:
        return any(f.interrupted for f in self.failures)

    @property
    def compared(self) -> bool:
        return self.skipped is None and not self.failures
