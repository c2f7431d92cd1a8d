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


def test_in_sync_keyed_reference_stays_quiet(tmp_path, capsys):
    assert _check(tmp_path, capsys, reference="reference country.code") == (0, [])


def test_keyed_reference_without_its_field_is_in_sync_but_casts(tmp_path, capsys):
    """``reference country`` creates the same CHAR(2) column (no DG105/DG106), but
    PyDAL converts its values to integers: DG116, with the form that works."""
    code, findings = _check(tmp_path, capsys, reference="reference country")
    assert code == 1
    assert [(f["code"], f["table"], f["column"], f["hint"]) for f in findings] == [
        (
            "DG116",
            "warehouse",
            "country_code",
            'use Field("country_code", "reference country.code"), which keeps the key\'s type',
        )
    ]


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


@pytest.mark.parametrize(
    ("field_type", "value", "works"),
    [
        ("reference warehouses", "WH01", False),  # DG116: PyDAL casts to int
        ("list:reference warehouses", ["WH01"], False),  # DG116
        ("reference warehouses.code", "WH01", True),  # what DG116's hint says
        ("big-reference warehouses", "WH01", True),  # no cast: DG116 stays quiet
    ],
)
def test_what_dg115_says_about_pydal_holds(field_type, value, works):
    """DG116's premise on the installed PyDAL: a plain reference to a table keyed
    by a string converts the value to an integer; naming the key field does not."""
    from pydal import DAL, Field

    db = DAL("sqlite:memory")
    db.define_table("warehouses", Field("code", length=8), primarykey=["code"])
    db.define_table("stock", Field("warehouse_code", field_type))
    db.warehouses.insert(code="WH01")
    try:
        db.stock.insert(warehouse_code=value)
        stored = db(db.stock).select().first().warehouse_code
    except ValueError as exc:
        assert not works and "invalid literal for int()" in str(exc)
    else:
        assert works and stored == value
    finally:
        db.close()
