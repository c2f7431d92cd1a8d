"""The migration check on real histories (issue #11), on the default SQLite scratch database:
raw SQL written for PostgreSQL, length changes, revisions that read Alembic's
context, and downgrades that do not reverse their upgrade."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from test_migrations_helpers import DATA, col, schema, service_for, table

from drift_guard.migrations import DiffKind, check_migrations
from drift_guard.migrations.raw_sql import only_data_or_privileges, server_object, split_statements, translate

NICKNAME = col("nickname", "String", 50)


def models(root: Path, *, users_extra=(), users_change=None):
    mp = root / "app" / "db" / "models.py"
    users = {
        c.name: c
        for c in (
            col("id", "Integer", pk=True),
            col("email", "String", 255, nullable=False, unique=True),
            col("name", "String", 100),
            col("created_at", "DateTime"),
            *users_extra,
        )
    }
    users.update(users_change or {})
    return schema(
        table(mp, "users", *users.values()),
        table(
            mp,
            "posts",
            col("id", "Integer", pk=True),
            col("user_id", "Integer", nullable=False, index=True, fk=("users", "id", "CASCADE")),
            col("title", "String", 200, nullable=False),
            col("body", "Text"),
        ),
    )


def copy(case: str, tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    shutil.copytree(DATA / case, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def revision(root: Path, name: str, rev: str, down: str, upgrade: str, downgrade: str = "pass") -> Path:
    path = root / "alembic" / "versions" / f"{name}.py"
    path.write_text(
        "import sqlalchemy as sa\nfrom alembic import context, op\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n{textwrap.indent(textwrap.dedent(upgrade).strip(), '    ')}\n\n\n"
        f"def downgrade():\n{textwrap.indent(textwrap.dedent(downgrade).strip(), '    ')}\n"
    )
    return path


# -- 1. raw SQL does not blind the check --------------------------------------------------------------------------


def test_raw_sql_of_every_kind_still_reports_a_later_missing_migration(tmp_path):
    """INSERT ... NOW(), a DO block, GRANT, SELECT setval, COMMENT, SET: skipped (one record for the revision);
    PostgreSQL DDL SQLite cannot run as written is translated; DDL nothing can run is one DG205 and the replay
    goes on, so the column a later revision adds and the models lack is still a DG201."""
    root = copy("dg208_raw_sql", tmp_path)
    revision(
        root,
        "0005_more_raw_sql",
        "0005",
        "0004",
        """
        op.execute("SET lock_timeout = '5s'; COMMENT ON COLUMN users.email IS 'login'")
        op.execute("CREATE TABLE audit (id SERIAL PRIMARY KEY, at TIMESTAMPTZ DEFAULT NOW())")
        op.execute("ALTER TABLE users ALTER COLUMN name SET NOT NULL")
        """,
    )
    revision(root, "0006_users_bio", "0006", "0005", 'op.add_column("users", sa.Column("bio", sa.Text()))')
    report = check_migrations(service_for(root), models(root, users_extra=(NICKNAME,)))
    assert report.failures == () and report.replayed == 6
    assert [(d.kind, d.table, d.column) for d in report.diffs] == [
        (DiffKind.REMOVE_TABLE, "audit", None),  # the translated CREATE TABLE ran
        (DiffKind.REMOVE_COLUMN, "users", "bio"),  # made after all the raw SQL
    ]
    bio = next(d for d in report.diffs if d.column == "bio")
    assert bio.location.path.endswith("0006_users_bio.py")
    (failed,) = report.statement_failures
    assert failed.revision == "0005" and failed.location.path.endswith("0005_more_raw_sql.py")
    assert failed.location.line == 13 and "ALTER TABLE users ALTER COLUMN name SET NOT NULL" in failed.error
    first, second = report.skipped_sql
    assert (first.revision, first.location.line) == ("0004", 20)
    assert [s.split(" ", 1)[0] for s in first.statements] == ["INSERT", "DO", "GRANT", "SELECT"]
    assert (second.revision, second.statements) == (
        "0005",
        ("SET lock_timeout = '5s'", "COMMENT ON COLUMN users.email IS 'login'"),
    )


def test_raw_sql_sqlite_runs_is_run_not_reported(tmp_path):
    root = copy("clean", tmp_path)
    revision(root, "0004_backfill", "0004", "0003", "op.execute(\"UPDATE users SET name = 'x' WHERE name IS NULL\")")
    report = check_migrations(service_for(root), models(root))
    assert (report.diffs, report.failures, report.skipped_sql, report.statement_failures) == ((), (), (), ())


def test_a_data_statement_that_fails_leaves_nothing_behind(tmp_path):
    """Each statement runs in a savepoint: the first half of a failed multi-row change is undone."""
    root = copy("clean", tmp_path)
    revision(
        root,
        "0004_data",
        "0004",
        "0003",
        """
        op.execute("INSERT INTO users (email) VALUES ('a@x'); INSERT INTO users (email) VALUES (NOW())")
        op.add_column("users", sa.Column("nickname", sa.String(50)))
        """,
    )
    report = check_migrations(service_for(root), models(root, users_extra=(NICKNAME,)))
    assert (report.diffs, report.failures) == ((), ())
    (skipped,) = report.skipped_sql
    assert skipped.statements == ("INSERT INTO users (email) VALUES (NOW())",)


def test_statements_are_split_outside_quotes_comments_and_dollar_bodies():
    sql = """
        DO $body$ BEGIN PERFORM 1; END $body$;
        INSERT INTO t VALUES ('a;b', "c;d"); -- trailing; comment
        /* block; comment */ GRANT SELECT ON t TO r;
        DO $$ BEGIN NULL; END $$
    """
    assert split_statements(sql) == [
        "DO $body$ BEGIN PERFORM 1; END $body$",
        "INSERT INTO t VALUES ('a;b', \"c;d\")",
        "-- trailing; comment\n        /* block; comment */ GRANT SELECT ON t TO r",
        "DO $$ BEGIN NULL; END $$",
    ]


@pytest.mark.parametrize(
    ("statement", "data", "server"),
    [
        ("INSERT INTO t VALUES (NOW())", True, False),
        ("  -- why\n  UPDATE t SET x = 1", True, False),
        ("SELECT setval('t_id_seq', 1)", True, False),
        ("GRANT SELECT ON t TO r", True, False),
        ("DO $$ BEGIN END $$", True, False),
        ("CREATE EXTENSION IF NOT EXISTS pgcrypto", False, True),
        ("CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql", False, True),
        ("ALTER TABLE t ADD COLUMN x int", False, False),
        ("CREATE TABLE typed (id int)", False, False),  # a table named like a server object is still DDL
    ],
)
def test_statement_kinds(statement, data, server):
    assert (only_data_or_privileges(statement), server_object(statement)) == (data, server)


def test_translate_to_sqlite():
    (translated,) = translate("CREATE TABLE a (at TIMESTAMPTZ DEFAULT NOW())", "postgres") or [None]
    assert "CURRENT_TIMESTAMP" in translated
    assert translate("ALTER TABLE a ALTER COLUMN b SET NOT NULL", "postgres") is None  # nothing SQLite can say


# -- 2. lengths, precision and scale on SQLite ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"email": col("email", "String", 64, nullable=False, unique=True)},
            "column `users.email` is `String(64)` in the model but `VARCHAR(255)` after the migrations",
        ),
        (
            {"name": col("name", "Text")},
            "column `users.name` is `Text` in the model but `VARCHAR(100)` after the migrations",
        ),
        ({"name": col("name", "String")}, None),  # no length in the model: nothing stated to compare
        ({"name": col("name", "Unicode", 100)}, None),  # same length, same family
    ],
)
def test_length_changes_on_sqlite(change, expected):
    root = DATA / "clean"
    report = check_migrations(service_for(root), models(root, users_change=change))
    assert [d.description for d in report.diffs] == ([expected] if expected else [])


def test_string_32_to_64_without_a_revision_is_a_dg201(tmp_path):
    root = copy("clean", tmp_path)
    revision(root, "0004_code", "0004", "0003", 'op.add_column("users", sa.Column("code", sa.String(32)))')
    quiet = check_migrations(service_for(root), models(root, users_extra=(col("code", "String", 32),)))
    assert quiet.diffs == ()
    (diff,) = check_migrations(service_for(root), models(root, users_extra=(col("code", "String", 64),))).diffs
    assert diff.kind is DiffKind.MODIFY_TYPE
    assert diff.description == "column `users.code` is `String(64)` in the model but `VARCHAR(32)` after the migrations"


def test_numeric_precision_and_scale_on_sqlite(tmp_path):
    root = copy("clean", tmp_path)
    revision(root, "0004_price", "0004", "0003", 'op.add_column("users", sa.Column("price", sa.Numeric(10, 2)))')
    same = models(root, users_extra=(col("price", "Numeric", 10, 2),))
    assert check_migrations(service_for(root), same).diffs == ()
    (diff,) = check_migrations(service_for(root), models(root, users_extra=(col("price", "Numeric", 12, 2),))).diffs
    assert diff.kind is DiffKind.MODIFY_TYPE and "NUMERIC(10, 2)" in diff.description


# -- 3. revisions as Alembic runs them --------------------------------------------------------------------------------


def test_revisions_see_the_config_the_script_directory_and_x_arguments(tmp_path):
    root = copy("clean", tmp_path)
    revision(
        root,
        "0004_reads_context",
        "0004",
        "0003",
        """
        url = op.get_context().config.get_main_option("sqlalchemy.url")
        assert url.startswith("sqlite"), url  # the scratch database, never the application's
        assert context.config.config_file_name.endswith("alembic.ini")
        assert context.config.get_main_option("script_location")
        assert context.get_x_argument(as_dictionary=True) == {}
        assert context.script.get_current_head() == "0004"
        assert op.get_bind() is op.get_context().connection
        op.add_column("users", sa.Column("nickname", sa.String(50)))
        """,
        'op.drop_column("users", "nickname")',
    )
    report = check_migrations(service_for(root), models(root, users_extra=(NICKNAME,)))
    assert (report.failures, report.diffs, report.replayed) == ((), (), 4)


# -- 4. downgrades that really reverse (DG207) ------------------------------------------------------------------------


def test_a_downgrade_that_forgets_a_column_is_reported():
    root = DATA / "dg207_partial_downgrade"
    report = check_migrations(service_for(root), models(root, users_extra=(col("nickname", "String", 50, index=True),)))
    (problem,) = report.downgrade_problems
    assert problem.revision == "0004" and problem.differences == ("column `users.nickname` is still there",)
    assert problem.location.path.endswith("0004_users_nickname.py")
    line = (
        (root / "alembic" / "versions" / "0004_users_nickname.py").read_text().splitlines()[problem.location.line - 1]
    )
    assert line.startswith("def downgrade")
    assert report.diffs == ()  # the check undid the downgrade: the head is what the upgrades made


@pytest.mark.parametrize("case", ["clean", "long_history", "dg201_migration_column"])
def test_correct_downgrades_are_quiet(case):
    root = DATA / case
    assert check_migrations(service_for(root), schema()).downgrade_problems == ()


@pytest.mark.parametrize(
    ("downgrade", "expected"),
    [
        ('raise NotImplementedError("irreversible: data migration")', ()),
        (
            'op.drop_index("ix_users_nickname", table_name="users")\nop.drop_column("users", "nope")',
            ("downgrade() fails: KeyError: 'nope'",),
        ),
        (
            'op.drop_index("ix_users_nickname", table_name="users")\nop.drop_column("users", "nickname")',
            (),
        ),
        (
            'op.drop_index("ix_users_nickname", table_name="users")\nop.drop_column("users", "nickname")\n'
            'op.add_column("users", sa.Column("nick", sa.Integer()))',
            ("column `users.nick` is still there",),
        ),
        (
            'op.drop_index("ix_users_nickname", table_name="users")\nop.drop_column("users", "nickname")\n'
            'op.alter_column("users", "name", type_=sa.String(50))',
            ("column `users.name` is `VARCHAR(50)`, was `VARCHAR(100)`",),
        ),
    ],
    ids=["irreversible", "failing", "correct", "wrong-column", "changed-type"],
)
def test_downgrade_outcomes(tmp_path, downgrade, expected):
    root = copy("clean", tmp_path)
    revision(
        root,
        "0004_nickname",
        "0004",
        "0003",
        'op.add_column("users", sa.Column("nickname", sa.String(50)))\n'
        'op.create_index("ix_users_nickname", "users", ["nickname"])',
        downgrade,
    )
    report = check_migrations(service_for(root), schema())
    assert tuple(d for p in report.downgrade_problems for d in p.differences) == expected


@pytest.mark.parametrize(
    "downgrade",
    [
        'with op.get_context().autocommit_block():\n    op.drop_column("users", "nickname")',
        'op.execute("COMMIT")\nop.drop_column("users", "nickname")',
        'op.drop_column("users", "nickname")\nop.get_bind().commit()',
    ],
    ids=["autocommit-block", "commit-statement", "commits-the-connection"],
)
def test_a_downgrade_that_commits_leaves_the_replay_intact(tmp_path, downgrade):
    """Whatever the downgrade's own transaction handling, the replay goes on from the state its upgrade() made."""
    root = copy("clean", tmp_path)
    revision(root, "0004_n", "0004", "0003", 'op.add_column("users", sa.Column("nickname", sa.String(50)))', downgrade)
    revision(
        root,
        "0005_b",
        "0005",
        "0004",
        'op.add_column("users", sa.Column("bio", sa.Text()))',
        'op.drop_column("users", "bio")',
    )
    report = check_migrations(service_for(root), models(root, users_extra=(NICKNAME, col("bio", "Text"))))
    assert (report.failures, report.diffs, report.downgrade_problems, report.skipped_sql) == ((), (), (), ())


