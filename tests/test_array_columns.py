"""PostgreSQL ARRAY columns against PyDAL list:* fields.

On postgres2/3:// ``list:string`` is TEXT[] and ``list:integer`` BIGINT[]
(PyDAL's PostgreSQL dialects with native arrays), so the element type matters as much as the array itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_guard.cli import main

MODEL = """\
import enum

from sqlalchemy import BigInteger, Column, Enum, Integer, String, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Color(enum.Enum):
    red = "red"


class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    tags = Column({model})
"""

PYDAL = """\
from pydal import DAL, Field

db = DAL("postgres3://u@h/d", migrate=False)
db.define_table("posts", Field("tags", "{pydal}"))
"""


def _check(root: Path, model: str, pydal: str, capsys) -> tuple[int, list[dict]]:
    service = root / "services" / "blog" / "app"
    (service / "db").mkdir(parents=True)
    (service / "db" / "models.py").write_text(MODEL.format(model=model))
    (service / "models.py").write_text(PYDAL.format(pydal=pydal))
    code = main(["check", "--no-migrations", "--format", "json", "--select", "DG0,DG1", str(root)])
    return code, json.loads(capsys.readouterr().out)["findings"]


QUIET = [
    ("postgresql.ARRAY(String(64))", "list:string"),
    ("ARRAY(Text)", "list:string"),
    ("ARRAY(Enum(Color))", "list:string"),
    ("postgresql.ARRAY(Integer)", "list:integer"),
    ("ARRAY(BigInteger)", "list:integer"),
    ("ARRAY(Integer)", "list:reference posts"),
]


@pytest.mark.parametrize("model, pydal", QUIET)
def test_matching_elements_stay_quiet(tmp_path, capsys, model, pydal):
    code, findings = _check(tmp_path, model, pydal, capsys)
    assert (code, findings) == (0, [])


FIRING = [
    ("postgresql.ARRAY(Integer)", "list:string", 'use "list:integer" for the model\'s array of integer'),
    ("ARRAY(String(20))", "list:integer", 'use "list:string" for the model\'s array of string'),
]


@pytest.mark.parametrize("model, pydal, hint", FIRING)
def test_different_elements_are_one_dg105(tmp_path, capsys, model, pydal, hint):
    code, findings = _check(tmp_path, model, pydal, capsys)
    assert code == 1
    assert [(f["code"], f["table"], f["column"], f["hint"]) for f in findings] == [("DG105", "posts", "tags", hint)]
    assert findings[0]["location"]["line"] == 4  # the PyDAL field


def test_unresolved_element_type_is_one_dg002(tmp_path, capsys):
    code, findings = _check(tmp_path, "ARRAY(Elem)", "list:string", capsys)
    assert code == 0
    assert [(f["code"], f["message"]) for f in findings] == [("DG002", "cannot resolve column type `Elem` statically")]
