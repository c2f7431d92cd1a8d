"""DG208: raw SQL the SQLite replay did not run.

The default migration check replays the history on SQLite. Raw SQL written for
the production database (``op.execute("INSERT ... NOW()")``, ``DO $$ ... $$``,
``GRANT``) is skipped there when it only moves data or privileges, so that one
PostgreSQL-only statement does not stop the replay and hide every later drift.
A skipped statement is still something the check did not see: this rule names
them, one info finding per revision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, rule

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext


@rule("DG208", "raw-sql-skipped", Severity.INFO, group=Group.MIGRATIONS, needs=("models", "migrations"))
def raw_sql_skipped(ctx: ServiceContext) -> Iterator[Finding]:
    """Raw SQL in a revision was skipped on the scratch SQLite database.

    ## What it does
    Runs each statement of an `op.execute(...)` on the scratch SQLite database in
    its own savepoint. Statements SQLite cannot run that only move data or
    privileges (`INSERT`/`UPDATE`/`DELETE`, `GRANT`/`REVOKE`, `COMMENT ON`, `SET`,
    `SELECT setval(...)`, `DO` blocks), and statements creating server objects
    SQLite lacks (extensions, types, functions, roles), are skipped; this rule
    names them, one finding per revision. DDL that SQLite cannot run is
    translated (sqlglot), and is a DG205 when that fails too.

    ## Why is this bad?
    It is not a defect: the statements have no bearing on the tables and columns
    DG201 compares. But the check did not run them, so an error in them (a typo
    in a `GRANT`, a backfill that fails on production data) is not caught here.

    ## Example
    ```python
    def upgrade():
        op.execute("INSERT INTO settings (name, updated_at) VALUES ('theme', NOW())")
    ```

    ## Use instead
    ```python
    def upgrade():
        settings = sa.table("settings", sa.column("name"), sa.column("updated_at"))
        op.bulk_insert(settings, [{"name": "theme", "updated_at": datetime.now(timezone.utc)}])
    ```

    ## How to fix
    Nothing needs fixing. To check such SQL too, run against a server of the
    production kind (`--database-url postgresql://...`), or write it portably
    (`op.bulk_insert`, SQLAlchemy constructs); `--ignore DG208` hides the notes.
    """
    if not ctx.migrations_enabled or ctx.service.alembic_ini is None:
        return
    for skipped in ctx.migrations.skipped_sql:
        revision = f"revision `{skipped.revision}`" if skipped.revision else "a revision"
        count = len(skipped.statements)
        listed = "; ".join(f"`{s}`" for s in skipped.statements)
        noun = "statement" if count == 1 else "statements"
        yield raw_sql_skipped.finding(
            f"{revision}: {count} raw SQL {noun} SQLite cannot run skipped on the scratch database: {listed}",
            "nothing to fix: they do not change tables or columns; check them with --database-url on a server",
            skipped.location,
        )
