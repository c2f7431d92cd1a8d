"""check_migrations on the embedded SQLite scratch database, one fixture project
per scenario (tests/data/migrations/<case>), plus the parts it is built from."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from test_migrations_helpers import DATA, col, long_history_models, pg_style_models, schema, service_for, table

from drift_guard.migrations import DiffKind, check_migrations


def clean_models(root: Path, *, users_extra=(), posts_extra=(), on_delete="CASCADE"):
    mp = root / "app" / "db" / "models.py"
    return schema(
        table(
            mp,
            "users",
            col("id", "Integer", pk=True),
            col("email", "String", 255, nullable=False, unique=True),
            col("name", "String", 100),
            col("created_at", "DateTime"),
            *users_extra,
        ),
        table(
            mp,
            "posts",
            col("id", "Integer", pk=True),
            col("user_id", "Integer", nullable=False, index=True, fk=("users", "id", on_delete)),
            col("title", "String", 200, nullable=False),
            col("body", "Text"),
            *posts_extra,
        ),
    )


NICKNAME = col("nickname", "String", 50)


def run(case: str, models=None, **kw):
    root = DATA / case
    return check_migrations(service_for(root), models or clean_models(root), **kw)


def test_clean_project_is_quiet():
    report = run("clean")
    assert (report.diffs, report.failures, report.graph_issues, report.empty_downgrades) == ((), (), (), ())
    assert report.replayed == 3 and [h.revision for h in report.heads] == ["0003"]


def test_model_column_without_migration():
    root = DATA / "dg201_model_column"
    report = run("dg201_model_column", clean_models(root, users_extra=(col("new_field", "String", 255),)))
    (diff,) = report.diffs
    assert diff.kind is DiffKind.ADD_COLUMN
    assert diff.description == "column `users.new_field` (`String(255)`) is in the model but no migration adds it"
    assert diff.location.path.endswith("app/db/models.py")
    assert "new_field" in Path(diff.location.path).read_text().splitlines()[diff.location.line - 1]


def test_migration_column_missing_in_model_is_located_at_the_migration():
    report = run("dg201_migration_column")
    (diff,) = report.diffs
    assert diff.kind is DiffKind.REMOVE_COLUMN
    assert diff.description == (
        "column `users.legacy_code` (`VARCHAR(20)`) is added by a migration but is not in the model"
    )
    assert diff.location.path.endswith("0004_users_legacy_code.py")
    assert (
        "op.add_column"
        in Path(DATA / "dg201_migration_column/alembic/versions/0004_users_legacy_code.py")
        .read_text()
        .splitlines()[diff.location.line - 1]
    )


def test_two_heads_are_both_replayed():
    root = DATA / "dg202_two_heads"
    models = clean_models(root, users_extra=(NICKNAME,), posts_extra=(col("published", "Boolean"),))
    report = run("dg202_two_heads", models)
    assert [h.revision for h in report.heads] == ["0004a", "0004b"]
    assert report.replayed == 5 and report.diffs == () and report.failures == ()


def test_broken_graph_skips_the_replay():
    root = DATA / "dg203_broken_graph"
    report = run("dg203_broken_graph", clean_models(root, users_extra=(NICKNAME,)))
    (issue,) = report.graph_issues
    assert issue.kind == "missing-down-revision" and "`0003_typo`" in issue.message
    assert report.skipped and report.replayed == 0 and report.diffs == ()


def test_empty_downgrade():
    root = DATA / "dg204_empty_downgrade"
    report = run("dg204_empty_downgrade", clean_models(root, users_extra=(NICKNAME,)))
    assert [h.revision for h in report.empty_downgrades] == ["0004"]
    assert report.diffs == ()


def test_failing_revision_is_located_at_the_op_call():
    root = DATA / "dg205_failing_revision"
    report = run("dg205_failing_revision", clean_models(root, users_extra=(NICKNAME,)))
    (failure,) = report.failures
    assert failure.revision == "0004"
    assert failure.location.path.endswith("0004_users_nickname.py") and failure.location.line == 19
    assert failure.error == "no such table: userz"
    assert report.replayed == 3 and report.diffs == ()


def test_revision_importing_missing_application_code(tmp_path):
    root = tmp_path / "svc"
    shutil.copytree(DATA / "clean", root, ignore=shutil.ignore_patterns("__pycache__"))
    path = root / "alembic" / "versions" / "0004_app_types.py"
    path.write_text(
        "from app.db.custom_types import Money\n\nrevision = '0004'\ndown_revision = '0003'\n\n"
        "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n"
    )
    report = check_migrations(service_for(root), clean_models(root))
    (failure,) = report.failures
    assert failure.failed_import == "app.db.custom_types"
    assert failure.revision == "0004" and failure.location.line == 1
    assert "No module named 'app.db.custom_types'" in failure.error


def test_failure_in_a_helper_function_is_located_at_the_op_line(tmp_path):
    root = tmp_path / "svc"
    shutil.copytree(DATA / "clean", root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "alembic" / "versions" / "0004_helper.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = '0004'\ndown_revision = '0003'\n\n"
        "def upgrade():\n    _add('users')\n    _add('nope')\n\n"
        "def _add(table):\n    op.add_column(table, sa.Column('flag', sa.Boolean()))\n\n"
        "def downgrade():\n    pass\n"
    )
    (failure,) = check_migrations(service_for(root), clean_models(root)).failures
    assert failure.location.line == 12 and failure.error == "no such table: nope"


def test_no_versions_folder_means_every_table_is_missing(tmp_path):
    root = tmp_path / "svc"
    shutil.copytree(DATA / "clean", root, ignore=shutil.ignore_patterns("__pycache__", "versions"))
    report = check_migrations(service_for(root), clean_models(root))
    assert [(d.kind, d.table) for d in report.diffs] == [(DiffKind.ADD_TABLE, "posts"), (DiffKind.ADD_TABLE, "users")]
    assert report.diffs[0].description == "table `posts` is in the models but no migration creates it"


@pytest.mark.parametrize(
    ("users_extra", "change", "expected"),
    [
        (
            (),
            {"name": col("name", "Text")},
            "column `users.name` is `Text` in the model but `VARCHAR(100)` after the migrations",
        ),
        (
            (),
            {"email": col("email", "String", 255, unique=True)},
            "column `users.email` is nullable in the model but NOT NULL after the migrations",
        ),
        (
            (),
            {"title": col("title", "String", 200, nullable=False, index=True)},
            "index `ix_posts_title` on `posts(title)` is in the model but no migration creates it",
        ),
        # SQLite keeps the declared type text (VARCHAR(100) is reflected as such), so a length
        # change is found on the default database too (it used to be compared by family only)
        (
            (),
            {"name": col("name", "String", 120)},
            "column `users.name` is `String(120)` in the model but `VARCHAR(100)` after the migrations",
        ),
        ((), {"created_at": col("created_at", "DateTime", kwargs=(("timezone", True),))}, None),
    ],
)
def test_column_aspects(users_extra, change, expected):
    root = DATA / "clean"
    mp = root / "app" / "db" / "models.py"
    base = {
        c.name: c
        for c in (
            col("id", "Integer", pk=True),
            col("email", "String", 255, nullable=False, unique=True),
            col("name", "String", 100),
            col("created_at", "DateTime"),
        )
    }
    posts = {
        c.name: c
        for c in (
            col("id", "Integer", pk=True),
            col("user_id", "Integer", nullable=False, index=True, fk=("users", "id", "CASCADE")),
            col("title", "String", 200, nullable=False),
            col("body", "Text"),
        )
    }
    for name, new in change.items():
        (base if name in base else posts)[name] = new
    models = schema(table(mp, "users", *base.values()), table(mp, "posts", *posts.values()))
    descriptions = [d.description for d in run("clean", models).diffs]
    assert descriptions == ([expected] if expected else [])


def test_unknown_type_and_unknown_nullability_are_not_compared():
    from drift_guard.schema import UNKNOWN, ColumnType, Family

    root = DATA / "clean"
    models = clean_models(root)
    users = models.tables[0]
    unknown = ColumnType(Family.UNKNOWN, "MyType()", sa_type=None)
    columns = tuple(
        replace(c, type=unknown) if c.name == "name" else replace(c, nullable=UNKNOWN) if c.name == "email" else c
        for c in users.columns
    )
    models = replace(models, tables=(replace(users, columns=columns), models.tables[1]))
    assert run("clean", models).diffs == ()


def test_long_history_with_branches_merge_batch_and_data_migrations():
    report = run("long_history", long_history_models())
    assert report.replayed == 34 and [h.revision for h in report.heads] == ["r34"]
    assert (report.diffs, report.failures, report.graph_issues, report.empty_downgrades) == ((), (), (), ())


def test_long_history_drift_is_located_at_the_helper_op_line():
    models = long_history_models()
    comments = next(t for t in models.tables if t.name == "comments")
    trimmed = replace(comments, columns=tuple(c for c in comments.columns if c.name != "updated_by"))
    models = replace(models, tables=tuple(trimmed if t is comments else t for t in models.tables))
    (diff,) = run("long_history", models).diffs
    assert diff.kind is DiffKind.REMOVE_COLUMN and (diff.table, diff.column) == ("comments", "updated_by")
    assert diff.location.path.endswith("r24_updated_by_everywhere.py")
    assert (
        "op.add_column(table"
        in Path(DATA / "long_history/alembic/versions/r24_updated_by_everywhere.py")
        .read_text()
        .splitlines()[diff.location.line - 1]
    )


def test_postgresql_style_history_replays_on_sqlite():
    report = run("pg_style", pg_style_models())
    assert report.replayed == 3 and report.failures == () and report.diffs == ()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("clean", []),
        (
            "dg201_migration_column",
            ["column `users.legacy_code` (`VARCHAR(20)`) is added by a migration but is not in the model"],
        ),
    ],
)
def test_alembic_env_mode_runs_the_projects_env_py(case, expected):
    report = run(case, alembic_env=True)
    assert report.failures == ()
    assert [d.description for d in report.diffs] == expected


def test_alembic_env_mode_import_failure_is_located_in_env_py(tmp_path):
    root = tmp_path / "svc"
    shutil.copytree(DATA / "clean", root, ignore=shutil.ignore_patterns("__pycache__"))
    env = root / "alembic" / "env.py"
    env.write_text(env.read_text().replace("from app.db.models import Base", "from app.db.missing import Base"))
    (failure,) = check_migrations(service_for(root), clean_models(root), alembic_env=True).failures
    assert failure.failed_import == "app.db.missing" and failure.location.path.endswith("env.py")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('prefix="sqlalchemy.",', 'prefix="sqlalchemy.", url=os.environ["DATABASE_URL"],'),
        ("engine_from_config(", "make_engine("),
    ],
)
def test_alembic_env_mode_refuses_an_env_py_that_could_touch_another_database(tmp_path, old, new):
    from drift_guard.errors import ConfigError

    root = tmp_path / "svc"
    shutil.copytree(DATA / "clean", root, ignore=shutil.ignore_patterns("__pycache__"))
    env = root / "alembic" / "env.py"
    env.write_text(env.read_text().replace(old, new))
    with pytest.raises(ConfigError, match="--alembic-env refused"):
        check_migrations(service_for(root), clean_models(root), alembic_env=True)


def test_alembic_env_mode_does_not_reuse_another_services_application(tmp_path):
    other = tmp_path / "other"
    shutil.copytree(DATA / "clean", other, ignore=shutil.ignore_patterns("__pycache__"))
    models_py = other / "app" / "db" / "models.py"
    anchor = "    created_at: Mapped[Optional[sa.DateTime]] = mapped_column(sa.DateTime)\n"
    models_py.write_text(
        models_py.read_text().replace(
            anchor, anchor + "    nickname: Mapped[Optional[str]] = mapped_column(sa.String(50))\n"
        )
    )
    assert run("clean", alembic_env=True).diffs == ()  # imports clean's `app` first
    report = check_migrations(service_for(other), clean_models(other), alembic_env=True)
    assert [(d.kind, d.column) for d in report.diffs] == [(DiffKind.ADD_COLUMN, "nickname")]


@pytest.mark.parametrize(
    ("statement", "skipped"),
    [
        ('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"', True),
        ("create or replace function f() returns int as $$ select 1 $$ language sql", True),
        ("ALTER TYPE mood ADD VALUE 'meh'", True),
        ("GRANT SELECT ON users TO reader", True),
        # data migrations and table DDL run
        ("UPDATE users SET name = 'x'", False),
        ("CREATE TABLE extra (id INTEGER)", False),
    ],
)
def test_server_only_sql_is_skipped_on_sqlite(tmp_path, statement, skipped):
    root = tmp_path / "svc"
    shutil.copytree(DATA / "clean", root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "alembic" / "versions" / "0004_sql.py").write_text(
        f"from alembic import op\n\nrevision = '0004'\ndown_revision = '0003'\n\n"
        f"def upgrade():\n    op.execute({statement!r})\n\ndef downgrade():\n    pass\n"
    )
    report = check_migrations(service_for(root), clean_models(root))
    assert report.failures == ()
    extra = [d.table for d in report.diffs if d.kind is DiffKind.REMOVE_TABLE]
    assert extra == ([] if skipped or "extra" not in statement else ["extra"])


def test_static_origins_fallback_reads_literal_ops_in_upgrade_order():
    from drift_guard.extract.alembic import build_revision_graph
    from drift_guard.migrations.static_origins import static_origins, upgrade_order

    root = DATA / "long_history"
    graph = build_revision_graph([root / "alembic" / "versions"], root / "alembic")
    order = [h.revision for h in upgrade_order(graph)]
    assert order.index("r07") < order.index("r08") < order.index("r22")
    assert order.index("r21") < order.index("r22") and order[-1] == "r34"
    origins = static_origins(graph).origins

    def where(key):
        loc = origins.get(key)
        return (Path(loc.path).name.split("_")[0], loc.line) if loc else None

    assert where(("table", "accounts")) == ("r01", 19)
    assert where(("column", "accounts", "status")) == ("r03", 19)
    assert where(("column", "comments", "edited")) == ("r21", 20)  # batch_op.add_column
    assert where(("index", "ix_comments_task_id")) == ("r21", 21)  # batch_op.create_index
    assert where(("index", "ix_labels_name")) == ("r29", 20)  # recreated: the last creation wins
    assert where(("unique", "accounts", ("email",))) == ("r25", 19)
    assert where(("fk", "audit_log", ("account_id",))) == ("r30", 20)
    assert where(("column", "comments", "updated_by")) is None  # helper with a variable table: replay only


def test_alembic_env_mode_locates_migration_only_columns_statically():
    (diff,) = run("dg201_migration_column", alembic_env=True).diffs
    assert diff.location.path.endswith("0004_users_legacy_code.py") and diff.location.line == 19


def test_partially_read_model_table_is_not_compared():
    root = DATA / "dg201_migration_column"
    models = clean_models(root)
    users = replace(models.tables[0], partial=True, columns=models.tables[0].columns[:1])
    report = run("dg201_migration_column", replace(models, tables=(users, models.tables[1])))
    assert report.diffs == ()  # neither users.legacy_code nor the unread columns


def _posts_on_delete(root: Path, action: str):
    return clean_models(root, on_delete=action)


def test_a_changed_on_delete_is_one_finding_not_a_remove_and_an_add():
    """One defect, one finding: Alembic gives remove_fk + add_fk for an ON DELETE change."""
    (diff,) = run("clean", _posts_on_delete(DATA / "clean", "SET NULL")).diffs
    assert diff.kind is DiffKind.MODIFY_FK
    assert diff.description == (
        "foreign key `posts(user_id)` -> `users(id)` is ON DELETE SET NULL in the model "
        "but ON DELETE CASCADE after the migrations"
    )
    assert diff.location.path.endswith("app/db/models.py")
    assert diff.migration_location.path.endswith("0002_create_posts.py")


def test_a_foreign_key_to_another_target_stays_a_remove_and_an_add():
    models = _posts_on_delete(DATA / "clean", "CASCADE")
    posts = models.tables[1]
    moved = replace(posts.columns[1], foreign_key=replace(posts.columns[1].foreign_key, table="posts"))
    models = replace(
        models, tables=(models.tables[0], replace(posts, columns=(posts.columns[0], moved, *posts.columns[2:])))
    )
    kinds = sorted(d.kind.value for d in run("clean", models).diffs)
    assert kinds == ["add_fk", "remove_fk"]
