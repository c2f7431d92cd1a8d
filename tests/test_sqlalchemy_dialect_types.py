"""Dialect-specific SQLAlchemy types keep their family.

MySQL's TINYTEXT/MEDIUMTEXT/LONGTEXT derive from ``String``, not ``Text``, in
SQLAlchemy's class hierarchy, so they read as strings: ``mysql.LONGTEXT``
(exactly what PyDAL's ``text`` creates on MySQL) against ``"text"`` was a DG105
"string vs text" error whose hint capped the column at 512 characters. The
family is now read from SQLAlchemy's own classes: the MRO, plus the SQL type
name the type compiler renders (``__visit_name__``) for the TEXT types.
``Interval`` (a TypeDecorator over DateTime) and the native INTERVAL types are
durations, not datetimes.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from textwrap import dedent

import pytest

from drift_guard.dialect import model_physical, pydal_physical
from drift_guard.extract.sqlalchemy import extract_models
from drift_guard.schema import Family
from drift_guard.types import (
    families_compatible,
    model_column_type,
    pydal_column_type,
    sqlalchemy_class,
    sqlalchemy_family,
)

FAMILIES = [
    ("sqlalchemy.dialects.mysql.LONGTEXT", Family.TEXT),
    ("sqlalchemy.dialects.mysql.MEDIUMTEXT", Family.TEXT),
    ("sqlalchemy.dialects.mysql.TINYTEXT", Family.TEXT),
    ("sqlalchemy.dialects.mysql.TEXT", Family.TEXT),
    ("sqlalchemy.dialects.mysql.VARCHAR", Family.STRING),
    ("sqlalchemy.dialects.mysql.CHAR", Family.STRING),
    ("sqlalchemy.dialects.mysql.SET", Family.STRING),
    ("sqlalchemy.dialects.mysql.INTEGER", Family.INTEGER),
    ("sqlalchemy.dialects.mysql.MEDIUMINT", Family.INTEGER),
    ("sqlalchemy.dialects.mysql.TINYINT", Family.INTEGER),
    ("sqlalchemy.dialects.mysql.BIGINT", Family.INTEGER),
    ("sqlalchemy.dialects.mysql.DATETIME", Family.DATETIME),
    ("sqlalchemy.dialects.mysql.TIMESTAMP", Family.DATETIME),
    ("sqlalchemy.dialects.mysql.DOUBLE", Family.FLOAT),
    ("sqlalchemy.dialects.mysql.LONGBLOB", Family.BINARY),
    ("sqlalchemy.dialects.mysql.JSON", Family.JSON),
    ("sqlalchemy.dialects.postgresql.TIMESTAMP", Family.DATETIME),
    ("sqlalchemy.dialects.postgresql.TIME", Family.TIME),
    ("sqlalchemy.dialects.postgresql.INTERVAL", Family.INTERVAL),
    ("sqlalchemy.dialects.postgresql.DOUBLE_PRECISION", Family.FLOAT),
    ("sqlalchemy.dialects.postgresql.BYTEA", Family.BINARY),
    ("sqlalchemy.dialects.postgresql.CITEXT", Family.TEXT),
    ("sqlalchemy.dialects.postgresql.JSONB", Family.JSON),
    ("sqlalchemy.dialects.postgresql.UUID", Family.UUID),
    ("sqlalchemy.dialects.postgresql.ENUM", Family.ENUM),
    ("sqlalchemy.dialects.postgresql.ARRAY", Family.ARRAY),
    ("sqlalchemy.dialects.mssql.NTEXT", Family.TEXT),
    ("sqlalchemy.dialects.mssql.DATETIME2", Family.DATETIME),
    ("sqlalchemy.Interval", Family.INTERVAL),
    ("sqlalchemy.Text", Family.TEXT),
    ("sqlalchemy.String", Family.STRING),
]


@pytest.mark.parametrize(
    ("qualname", "family"), FAMILIES, ids=[q.rsplit(".", 2)[-2] + "." + q.rsplit(".", 1)[-1] for q, _ in FAMILIES]
)
def test_family(qualname, family):
    assert model_column_type(qualname).family is family


def _dialect_type_classes():
    for name in ("mysql", "postgresql", "mssql", "sqlite", "oracle"):
        module = importlib.import_module(f"sqlalchemy.dialects.{name}")
        for attr in sorted(dir(module)):
            cls = getattr(module, attr)
            if inspect.isclass(cls) and cls.__module__.startswith("sqlalchemy.dialects") and hasattr(cls, "compile"):
                yield module, cls


def test_text_family_agrees_with_the_ddl_sqlalchemy_renders():
    """Every dialect type that SQLAlchemy itself renders as a TEXT type is text, and
    every string type it renders as VARCHAR/CHAR stays a string."""
    checked = 0
    for module, cls in _dialect_type_classes():
        family = sqlalchemy_family(cls)
        if family not in (Family.STRING, Family.TEXT):
            continue
        try:
            ddl = cls().compile(dialect=module.dialect())
        except Exception:  # noqa: BLE001 - a type that needs arguments (SET, ENUM): not a TEXT type
            continue
        checked += 1
        if ddl.endswith("TEXT"):
            assert family is Family.TEXT, (cls, ddl)
        elif ddl.startswith(("VARCHAR", "CHAR", "NVARCHAR", "NCHAR", "VARCHAR2")):
            assert family is Family.STRING, (cls, ddl)
    assert checked > 10


def test_longtext_is_what_pydal_text_creates_on_mysql():
    model = model_column_type("sqlalchemy.dialects.mysql.LONGTEXT")
    pydal = pydal_column_type("text")
    assert pydal_physical(pydal, "mysql") == model_physical(model, "mysql") == "LONGTEXT"
    assert families_compatible(model, pydal)
    assert not families_compatible(model, pydal_column_type("string"))


def test_dialect_types_through_the_module_and_with_arguments(tmp_path: Path):
    path = tmp_path / "models.py"
    path.write_text(
        dedent("""
        from sqlalchemy import Column, Integer
        from sqlalchemy.dialects import mysql
        from sqlalchemy.dialects.mysql import LONGTEXT, MEDIUMINT
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()

        class Doc(Base):
            __tablename__ = "docs"
            id = Column(Integer, primary_key=True)
            body = Column(mysql.LONGTEXT(collation="utf8mb4_bin"))
            body2 = Column(LONGTEXT)
            views = Column(mysql.INTEGER(unsigned=True))
            rank = Column(MEDIUMINT())
            edited_at = Column(mysql.DATETIME(fsp=6))
    """)
    )
    schema = extract_models([path], import_roots=[tmp_path])
    got = {c.name: (c.type.family, c.type.spelled, c.type.kwargs) for c in schema.tables[0].columns[1:]}
    assert got == {
        "body": (Family.TEXT, 'mysql.LONGTEXT(collation="utf8mb4_bin")', (("collation", "utf8mb4_bin"),)),
        "body2": (Family.TEXT, "LONGTEXT", ()),
        "views": (Family.INTEGER, "mysql.INTEGER(unsigned=True)", (("unsigned", True),)),
        "rank": (Family.INTEGER, "MEDIUMINT()", ()),
        "edited_at": (Family.DATETIME, "mysql.DATETIME(fsp=6)", (("fsp", 6),)),
    }
    assert schema.problems == ()


def test_a_text_type_keeps_no_length_from_a_collation():
    """``LONGTEXT(collation=...)`` has no length: DG106 has nothing to compare."""
    ctype = model_column_type("sqlalchemy.dialects.mysql.LONGTEXT", (), (("collation", "utf8mb4_bin"),))
    assert (ctype.family, ctype.length) == (Family.TEXT, None)
    assert sqlalchemy_class("sqlalchemy.dialects.mysql.LONGTEXT") is not None