# -- 5. --alembic-env only ever touches the scratch database ----------------------------------------------------------


def _application_database(root: Path) -> Path:
    """The application's own SQLite database, named in alembic.ini, with a table and a row."""
    import sqlite3

    db = root / "app.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY, note TEXT)")
        connection.execute("INSERT INTO kept (note) VALUES ('production data')")
    connection.close()
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("[alembic]\n", "[alembic]\nsqlalchemy.url = sqlite:///%(here)s/app.db\n", 1))
    return db


ENV_IGNORING_THE_URL = (
    "connectable = engine_from_config(",
    "url = config.get_main_option('sqlalchemy.url')  # read, then ignored\n"
    "    from pathlib import Path\n"
    "    from sqlalchemy import create_engine\n"
    "    connectable = create_engine('sqlite:///' + str(Path(__file__).parents[1] / 'app.db')); _unused = dict(",
)


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        (("alembic", "env.py"), *ENV_IGNORING_THE_URL),
        (
            ("app", "db", "models.py"),
            "class Base(DeclarativeBase):",
            "from pathlib import Path\n\nsa.create_engine('sqlite:///' + str(Path(__file__).parents[2] / 'app.db'))"
            ".connect().exec_driver_sql('DELETE FROM kept')\n\n\nclass Base(DeclarativeBase):",
        ),
    ],
    ids=["env-py-ignores-the-url", "application-connects-at-import"],
)
def test_alembic_env_refuses_a_connection_to_any_other_database(tmp_path, monkeypatch, capsys, path, old, new):
    """Refused with exit status 2 before the other database is opened: the application's SQLite file stays
    byte-for-byte what it was."""
    from drift_guard.cli import main
    from drift_guard.errors import ConfigError

    root = copy("clean", tmp_path)
    db = _application_database(root)
    before = db.read_bytes()
    target = root.joinpath(*path)
    assert old in target.read_text()
    target.write_text(target.read_text().replace(old, new))
    with pytest.raises(
        ConfigError, match=r"--alembic-env refused: env.py \(or code it imports\) connected to `sqlite "
    ):
        check_migrations(service_for(root), models(root), alembic_env=True)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(root)
    assert main(["check", "--alembic-env", "--no-cache", "--format", "text"]) == 2
    assert "--alembic-env refused" in capsys.readouterr().err
    assert db.read_bytes() == before


