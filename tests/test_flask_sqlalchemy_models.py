"""Flask-SQLAlchemy models (``db = SQLAlchemy()``,
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
        "posts": [
            ("id", "sqlalchemy.Integer", None, False),
            ("body", "sqlalchemy.Text", None, True),
            ("user_id", "sqlalchemy.Integer", None, False),
        ],
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


@pytest.mark.parametrize(
    "extensions",
    [
        "class SQLAlchemy:\n    pass\n\ndb = SQLAlchemy()\n",  # not Flask-SQLAlchemy's
        "from other import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    ],
)
def test_other_db_objects_stay_unreadable(tmp_path, extensions):
    service = _write(tmp_path)
    (service / "app" / "extensions.py").write_text(extensions)
    schema = extract_models([service / "app/db/models.py", service / "app/extensions.py"], import_roots=[service])
    assert any("base class `app.extensions.db.Model`" in p.message for p in schema.problems)


AUTO_NAMED = """\
from app.extensions import db


class UserGroup(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(40))


class HTTPLog(db.Model):
    id: db.Mapped[int] = db.mapped_column(primary_key=True)


class Named(db.Model):
    __tablename__ = "explicit"
    id = db.Column(db.Integer, primary_key=True)


class NoKey(db.Model):
    __abstract__ = True
    name = db.Column(db.String(10))


class Admin(UserGroup):
    level = db.Column(db.Integer)
"""


def test_automatic_tablenames(tmp_path):
    """Flask-SQLAlchemy names a keyed model without __tablename__ in snake_case;
    an abstract class and a single-table subclass get no table of their own."""
    service = _write(tmp_path)
    (service / "app" / "db" / "models.py").write_text(AUTO_NAMED)
    schema = extract_models([service / "app/db/models.py", service / "app/extensions.py"], import_roots=[service])
    assert sorted(t.name for t in schema.tables) == ["explicit", "http_log", "user_group"]
    (group,) = [t for t in schema.tables if t.name == "user_group"]
    assert [c.name for c in group.columns] == ["id", "name", "level"]


def test_plain_declarative_classes_are_not_auto_named(tmp_path):
    path = tmp_path / "models.py"
    path.write_text(
        "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n"
        "Base = declarative_base()\n\nclass UserGroup(Base):\n    id = Column(Integer, primary_key=True)\n"
    )
    assert extract_models([path]).tables == ()


def test_flask_models_without_tablename_are_discovered(tmp_path, capsys):
    _write(tmp_path)
    models = tmp_path / "services" / "web" / "app" / "db" / "models.py"
    text = MODELS.format(length=120).replace('    __tablename__ = "users"\n', "").replace('"users.id"', '"user.id"')
    models.write_text(text)
    assert main(["check", "--no-migrations", "--format", "json", str(tmp_path)]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert sorted((f["code"], f["table"]) for f in findings) == [
        ("DG101", "user"),
        ("DG102", "users"),
        ("DG109", "posts"),
    ]
