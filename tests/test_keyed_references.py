"""References to keyed tables are compared with the
referenced field's type (pydal/migrator.py: ``types[rfield.type[:9]] % dict(length=...)``),
and ``db._common_fields = []`` adds nothing (a readable change adds its fields)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_extract_pydal_helpers import HEADER, extract

from drift_guard.cli import main
from drift_guard.extract.pydal.refs import keyed_reference_types

MODEL = """\
from sqlalchemy import CHAR, Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Country(Base):
    __tablename__ = "country"
    code = Column(CHAR(2), primary_key=True)


class Warehouse(Base):
    __tablename__ = "warehouse"
    id = Column(Integer, primary_key=True)
    country_code = Column(ForeignKey("country.code"), nullable=False)
"""

PYDAL = """\
from pydal import DAL, Field

db = DAL("postgres3://u@h/d", migrate=False)
db._common_fields = []
db.define_table("country", Field("code", length={length}, notnull=True), primarykey=["code"])
db.define_table(
    "warehouse",
    Field("country_code", "{reference}", notnull=True, ondelete="NO ACTION"),
)
"""


def _check(root: Path, capsys, length: int = 2, reference: str = "reference country.code") -> tuple[int, list]:
    app = root / "services" / "inv" / "app"
    (app / "db").mkdir(parents=True)
    (app / "db" / "models.py").write_text(MODEL)
    (app / "models.py").write_text(PYDAL.format(length=length, reference=reference))
    code = main(["check", "--no-migrations", "--format", "json", str(root)])
    return code, json.loads(capsys.readouterr().out)["findings"]


@pytest.mark.parametrize("reference", ["reference country.code", "reference country"])
def test_in_sync_keyed_reference_stays_quiet(tmp_path, capsys, reference):
    assert _check(tmp_path, capsys, reference=reference) == (0, [])


def test_key_length_drift_points_the_reference_at_its_target(tmp_path, capsys):
    code, findings = _check(tmp_path, capsys, length=3)
    assert code == 1
    assert [(f["code"], f["table"], f["column"], f["location"]["line"], f["hint"]) for f in findings] == [
        ("DG106", "country", "code", 5, "set length=2 on the PyDAL field"),
        (
            "DG106",
            "warehouse",
            "country_code",
            8,
            "the PyDAL column takes its type from the referenced `country.code`: fix it there",
        ),
    ]


TYPES = [
    # (id, tables before, reference, expected (pydal type, length))
    (
        "keyed by one string field",
        'db.define_table("p", Field("k", length=9), primarykey=["k"])',
        "reference p",
        ("string", 9),
    ),
    (
        "explicit keyed field",
        'db.define_table("p", Field("k", "integer"), Field("s", length=4), primarykey=["k"])',
        "reference p.k",
        ("integer", None),
    ),
    (
        "unique field of a keyed table",
        'db.define_table("p", Field("k", "integer"), Field("s", length=4, unique=True), primarykey=["k"])',
        "reference p.s",
        ("string", 4),
    ),
    # stays an integer reference:
    ("plain table", 'db.define_table("p", Field("s", length=4))', "reference p", ("reference p", None)),
    (
        "two-column key has no _id",
        'db.define_table("p", Field("a"), Field("b"), primarykey=["a", "b"])',
        "reference p",
        ("reference p", None),
    ),
    ("undefined table", "", "reference nowhere", ("reference nowhere", None)),
    ("self reference", "", "reference t", ("reference t", None)),
]


@pytest.mark.parametrize("before, reference, expected", [c[1:] for c in TYPES], ids=[c[0] for c in TYPES])
def test_reference_column_type(tmp_path, before, reference, expected):
    source = HEADER + before + f"\ndb.define_table('t', Field('r', '{reference}'))\n"
    schema = extract(tmp_path, {"app/models.py": source})
    assert schema.tables[-1].columns[-1].type.pydal_type == reference  # the extractor stays PyDAL-faithful
    tables = keyed_reference_types(schema.tables, {t.symbol: t for t in schema.tables})
    column = tables[-1].columns[-1]
    assert (column.type.pydal_type, column.type.length) == expected
    assert column.type.spelled == repr(reference)


@pytest.mark.parametrize(
    "statement, columns",
    [
        ("db._common_fields = []", ["id", "a"]),
        ("db._common_fields = ()", ["id", "a"]),
        ("db._common_fields = [Field('x')]", ["id", "a", "x"]),
        ("db._common_fields.append(Field('x'))", ["id", "a", "x"]),
    ],
)
def test_empty_common_fields_add_nothing(tmp_path, statement, columns):
    schema = extract(tmp_path, {"app/models.py": HEADER + statement + "\ndb.define_table('t', Field('a'))\n"})
    assert schema.problems == ()
    assert [c.name for c in schema.tables[0].columns] == columns and schema.tables[0].partial is False