def test_alembic_env_runs_on_the_scratch_database_only(tmp_path):
    root = copy("clean", tmp_path)
    db = _application_database(root)
    before = db.read_bytes()
    report = check_migrations(service_for(root), models(root), alembic_env=True)
    assert (report.failures, report.diffs) == ((), ())
    assert db.read_bytes() == before


# -- 5b. revisions importing an application whose dependencies are missing -------------------------------------------


def test_a_missing_third_party_package_is_stood_in_for_and_the_check_goes_on(tmp_path):
    """sqlalchemy_utils is not installed here: the revision (and the application module it imports) load with a
    stand-in, its columns are created untyped, and a later missing migration is still a DG201."""
    import sys

    root = copy("dg209_missing_package", tmp_path)
    bio = 'op.add_column("users", sa.Column("bio", sa.Text()))'
    revision(root, "0005_users_bio", "0005", "0004", bio, 'op.drop_column("users", "bio")')
    extra = (NICKNAME, col("uid", "String", 32), col("tags", "Text"))
    report = check_migrations(service_for(root), models(root, users_extra=extra))
    assert report.failures == () and report.replayed == 5
    assert [(d.kind, d.column) for d in report.diffs] == [(DiffKind.REMOVE_COLUMN, "bio")]
    (stubbed,) = report.stubbed_imports
    assert (stubbed.module, stubbed.revision) == ("sqlalchemy_utils", "0004")
    assert stubbed.location.path.endswith("0004_users_nickname.py") and stubbed.location.line == 10
    assert "sqlalchemy_utils" not in sys.modules and not any(m.startswith("sqlalchemy_utils.") for m in sys.modules)
    assert report.downgrade_problems == ()  # batch mode copies the untyped columns untyped


