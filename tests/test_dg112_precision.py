"""DG112 reports only where the round trip between the layers fails or changes a value.

Two former warnings are gone, each proven on the real database:

* ``decimal(p,s)`` against ``Numeric`` on SQLite: SQLite has no exact decimal
  storage, so SQLAlchemy alone rounds beyond ~15 digits exactly as PyDAL does,
  and each layer reads the other's value unchanged: nothing between the layers;
* ``boolean`` against ``Boolean`` on ``postgres://``/``postgres2://``: PostgreSQL
  casts PyDAL's 'T'/'F' into the BOOLEAN column, PyDAL reads True/False back, and
  queries on the column work (tests/test_representation_roundtrip.py has the
  value round trip; the queries are here).
"""

from __future__ import annotations

import os
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from test_representation_roundtrip import create_database, drop_database, server_reachable

EXACT = Decimal("12345678901234567.89")  # 19 digits: more than a binary double holds


def test_sqlite_rounds_decimals_whichever_layer_writes(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from pydal import DAL, Field

    md = sa.MetaData()
    table = sa.Table("m", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("amount", sa.Numeric(20, 2)))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    md.create_all(engine)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy warns that SQLite has no native Decimal
        with engine.begin() as conn:
            conn.execute(table.insert().values(id=1, amount=EXACT))
        db = DAL(f"sqlite://{tmp_path / 'app.db'}", migrate=False, folder=str(tmp_path))
        db.define_table("m", Field("amount", "decimal(20,2)"), migrate=False)
        db.m.insert(id=2, amount=EXACT)
        db.commit()
        with engine.connect() as conn:
            by_sqlalchemy = dict(conn.execute(sa.select(table.c.id, table.c.amount)).all())
        by_pydal = {row.id: row.amount for row in db(db.m).select()}
    db.close()
    engine.dispose()
    assert by_sqlalchemy[1] != EXACT  # SQLAlchemy alone loses the digits on SQLite ...
    assert by_sqlalchemy[1] == by_sqlalchemy[2] == by_pydal[1] == by_pydal[2]  # ... exactly as PyDAL does
    assert by_pydal[1] == Decimal("12345678901234568.00")


def _dg112(tmp_path: Path, sa_type: str, args: tuple, pydal_type: str, dialect: str) -> list[str]:
    from drift_guard.config import Config
    from drift_guard.context import ServiceContext
    from drift_guard.pairing import TablePair
    from drift_guard.rules import load_rules
    from drift_guard.schema import Column, Layer, Location, Table
    from drift_guard.service import Service
    from drift_guard.types import model_column_type, pydal_column_type

    rules = load_rules()
    m_col = Column("c", "c", model_column_type(f"sqlalchemy.{sa_type}", args), Location("models.py", 3, 5))
    p_col = Column("c", "c", pydal_column_type(pydal_type), Location("app/models.py", 4, 5))
    m_t = Table("t", Layer.MODELS, Location("models.py", 1, 1), (m_col,), symbol="T")
    p_t = Table("t", Layer.PYDAL, Location("app/models.py", 2, 1), (p_col,), symbol="t")
    ctx = ServiceContext(
        Service("svc", tmp_path, dialect=dialect), Config(root=tmp_path), table_pairs=[TablePair("t", m_t, p_t)]
    )
    return [f.severity.value for f in rules["DG112"].check(ctx)]


def test_no_decimal_finding_on_sqlite(tmp_path: Path) -> None:
    assert _dg112(tmp_path, "Numeric", (10, 2), "decimal(10,2)", "sqlite") == []


@pytest.mark.parametrize("dialect", ["postgres", "postgres2", "postgres3"])
def test_no_boolean_finding_on_postgresql(tmp_path: Path, dialect: str) -> None:
    assert _dg112(tmp_path, "Boolean", (), "boolean", dialect) == []


@pytest.mark.parametrize("dialect", ["sqlite", "mysql"])
def test_boolean_still_an_error_where_it_breaks(tmp_path: Path, dialect: str) -> None:
    assert _dg112(tmp_path, "Boolean", (), "boolean", dialect) == ["error"]


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgres", "postgres2"])
def test_pydal_queries_a_boolean_column_on_postgresql(tmp_path: Path, scheme: str) -> None:
    if not server_reachable(scheme):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable")
        pytest.skip("PostgreSQL is not reachable")
    import sqlalchemy as sa
    from pydal import DAL, Field

    target = create_database(scheme, tmp_path)
    try:
        md = sa.MetaData()
        table = sa.Table("u", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("active", sa.Boolean))
        engine = sa.create_engine(target.sa_url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"active": True}, {"active": False}])
        db = DAL(target.pydal_uri, migrate=False, folder=str(tmp_path))
        db.define_table("u", Field("active", "boolean"), migrate=False)
        db.u.insert(active=True)
        db(db.u.id == 2).update(active=True)
        db.commit()
        assert db(db.u.active == True).count() == 3  # noqa: E712 - PyDAL's query syntax
        assert db(db.u.active == False).count() == 0  # noqa: E712
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).where(table.c.active.is_(True))).scalar() == 3
        db.close()
        engine.dispose()
    finally:
        drop_database(target)
