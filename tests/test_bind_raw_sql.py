"""Raw SQL given to the connection itself (``op.get_bind().execute``, ``exec_driver_sql``)
takes the same path as ``op.execute`` on the scratch SQLite database (issue #11): a
PostgreSQL-only statement is skipped or translated (DG208) instead of stopping the
replay, so a missing migration made later is still reported."""

from __future__ import annotations

from test_migrations_helpers import service_for
from test_migrations_real_histories import NICKNAME, copy, models, revision

from drift_guard.migrations import DiffKind, check_migrations


def test_bind_execute_of_postgres_sql_still_reports_a_later_missing_migration(tmp_path):
    root = copy("clean", tmp_path)
    revision(
        root,
        "0004_backfill",
        "0004",
        "0003",
        """
        bind = op.get_bind()
        bind.execute(sa.text("INSERT INTO users (email, created_at) VALUES ('a@x', NOW())"))
        op.get_bind().exec_driver_sql("GRANT SELECT ON users TO reporting")
        """,
    )
    revision(root, "0005_users_bio", "0005", "0004", 'op.add_column("users", sa.Column("bio", sa.Text()))')
    report = check_migrations(service_for(root), models(root))
    assert (report.failures, report.statement_failures) == ((), ())
    assert report.replayed == 5
    assert [(d.kind, d.table, d.column) for d in report.diffs] == [(DiffKind.REMOVE_COLUMN, "users", "bio")]
    (skipped,) = report.skipped_sql
    assert skipped.revision == "0004" and skipped.location.path.endswith("0004_backfill.py")
    assert skipped.location.line == 12  # the bind.execute line
    assert [s.split(" ", 1)[0] for s in skipped.statements] == ["INSERT", "GRANT"]


def test_bind_execute_that_runs_returns_its_rows_and_is_not_reported(tmp_path):
    """A data migration reading rows through the bind still gets them (with bound values)."""
    root = copy("clean", tmp_path)
    revision(
        root,
        "0004_data",
        "0004",
        "0003",
        """
        bind = op.get_bind()
        bind.execute(sa.text("INSERT INTO users (email) VALUES (:e)"), {"e": "a@x"})
        rows = bind.execute(sa.text("SELECT email FROM users")).fetchall()
        if [tuple(r) for r in rows] != [("a@x",)]:
            raise RuntimeError(f"rows: {rows}")
        op.add_column("users", sa.Column("nickname", sa.String(50)))
        """,
    )
    report = check_migrations(service_for(root), models(root, users_extra=(NICKNAME,)))
    assert (report.diffs, report.failures, report.skipped_sql, report.statement_failures) == ((), (), (), ())


def test_bind_ddl_is_translated_and_unrunnable_ddl_is_one_failure(tmp_path):
    root = copy("clean", tmp_path)
    revision(
        root,
        "0004_ddl",
        "0004",
        "0003",
        """
        op.get_bind().execute(sa.text("ALTER TABLE users ADD COLUMN nickname VARCHAR(50)"))
        op.get_bind().exec_driver_sql("ALTER TABLE users ALTER COLUMN name SET NOT NULL")
        """,
    )
    revision(root, "0005_users_bio", "0005", "0004", 'op.add_column("users", sa.Column("bio", sa.Text()))')
    report = check_migrations(service_for(root), models(root, users_extra=(NICKNAME,)))
    assert report.failures == () and report.replayed == 5
    assert [(d.kind, d.column) for d in report.diffs] == [(DiffKind.REMOVE_COLUMN, "bio")]
    (failed,) = report.statement_failures
    assert failed.revision == "0004" and failed.location.line == 12
    assert "ALTER TABLE users ALTER COLUMN name SET NOT NULL" in failed.error