def test_a_missing_module_of_the_service_itself_is_still_a_dg205(tmp_path):
    root = copy("dg209_missing_package", tmp_path)
    path = root / "alembic" / "versions" / "0004_users_nickname.py"
    path.write_text(path.read_text().replace("from app.db.types import", "from app.db.nope import"))
    report = check_migrations(service_for(root), models(root, users_extra=(NICKNAME,)))
    (failure,) = report.failures
    assert failure.failed_import == "app.db.nope"
    assert [s.module for s in report.stubbed_imports] == ["sqlalchemy_utils"]


def test_the_stand_in_is_usable_as_module_class_type_and_decorator():
    import sqlalchemy as sa

    from drift_guard.migrations.stubs import StandInModule

    module = StandInModule("missing_pkg")
    uuid_type = module.types.uuid.UUIDType(binary=False)
    assert isinstance(uuid_type, sa.types.TypeEngine)

    class Sub(module.Base):  # subclassed by the application
        pass

    assert Sub(1, key="x") is not None
    assert module.listens_for("x")(len) is len
    assert sa.Column("c", uuid_type).type is uuid_type


# -- the downgrade check and the raw-SQL notes come with the cached replay --------------------------------------------


def test_a_models_only_change_reuses_the_replay_with_its_downgrade_and_raw_sql_findings(tmp_path, monkeypatch, capsys):
    import json

    from drift_guard import session as session_module
    from drift_guard.cli import main

    root = copy("dg207_partial_downgrade", tmp_path)
    (root / ".git").mkdir()
    path = root / "alembic" / "versions" / "0004_users_nickname.py"
    path.write_text(
        path.read_text().replace(
            "    op.create_index(", '    op.execute("GRANT SELECT ON users TO r")\n    op.create_index('
        )
    )
    monkeypatch.chdir(root)
    monkeypatch.delenv("DRIFT_GUARD_NO_CACHE", raising=False)
    ran: list[str] = []
    original = session_module.Session.cached

    def spy(self, namespace, key_parts, compute, keep=None, **options):
        def counted():
            ran.append(namespace)
            return compute()

        return original(self, namespace, key_parts, counted, keep, **options)

    monkeypatch.setattr(session_module.Session, "cached", spy)

    def codes() -> list[str]:
        capsys.readouterr()
        main(["check", "--format", "json", "--cache-dir", str(tmp_path / "cache"), "--select", "DG2"])
        return sorted(f["code"] for f in json.loads(capsys.readouterr().out)["findings"])

    assert codes() == ["DG207", "DG208"] and "replay" in ran
    ran.clear()
    models_py = root / "app" / "db" / "models.py"
    models_py.write_text(models_py.read_text().replace("sa.String(100)", "sa.String(120)"))
    assert codes() == ["DG201", "DG207", "DG208"]
    assert "replay" not in ran  # the revisions did not change: nothing was replayed, downgrades included


def test_a_downgrade_with_raw_ddl_sqlite_cannot_run_is_not_judged_on_its_schema(tmp_path):
    """PostgreSQL's ALTER COLUMN ... DROP NOT NULL does not run on SQLite: the column staying NOT NULL is
    SQLite's doing, not the downgrade's."""
    root = copy("clean", tmp_path)
    revision(
        root,
        "0004_name_required",
        "0004",
        "0003",
        'op.alter_column("users", "name", existing_type=sa.String(100), nullable=False)',
        'op.execute("ALTER TABLE users ALTER COLUMN name DROP NOT NULL")',
    )
    report = check_migrations(service_for(root), schema())
    assert (report.downgrade_problems, report.statement_failures) == ((), ())
