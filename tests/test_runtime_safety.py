"""DG301-DG306 on real files written to tmp_path: each case fires or stays quiet."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.rules import load_rules
from drift_guard.service import Service

RULES = load_rules()


def make_ctx(root: Path, files: dict[str, str], **service_kw) -> ServiceContext:
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        if path.suffix == ".py":
            paths.append(path)
    service = Service("svc", root, python_files=tuple(paths), **service_kw)
    return ServiceContext(service, Config(root=root))


def codes(ctx: ServiceContext, code: str) -> list[str]:
    return [f"{f.location.line}:{f.message}" for f in RULES[code].check(ctx)]


HEAD = "from pydal import DAL, Field\nimport os\n"

FIRES = [
    ("DG301", "db = DAL('sqlite://x.db', migrate=True)\n", "migrate=True"),
    (
        "DG301",
        "def init_pydal(migrate=True):\n    return DAL(uri, migrate=migrate)\n",
        "default of parameter `migrate`",
    ),
    ("DG301", "MIGRATE = True\ndb = DAL(uri, migrate=MIGRATE)\n", "migrate=MIGRATE"),
    ("DG301", "import pydal\ndb = pydal.DAL(uri, migrate=1)\n", "migrate=1"),
    ("DG302", "db = DAL('postgres://u@h/d', pool_size=5)\n", "leaves `migrate` unset"),
    ("DG302", "db = DAL()\n", "leaves `migrate` unset"),
    ("DG303", "db.define_table('users', Field('email'), migrate=True)\n", "`users` sets `migrate=True`"),
    ("DG303", "db.define_table('users', Field('email'), migrate='users.table')\n", "migrate='users.table'"),
    ("DG303", "db.define_table('users', Field('email'), fake_migrate=True)\n", "fake_migrate=True"),
    ("DG304", "db = DAL(uri, migrate=os.environ.get('M') == '1')\n", "os.environ.get('M') == '1'"),
    ("DG304", "db = DAL(uri, migrate=False, migrate_enabled=settings.ENABLED)\n", "settings.ENABLED"),
    ("DG304", "db = DAL(uri, migrate=get_flag(), fake_migrate_all=True)\n", "get_flag()"),
    ("DG304", "db = DAL(uri, **opts)\n", "**opts"),
    ("DG304", "def f(migrate):\n    db.define_table('t', migrate=migrate)\n", "`migrate`"),
    ("DG305", "db.executesql('ALTER TABLE users ADD COLUMN nick VARCHAR(64)')\n", "ALTER TABLE users ADD COLUMN"),
    ("DG305", 'cur.execute("""\n  create index ix on users (email)\n""")\n', "create index ix"),
    ("DG305", "conn.execute(text('DROP TABLE old'))\n", "DROP TABLE old"),
    ("DG305", "db.executesql(f'TRUNCATE {name}')\n", "TRUNCATE x"),
    ("DG305", "SQL = 'SELECT 1; DROP INDEX ix'\ndb.executesql(SQL)\n", "DROP INDEX ix"),
]

QUIET = [
    ("DG301", "db = DAL(uri, migrate=False, fake_migrate_all=True)\n"),
    ("DG301", "def init_pydal(migrate=False):\n    return DAL(uri, migrate=migrate)\n"),
    ("DG301", "db = DAL(uri, migrate=True, migrate_enabled=False)\n"),
    ("DG301", "db = DAL(None, migrate=True)\n"),
    ("DG302", "db = DAL(uri, migrate=False)\n"),
    ("DG302", "db = DAL(uri, migrate_enabled=False)\n"),
    ("DG302", "db = DAL(uri, **opts)\n"),
    ("DG302", "db = DAL(None)\n"),
    ("DG303", "db.define_table('users', Field('email'), migrate=False)\n"),
    ("DG303", "db.define_table('users', Field('email'))\n"),
    ("DG303", "db = DAL(uri, migrate_enabled=False)\ndb.define_table('users', migrate=True)\n"),
    ("DG304", "db = DAL(uri, migrate=False, fake_migrate_all=True)\n"),
    ("DG304", "db = DAL(uri, migrate=False, fake_migrate_all=settings.FAKE)\n"),
    ("DG304", "db = DAL(uri, migrate=os.environ['M'], migrate_enabled=False)\n"),
    ("DG305", "db.executesql('SELECT * FROM users')\n"),
    ("DG305", "db.executesql('CREATE TEMPORARY TABLE scratch (x int)')\n"),
    ("DG305", "db.executesql(query)\n"),
    ("DG305", "db.executesql('INSERT INTO log VALUES (1)')\n"),
]


@pytest.mark.parametrize(("code", "source", "expected"), FIRES)
def test_rule_fires(tmp_path: Path, code: str, source: str, expected: str) -> None:
    ctx = make_ctx(tmp_path, {"app/db.py": HEAD + source})
    found = codes(ctx, code)
    assert len(found) == 1, found
    assert expected in found[0]


@pytest.mark.parametrize(("code", "source"), QUIET)
def test_rule_stays_quiet(tmp_path: Path, code: str, source: str) -> None:
    ctx = make_ctx(tmp_path, {"app/db.py": HEAD + source})
    assert codes(ctx, code) == []


def test_findings_are_located_at_the_call(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, {"app/db.py": HEAD + "\n\nx = 1; db = DAL(uri, migrate=True)\n"})
    (item,) = RULES["DG301"].check(ctx)
    assert (item.location.line, item.location.column) == (5, 13)
    assert item.location.path.endswith("app/db.py")


@pytest.mark.parametrize(
    "path",
    ["tests/test_db.py", "test_db.py", "app/db_test.py", "conftest.py", "alembic/env.py", "alembic/versions/a1.py"],
)
def test_tests_and_alembic_folder_are_not_runtime(tmp_path: Path, path: str) -> None:
    source = HEAD + "db = DAL('sqlite:memory', migrate=True)\ndb.executesql('DROP TABLE t')\n"
    ctx = make_ctx(tmp_path, {path: source}, script_location=tmp_path / "alembic")
    assert [c for c in ("DG301", "DG302", "DG303", "DG305") if codes(ctx, c)] == []


def test_runtime_exclude_is_configurable(tmp_path: Path) -> None:
    source = HEAD + "db = DAL('sqlite:memory', migrate=True)\n"
    ctx = make_ctx(tmp_path, {"scripts/seed.py": source, "tests/test_x.py": source})
    ctx.config = Config(root=tmp_path, runtime_exclude=("scripts/**",))
    found = [f.location.path for f in RULES["DG301"].check(ctx)]
    assert len(found) == 1 and found[0].endswith("tests/test_x.py")


def test_pydal_table_files(tmp_path: Path) -> None:
    files = {
        "databases/abc123_users.table": "x",
        ".venv/lib/old_users.table": "x",
        ".git/x.table": "x",
        "app/users.py": "print(1)\n",
    }
    ctx = make_ctx(tmp_path, files)
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    found = list(RULES["DG306"].check(ctx))
    assert [f.message for f in found] == [
        "PyDAL migration state file `abc123_users.table`: PyDAL migrated against some database"
    ]


def test_no_table_files_stays_quiet(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, {"app/models.py": HEAD, "app/users.tables.py": "x = 1\n"})
    assert list(RULES["DG306"].check(ctx)) == []


def test_unparsable_file_is_skipped(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, {"app/broken.py": "def (:\n", "app/db.py": HEAD + "db = DAL(uri, migrate=True)\n"})
    assert len(codes(ctx, "DG301")) == 1
