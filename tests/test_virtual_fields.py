"""DG402: virtual and method fields (``Field.Virtual`` / ``Field.Method``, or
assigned on the table) are attributes of the table, not unknown fields."""

from __future__ import annotations

import pytest

from drift_guard.cli import main

MODELS = """import sqlalchemy as sa
from sqlalchemy.orm import declarative_base
Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(512))
"""

DAL = """from pydal import DAL, Field
db = DAL("sqlite://", migrate=False)
db.define_table("users", Field("email"),
                Field.Virtual("shout", lambda row: row.users.email.upper()),
                db.Field.Method("greet", lambda row: "hi"))
db.users.nick = Field.Virtual("nick", lambda row: 1)
db.users.alias_name = Field.Virtual("alias_name", lambda row: 2)
self_like = object()
"""


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        ("db.users.shout", []),
        ("db.users.greet", []),
        ("db.users.nick", []),
        ("db.users.alias_name", []),
        ("db.users.email", []),
        ("db.users.emial", ["`db.users.emial`: table `users` has no field `emial` in either layer"]),
        ("db.userz.shout", ["`db.userz`: no table `userz` in the PyDAL tables or the SQLAlchemy models"]),
    ],
)
def test_virtual_fields_are_known(tmp_path, monkeypatch, capsys, use, expected):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text(MODELS)
    (tmp_path / "app" / "dal.py").write_text(DAL + f"\n\ndef view():\n    return {use}\n")
    monkeypatch.chdir(tmp_path)
    main(["check", "--select", "DG402", "--quiet"])
    lines = [line.split("[error] ", 1)[1] for line in capsys.readouterr().out.splitlines() if " DG402 " in line]
    assert lines == expected


def test_an_attribute_assigned_on_self_does_not_hide_a_field(tmp_path, monkeypatch, capsys):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text(MODELS)
    source = DAL + "\n\nclass View:\n    def __init__(self):\n        self.phone = 1\n\n\nprint(db.users.phone)\n"
    (tmp_path / "app" / "dal.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "DG402", "--quiet"]) == 1
    assert "no field `phone`" in capsys.readouterr().out
