"""Integer widths: ``Integer`` in the model vs ``"bigint"`` in PyDAL, and the reverse.

Reported as DG105 (column-type-mismatch: the same family, a different SQL type)
with a message naming both widths:

* model narrower than PyDAL (``Integer`` vs ``"bigint"``): error. PostgreSQL
  rejects the values PyDAL accepts beyond 32 bits, MariaDB clamps them
  (both verified below on the real servers);
* model wider (``BigInteger`` vs ``"integer"``): warning. PyDAL's ``integer``
  has no range check, so the 64-bit values still round-trip (verified); only
  the declaration is wrong;
* on SQLite every integer column holds 64 bits: quiet (verified);
* ``SmallInteger`` vs ``"integer"``: quiet, PyDAL has nothing narrower; ids and
  references: not compared, their width depends on ``DAL(bigint_id=...)``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_representation_roundtrip import create_database, drop_database, server_reachable

from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.integer_widths import model_integer_bytes, pydal_integer_bytes
from drift_guard.pairing import TablePair
from drift_guard.schema import Column, Layer, Location, Table
from drift_guard.service import Service
from drift_guard.types import model_column_type, pydal_column_type


@pytest.mark.parametrize(
    ("qualname", "width"),
    [
        ("sqlalchemy.Integer", 4),
        ("sqlalchemy.BigInteger", 8),
        ("sqlalchemy.SmallInteger", 2),
        ("sqlalchemy.INTEGER", 4),
        ("sqlalchemy.BIGINT", 8),
        ("sqlalchemy.dialects.mysql.MEDIUMINT", 3),
        ("sqlalchemy.dialects.mysql.TINYINT", 1),
        ("sqlalchemy.dialects.mysql.BIGINT", 8),
        ("sqlalchemy.String", None),
        ("sqlalchemy.Numeric", None),
    ],
)
def test_model_widths_come_from_sqlalchemy_visit_names(qualname, width):
    assert model_integer_bytes(model_column_type(qualname)) == width


@pytest.mark.parametrize(
    ("pydal", "width"),
    [("integer", 4), ("bigint", 8), ("id", None), ("reference person", None), ("big-reference person", None)],
)
def test_pydal_widths(pydal, width):
    assert pydal_integer_bytes(pydal_column_type(pydal)) == width


def _dg105(tmp_path: Path, sa_type: str, pydal_type: str, dialect: str | None) -> list[tuple[str, str]]:
    from drift_guard.rules import load_rules

    load_rules()
    from drift_guard.rules.column_aspects import column_type_mismatch

    m_col = Column("n", "n", model_column_type(f"sqlalchemy.{sa_type}", spelled=sa_type), Location("models.py", 3, 5))
    p_col = Column("n", "n", pydal_column_type(pydal_type), Location("app/models.py", 4, 5))
    m_t = Table("t", Layer.MODELS, Location("models.py", 1, 1), (m_col,), symbol="T")
    p_t = Table("t", Layer.PYDAL, Location("app/models.py", 2, 1), (p_col,), symbol="t")
    ctx = ServiceContext(
        Service("svc", tmp_path, dialect=dialect), Config(root=tmp_path), table_pairs=[TablePair("t", m_t, p_t)]
    )
    return [(f.severity.value, f.message) for f in column_type_mismatch(ctx)]


@pytest.mark.parametrize(
    ("sa_type", "pydal_type", "verdicts"),  # per dialect: sqlite, postgres, mysql, unknown
    [
        ("Integer", "bigint", ("-", "error", "error", "error")),
        ("BigInteger", "integer", ("-", "warning", "warning", "warning")),
        ("SmallInteger", "bigint", ("-", "error", "error", "error")),
        ("SmallInteger", "integer", ("-", "-", "-", "-")),
        ("Integer", "integer", ("-", "-", "-", "-")),
        ("BigInteger", "bigint", ("-", "-", "-", "-")),
    ],
)
def test_dg105_width_per_dialect(tmp_path, sa_type, pydal_type, verdicts):
    got = []
    for dialect in ("sqlite", "postgres", "mysql", None):
        found = _dg105(tmp_path, sa_type, pydal_type, dialect)
        assert len(found) <= 1
        got.append(found[0][0] if found else "-")
    assert tuple(got) == verdicts


def test_the_message_names_both_widths(tmp_path):
    ((severity, message),) = _dg105(tmp_path, "Integer", "bigint", "postgres")
    assert message.startswith("column `t.n` is `Integer` (32-bit) in the model vs 'bigint' (64-bit) in PyDAL")


# --------------------------------------------------------------------------- the real databases

BIG = 2**40


def _round_trip(dialect: str, workdir: Path) -> dict[str, str]:
    """PyDAL writes BIG through a ``bigint`` field into an Integer column and
    through an ``integer`` field into a BigInteger column; what is read back."""
    import sqlalchemy as sa
    from pydal import DAL, Field

    target = create_database(dialect, workdir)
    try:
        md = sa.MetaData()
        sa.Table(
            "w",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("narrow", sa.Integer),
            sa.Column("wide", sa.BigInteger),
        )
        engine = sa.create_engine(target.sa_url)
        md.create_all(engine)
        engine.dispose()
        db = DAL(target.pydal_uri, migrate=False, folder=str(workdir))
        db.define_table("w", Field("narrow", "bigint"), Field("wide", "integer"), migrate=False)
        out = {}
        for field in ("narrow", "wide"):
            try:
                new_id = db.w.insert(**{field: BIG})
                db.commit()
            except Exception as exc:  # noqa: BLE001 - the database's own error is the verdict
                db.rollback()
                out[field] = f"failed: {type(exc).__name__}"
                continue
            got = db.w[new_id][field]
            out[field] = "ok" if got == BIG else f"changed: {got}"
        db.close()
        return out
    finally:
        drop_database(target)


def _needs(dialect: str):
    marks = {"mysql": [pytest.mark.mysql], "postgres": [pytest.mark.postgres]}.get(dialect, [])
    return pytest.param(dialect, marks=marks)


@pytest.mark.parametrize("dialect", [_needs(d) for d in ("sqlite", "postgres", "mysql")])
def test_severities_match_the_real_round_trip(tmp_path, dialect):
    if not server_reachable(dialect):
        if os.environ.get("CI"):
            pytest.fail(f"database server for {dialect} is not reachable")
        pytest.skip(f"database server for {dialect} is not reachable")
    got = _round_trip(dialect, tmp_path)
    narrow = _dg105(tmp_path, "Integer", "bigint", dialect)
    wide = _dg105(tmp_path, "BigInteger", "integer", dialect)
    assert got["wide"] == "ok"  # PyDAL's integer does not stop 64-bit values: a warning, not an error
    assert [s for s, _ in wide] == ([] if dialect == "sqlite" else ["warning"])
    if dialect == "sqlite":
        assert got["narrow"] == "ok" and narrow == []  # every SQLite integer holds 64 bits
    else:
        assert got["narrow"] != "ok", got  # PostgreSQL fails, MariaDB clamps
        assert [s for s, _ in narrow] == ["error"]
