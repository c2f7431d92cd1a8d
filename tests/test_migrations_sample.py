"""End to end on the sample project (fixtures/sample-clean): discovery, the real
SQLAlchemy extractor, the engine and DG2xx. Each seeded change gives exactly its
finding; the unchanged sample gives none on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_migrations_helpers import MYSQL_URL, PG_URL, server_url

from drift_guard.config import load_config
from drift_guard.engine import run
from drift_guard.session import RunOptions

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
SERVICE = Path("services") / "flask-backend"

REVISION = '''"""{message}"""
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = "{down}"


def upgrade():
    {upgrade}


def downgrade():
    {downgrade}
'''


def add_revision(root: Path, rev: str, upgrade: str, downgrade: str, down: str = "0002") -> None:
    path = root / SERVICE / "alembic" / "versions" / f"2026030{len(rev)}_{rev}.py"
    path.write_text(REVISION.format(message=rev, rev=rev, down=down, upgrade=upgrade, downgrade=downgrade))


def model_column_without_migration(root: Path) -> None:
    models = root / SERVICE / "app" / "db" / "models.py"
    text = models.read_text()
    anchor = "    full_name = Column(String(255))\n"
    models.write_text(text.replace(anchor, anchor + "    nickname = Column(String(50))\n", 1))


def migration_column_missing_in_model(root: Path) -> None:
    add_revision(
        root,
        "0003",
        'op.add_column("users", sa.Column("legacy_code", sa.String(20)))',
        'op.drop_column("users", "legacy_code")',
    )


def two_heads(root: Path) -> None:
    for rev in ("0003a", "0003b"):
        add_revision(root, rev, 'op.execute("SELECT 1")', 'op.execute("SELECT 1")')


def empty_downgrade(root: Path) -> None:
    add_revision(root, "0003", "op.execute(\"UPDATE users SET role = 'viewer' WHERE role IS NULL\")", "pass")


def failing_revision(root: Path) -> None:
    add_revision(
        root,
        "0003",
        'op.add_column("userz", sa.Column("nickname", sa.String(50)))',
        'op.drop_column("userz", "nickname")',
    )


def check(root: Path, database_url: str | None = None):
    config = load_config(root)
    return run([root], config, select=("DG2",), options=RunOptions(database_url=database_url)).findings


@pytest.fixture
def sample(tmp_path) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize(
    ("seed", "code", "where", "fragment"),
    [
        (
            model_column_without_migration,
            "DG201",
            "models.py",
            "column `users.nickname` (`String(50)`) is in the model",
        ),
        (
            migration_column_missing_in_model,
            "DG201",
            "_0003.py",
            "column `users.legacy_code` (`VARCHAR(20)`) is added by a migration",
        ),
        (two_heads, "DG202", "_0003a.py", "2 heads: `0003a`"),
        (empty_downgrade, "DG204", "_0003.py", "revision `0003` has an empty downgrade()"),
        # the sample runs on PostgreSQL: replayed on the embedded PostgreSQL (the test extra has pgserver)
        (failing_revision, "DG205", "_0003.py", 'relation "userz" does not exist'),
    ],
)
def test_each_seeded_change_gives_exactly_its_finding(sample, seed, code, where, fragment):
    seed(sample)
    findings = check(sample)
    assert [f.code for f in findings] == [code], [f.message for f in findings]
    assert findings[0].location.path.endswith(where)
    assert fragment in findings[0].message


@pytest.mark.parametrize(
    "url",
    [None, pytest.param(PG_URL, marks=pytest.mark.postgres), pytest.param(MYSQL_URL, marks=pytest.mark.mysql)],
    ids=["sqlite", "postgresql", "mariadb"],
)
def test_unchanged_sample_is_quiet(sample, url):
    assert check(sample, server_url(url) if url else None) == []
