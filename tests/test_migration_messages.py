"""DG201 says the right thing about what only the migrations have.

* A dropped index, unique constraint or foreign key is named in the revision
  message the hint suggests (``-m 'drop users'`` reads as dropping the table).
* A dialect-specific type a revision declares (``mysql.MEDIUMTEXT()``) is
  quoted as declared: the SQLite scratch database keeps only its affinity.
* SQLAlchemy's warnings about what it reflects (an expression index it cannot
  read back) are not printed on stderr, and neither is a traceback when the
  reader of standard output leaves early (``drift-guard rules | head -1``).
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drift_guard.cli import main

CLEAN = Path(__file__).parent / "data" / "migrations" / "clean"

REVISION = '''"""extra"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    {upgrade}


def downgrade():
    pass
'''


def project(tmp_path: Path, upgrade: str, model_line: str | None = None) -> Path:
    root = tmp_path / "svc"
    shutil.copytree(CLEAN, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "alembic" / "versions" / "0004_extra.py").write_text(REVISION.format(upgrade=upgrade))
    if model_line is not None:
        models = root / "app" / "db" / "models.py"
        models.write_text(models.read_text() + f"    {model_line}\n")  # the last class: Post
    return root


def dg201(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    monkeypatch.chdir(root)
    out = root / "report.json"
    main(["check", "--select", "DG201", "--format", "json", "--output", str(out)])
    return [f for f in json.loads(out.read_text())["findings"] if f["code"] == "DG201"]


@pytest.mark.parametrize(
    ("upgrade", "message"),
    [
        ('op.create_unique_constraint("uq_posts_title", "posts", ["title"])', "drop unique constraint uq_posts_title"),
        ('op.create_index("ix_posts_title", "posts", ["title"])', "drop index ix_posts_title"),
        (
            'op.create_index("ix_posts_title_body", "posts", ["title", "body"], unique=True)',
            "drop index ix_posts_title_body",
        ),
    ],
)
def test_a_constraint_only_the_migrations_have_is_named_in_the_hint(tmp_path, monkeypatch, upgrade, message) -> None:
    (finding,) = dg201(project(tmp_path, upgrade), monkeypatch)
    assert finding["hint"].endswith(f"alembic revision --autogenerate -m '{message}'"), finding["hint"]


def test_a_dropped_column_still_names_the_column(tmp_path, monkeypatch) -> None:
    (finding,) = dg201(project(tmp_path, 'op.add_column("posts", sa.Column("legacy", sa.Integer()))'), monkeypatch)
    assert finding["hint"].endswith("-m 'drop posts.legacy'")


def test_an_index_only_the_model_has_is_named_in_the_hint(tmp_path, monkeypatch) -> None:
    root = project(tmp_path, "pass", "__table_args__ = (sa.Index('ix_posts_title', 'title'),)")
    (finding,) = dg201(root, monkeypatch)
    assert finding["hint"] == "alembic revision --autogenerate -m 'add index ix_posts_title'"


def test_a_dialect_specific_type_is_quoted_as_the_revision_declares_it(tmp_path, monkeypatch) -> None:
    root = project(tmp_path, 'op.add_column("posts", sa.Column("notes", mysql.MEDIUMTEXT(), nullable=True))')
    (finding,) = dg201(root, monkeypatch)
    assert finding["message"] == "column `posts.notes` (`MEDIUMTEXT`) is added by a migration but is not in the model"


def test_a_type_mismatch_quotes_the_declared_dialect_type(tmp_path, monkeypatch) -> None:
    root = project(
        tmp_path,
        'op.add_column("posts", sa.Column("notes", mysql.MEDIUMTEXT(), nullable=True))',
        "notes: Mapped[Optional[int]] = mapped_column(sa.Integer)",
    )
    (finding,) = dg201(root, monkeypatch)
    assert finding["message"] == "column `posts.notes` is `Integer` in the model but `MEDIUMTEXT` after the migrations"


def test_a_generic_type_is_quoted_as_the_database_has_it(tmp_path, monkeypatch) -> None:
    """Only a type the scratch database cannot have is quoted as declared; a
    later alter_column to a generic type replaces the declared one."""
    upgrade = (
        'op.add_column("posts", sa.Column("notes", mysql.MEDIUMTEXT(), nullable=True))\n'
        '    with op.batch_alter_table("posts") as batch:\n'
        '        batch.alter_column("notes", type_=sa.Integer())'
    )
    (finding,) = dg201(project(tmp_path, upgrade), monkeypatch)
    assert finding["message"] == "column `posts.notes` (`INTEGER`) is added by a migration but is not in the model"


@pytest.mark.parametrize(
    "then",
    [
        "pass",  # the warning comes from the compare's reflection
        'op.alter_column("posts", "body", nullable=False)',  # ... and from batch mode's, in the replay
    ],
)
def test_sqlalchemy_warnings_are_not_printed(tmp_path, then) -> None:
    """A real process: SQLAlchemy warns (SAWarning) that it cannot reflect an
    expression index; the user sees the findings, not the warning."""
    upgrade = f'op.create_index("ix_lower_title", "posts", [sa.text("lower(title)")])\n    {then}'
    root = project(tmp_path, upgrade)
    done = subprocess.run(
        [sys.executable, "-m", "drift_guard", "check", "--format", "text"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.stderr == "", done.stderr
    assert "Found" in done.stdout


@pytest.mark.parametrize("argv", ["rules", "rules --markdown", "rule DG201"])
def test_a_reader_that_leaves_early_is_not_a_traceback(argv) -> None:
    """``drift-guard rules | head -1`` through a real shell pipeline: ``head`` exits
    after one line, drift-guard's last flush meets a closed pipe."""
    done = subprocess.run(
        f"{shlex.quote(sys.executable)} -m drift_guard {argv} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr
