"""Field test regressions: Flask-SQLAlchemy models (``db = SQLAlchemy()``,
``class User(db.Model)``, ``db.Column(db.String(120))``) were an unreadable base
(DG002) and never compared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_guard.cli import main
from drift_guard.extract.sqlalchemy import extract_models

EXTENSIONS = "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n"

MODELS = """\
import typing as t

from app.extensions import db


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String({length}), unique=True, nullable=False)
    posts = db.relationship("Post", backref="author", lazy="dynamic")


class Post(db.Model):
    __tablename__ = "posts"
    id: db.Mapped[int] = db.mapped_column(primary_key=True)
    body: db.Mapped[t.Optional[str]] = db.mapped_column(db.Text)
    user_id: db.Mapped[int] = db.mapped_column(db.ForeignKey("users.id"))
"""

ENV = """\
from alembic import context

from app.extensions import db
import app.db.models  # noqa: F401

target_metadata = db.metadata
"""

PYDAL = """\
from pydal import DAL, Field

db = DAL("postgres3://u@h/web", migrate=False)
db.define_table("users", Field("email", length=120, unique=True, notnull=True))
db.define_table("posts", Field("body", "text"), Field("user_id", "reference users", notnull=True, ondelete="NO ACTION"))
"""


def _write(root: Path, length: int = 120) -> Path:
    app = root / "services" / "web" / "app"
    (app / "db").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "db" / "__init__.py").write_text("")
    (app / "extensions.py").write_text(EXTENSIONS)
    (app / "db" / "models.py").write_text(MODELS.format(length=length))
    (app / "models.py").write_text(PYDAL)
    (app.parent / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = .\n")
    (app.parent / "alembic" / "versions").mkdir(parents=True)
    (app.parent / "alembic" / "env.py").write_text(ENV)
    return app.parent


def test_models_are_read(tmp_path):
    service = _write(tmp_path)
    schema = extract_models([service / "app/db/models.py", service / "app/extensions.py"], import_roots=[service])
    assert schema.problems == ()
    summary = {t.name: [(c.name, c.type.sa_type, c.type.length, c.nullable) for c in t.columns] for t in schema.tables}
    assert summary == {
        "users": [("id", "sqlalchemy.Integer", None, False), ("email", "sqlalchemy.String", 120, False)],
        "posts": [("id", "sqlalchemy.Integer", None, False), ("body", "sqlalchemy.Text", None, True),
                  ("user_id", "sqlalchemy.Integer", None, False)],
    }
    assert not any(t.partial for t in schema.tables)


def test_in_sync_flask_project_stays_quiet(tmp_path, capsys):
    _write(tmp_path)
    assert main(["check", "--no-migrations", "-q", str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""


def test_drift_in_a_flask_model_is_reported_once(tmp_path, capsys):
    _write(tmp_path, length=150)
    assert main(["check", "--no-migrations", "--format", "json", str(tmp_path)]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["table"], f["column"], f["location"]["line"]) for f in findings] == [
        ("DG106", "users", "email", 4)
    ]


@pytest.mark.parametrize("extensions", [
    "class SQLAlchemy:\n    pass\n\ndb = SQLAlchemy()\n",  # not Flask-SQLAlchemy's
    "from other import SQLAlchemy\n\ndb = SQLAlchemy()\n",
])
def test_other_db_objects_stay_unreadable(tmp_path, extensions):
    service = _write(tmp_path)
    (service / "app" / "extensions.py").write_text(extensions)
    schema = extract_models([service / "app/db/models.py", service / "app/extensions.py"], import_roots=[service])
    assert any("base class `app.extensions.db.Model`" in p.message for p in schema.problems)
