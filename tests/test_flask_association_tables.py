"""Flask-SQLAlchemy association tables are model tables.

``db.Table("post_tags", db.Column(...), ...)`` lands in ``db.metadata`` (the
one ``db.Model`` and Alembic's ``target_metadata = db.metadata`` use), as do
``sa.Table(..., db.metadata, ...)`` and ``Table(..., db.Model.metadata, ...)``.
``db.Table(..., bind_key="other")`` lands in ``db.metadatas["other"]``: not the
target. Before, all three were left out of the models (a false DG201 "created by
the migrations but not in the models" plus a false DG102).
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest

from drift_guard.cli import main
from drift_guard.extract.sqlalchemy import extract_models

EXTENSIONS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
"""

CLASSES = """
class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
"""


def _extract(tmp_path: Path, models: str, bases: tuple[str, ...] = ("app.extensions.db",)):
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "extensions.py").write_text(EXTENSIONS)
    (tmp_path / "app" / "models.py").write_text(dedent(models) + CLASSES)
    paths = [tmp_path / "app" / "extensions.py", tmp_path / "app" / "models.py"]
    return extract_models(paths, import_roots=[tmp_path], bases=bases)


@pytest.mark.parametrize(
    "table",
    [
        'db.Table("post_tags", db.Column("post_id", db.Integer, db.ForeignKey("post.id"), primary_key=True),'
        ' db.Column("tag_id", db.Integer, db.ForeignKey("tag.id"), primary_key=True))',
        'db.Table("post_tags", db.metadata, db.Column("post_id", db.Integer, db.ForeignKey("post.id"), primary_key=True),'
        ' db.Column("tag_id", db.Integer, db.ForeignKey("tag.id"), primary_key=True))',
        'sa.Table("post_tags", db.metadata, sa.Column("post_id", sa.Integer, sa.ForeignKey("post.id"), primary_key=True),'
        ' sa.Column("tag_id", sa.Integer, sa.ForeignKey("tag.id"), primary_key=True))',
        'sa.Table("post_tags", db.Model.metadata, sa.Column("post_id", sa.Integer, sa.ForeignKey("post.id"),'
        ' primary_key=True), sa.Column("tag_id", sa.Integer, sa.ForeignKey("tag.id"), primary_key=True))',
    ],
    ids=["db.Table", "db.Table with db.metadata", "sa.Table on db.metadata", "Table on db.Model.metadata"],
)
def test_association_table_is_on_the_target_metadata(tmp_path, table):
    schema = _extract(
        tmp_path,
        """
        import sqlalchemy as sa
        from app.extensions import db

        post_tags = TABLE
    """.replace("TABLE", table),
    )
    by_name = {t.name: t for t in schema.tables}
    assert sorted(by_name) == ["post", "post_tags", "tag"]
    post_tags = by_name["post_tags"]
    assert [(c.name, c.primary_key, c.nullable) for c in post_tags.columns] == [
        ("post_id", True, False),
        ("tag_id", True, False),
    ]
    assert [c.foreign_key.table for c in post_tags.columns] == ["post", "tag"]
    assert schema.problems == ()


def test_a_table_on_another_bind_is_not_the_target(tmp_path):
    schema = _extract(
        tmp_path,
        """
        from app.extensions import db

        audit_tags = db.Table("audit_tags", db.Column("id", db.Integer, primary_key=True), bind_key="audit")
    """,
    )
    assert sorted(t.name for t in schema.tables) == ["post", "tag"]
    assert schema.problems == ()


def test_a_bind_key_that_is_not_a_literal_is_reported(tmp_path):
    schema = _extract(
        tmp_path,
        """
        from app.extensions import db
        from settings import BIND

        audit_tags = db.Table("audit_tags", db.Column("id", db.Integer, primary_key=True), bind_key=BIND)
    """,
    )
    assert sorted(t.name for t in schema.tables) == ["post", "tag"]
    assert [p.message for p in schema.problems] == [
        "cannot tell whether table `audit_tags` is on the target metadata (its MetaData cannot be resolved); "
        "it is left out"
    ]


def test_a_metadata_given_to_the_extension(tmp_path):
    """``SQLAlchemy(metadata=MetaData(...))``: db.Model and db.Table share it."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "extensions.py").write_text(
        dedent("""
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy import MetaData

        metadata = MetaData(naming_convention={"pk": "pk_%(table_name)s"})
        db = SQLAlchemy(metadata=metadata)
    """)
    )
    (tmp_path / "app" / "models.py").write_text(
        dedent("""
        from app.extensions import db

        post_tags = db.Table("post_tags", db.Column("post_id", db.Integer, primary_key=True))
    """)
        + CLASSES
    )
    paths = [tmp_path / "app" / "extensions.py", tmp_path / "app" / "models.py"]
    schema = extract_models(paths, import_roots=[tmp_path], bases=("app.extensions.metadata",))
    assert sorted(t.name for t in schema.tables) == ["post", "post_tags", "tag"]


def test_a_plain_table_on_an_unrelated_metadata_stays_out(tmp_path):
    schema = _extract(
        tmp_path,
        """
        import sqlalchemy as sa
        from app.extensions import db

        other = sa.MetaData()
        legacy = sa.Table("legacy", other, sa.Column("id", sa.Integer, primary_key=True))
    """,
    )
    assert sorted(t.name for t in schema.tables) == ["post", "tag"]


def test_a_db_table_in_a_module_of_its_own_is_discovered(tmp_path, monkeypatch, capsys):
    """The standard layout: the association table module is found from env.py's
    ``target_metadata = db.metadata`` and compared, with its migration."""
    project = Path(__file__).parent / "data" / "migrations" / "flask_association"
    monkeypatch.chdir(project)
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "app/db/tags.py" in out and "app/db/follows.py" in out
    assert main(["check", "--format", "json", "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
