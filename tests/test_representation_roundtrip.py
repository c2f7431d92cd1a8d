"""DG112 against real databases: the rule fires exactly where the round trip breaks.

For every case x dialect the column is created the SQLAlchemy way (``metadata.
create_all``) on real SQLite, PostgreSQL and MariaDB, then three legs run over it:

1. PyDAL (``DAL(uri, migrate=False)``) writes a value and reads it back;
2. SQLAlchemy reads the row PyDAL wrote;
3. SQLAlchemy writes its own value and PyDAL reads it.

Both layers share the rows in a dual-layer service (seeds, admin scripts, Alembic
data migrations), so a value one layer cannot read back from the other is the
real-world failure. The verdict is ``failed`` (a leg raised), ``changed`` (a leg
read a different value) or ``ok``. The assertion: DG112 reports an *error*
exactly for the ``failed``/``changed`` cells; an ``ok`` cell is either quiet or
one of the documented warnings (a ``big-id`` PyDAL silently discards, see the rule's docstring).

Run ``python tests/test_representation_roundtrip.py`` for the printable table.
"""

from __future__ import annotations

import binascii
import os
import sqlite3
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest

PG = dict(host="127.0.0.1", port=5432, user="postgres")
MY = dict(host="127.0.0.1", port=3306, user="root", password="")
DIALECTS = ("sqlite", "postgres", "postgres2", "postgres3", "mysql")
BIG_ID = 2**33  # does not fit a 32-bit id


@dataclass(frozen=True)
class Case:
    """One model column against one PyDAL field.

    ``sa_value`` is what SQLAlchemy code writes and expects to read,
    ``pydal_value`` what PyDAL code writes and expects to read (the same logical
    value in each layer's own Python representation). ``primary_key`` cases are
    about the table's id: the model declares ``id`` with ``sa_type`` and PyDAL
    has its implicit id; ``sa_value`` is then an explicit id SQLAlchemy writes.
    """

    name: str
    sa_type: str  # attribute of the sqlalchemy package
    sa_args: tuple[Any, ...]
    pydal_type: str
    sa_value: Any
    pydal_value: Any
    primary_key: bool = False
    discarded_id: str | None = None  # PyDAL spelled Field("id", <this>)
    array_item: str | None = None  # ARRAY element type (attribute of sqlalchemy)


CASES = (
    Case("boolean", "Boolean", (), "boolean", True, True),
    Case("boolean vs String(1)", "String", (1,), "boolean", "T", True),
    Case("list:string vs JSON", "JSON", (), "list:string", ["a", "b"], ["a", "b"]),
    Case("list:string vs ARRAY", "ARRAY", (), "list:string", ["a", "b"], ["a", "b"], array_item="Text"),
    Case("list:string vs Text", "Text", (), "list:string", "|a|b|", ["a", "b"]),
    Case("json vs Text", "Text", (), "json", '{"a": 1}', {"a": 1}),
    Case("text vs JSON", "JSON", (), "text", {"a": 1}, '{"a": 1}'),
    Case("decimal vs Numeric", "Numeric", (10, 2), "decimal(10,2)", Decimal("12.34"), Decimal("12.34")),
    Case("blob vs LargeBinary", "LargeBinary", (), "blob", b"\x00\xffab", b"\x00\xffab"),
    Case("BigInteger id", "BigInteger", (), "id", BIG_ID, None, primary_key=True),
    Case("big-id discarded", "BigInteger", (), "id", BIG_ID, None, primary_key=True, discarded_id="'big-id'"),
    # controls: these must stay quiet and round-trip
    Case("string vs String", "String", (20,), "string", "abc", "abc"),
    Case("integer vs Integer", "Integer", (), "integer", 7, 7),
    Case("Integer id", "Integer", (), "id", 1000, None, primary_key=True),
)


# --------------------------------------------------------------------------- servers


def server_reachable(dialect: str) -> bool:
    import psycopg2
    import pymysql

    try:
        if dialect == "mysql":
            pymysql.connect(**MY, connect_timeout=3).close()
        elif dialect.startswith("postgres"):
            psycopg2.connect(dbname="postgres", connect_timeout=3, **PG).close()
    except (psycopg2.Error, pymysql.Error):
        return False
    return True


@dataclass(frozen=True)
class Target:
    dialect: str
    sa_url: str
    pydal_uri: str


def create_database(dialect: str, workdir: Path) -> Target:
    name = f"dg_rt_{uuid.uuid4().hex[:10]}"
    if dialect == "sqlite":
        path = workdir / f"{name}.db"
        return Target(dialect, f"sqlite:///{path}", f"sqlite://{path}")
    if dialect == "mysql":
        import pymysql

        conn = pymysql.connect(**MY, autocommit=True)
        conn.cursor().execute(f"CREATE DATABASE {name}")
        conn.close()
        return Target(dialect, f"mysql+pymysql://root@127.0.0.1:3306/{name}", f"mysql://root@127.0.0.1:3306/{name}")
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    conn.cursor().execute(f"CREATE DATABASE {name}")
    conn.close()
    return Target(
        dialect,
        f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}",
        f"{dialect}://postgres@127.0.0.1:5432/{name}",
    )


def drop_database(target: Target) -> None:
    import sqlalchemy as sa

    sa.create_engine(target.sa_url).dispose()
    name = target.sa_url.rsplit("/", 1)[-1]
    if target.dialect == "mysql":
        import pymysql

        conn = pymysql.connect(**MY, autocommit=True)
        conn.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
        conn.close()
    elif target.dialect.startswith("postgres"):
        import psycopg2

        conn = psycopg2.connect(dbname="postgres", **PG)
        conn.autocommit = True
        conn.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.close()


# --------------------------------------------------------------------------- round trip


def _errors() -> tuple[type[BaseException], ...]:
    import psycopg2
    import pymysql
    import sqlalchemy.exc

    return (
        sqlite3.Error,
        psycopg2.Error,
        pymysql.Error,
        sqlalchemy.exc.SQLAlchemyError,
        binascii.Error,
        ValueError,
        TypeError,
        KeyError,
        RuntimeError,
    )


def _sa_table(case: Case, name: str):
    import sqlalchemy as sa

    md = sa.MetaData()
    sa_cls = getattr(sa, case.sa_type)
    args = (getattr(sa, case.array_item),) if case.array_item else case.sa_args
    if case.primary_key:
        cols = [sa.Column("id", sa_cls(*args), primary_key=True), sa.Column("c", sa.String(20))]
    else:
        cols = [sa.Column("id", sa.Integer, primary_key=True), sa.Column("c", sa_cls(*args))]
    return md, sa.Table(name, md, *cols)


def sa_type_supported(case: Case, dialect: str) -> bool:
    return case.sa_type != "ARRAY" or dialect.startswith("postgres")


def round_trip(case: Case, target: Target, table: str, workdir: Path) -> tuple[str, str]:
    """(verdict, detail) of the three legs for ``case`` on ``target``."""
    import sqlalchemy as sa
    from pydal import DAL, Field

    md, sa_t = _sa_table(case, table)
    engine = sa.create_engine(target.sa_url)
    md.create_all(engine)
    db = DAL(target.pydal_uri, migrate=False, folder=str(workdir))
    if case.primary_key:
        db.define_table(table, Field("c", "string", length=20), migrate=False)
    else:
        db.define_table(table, Field("c", case.pydal_type), migrate=False)
    legs: list[tuple[str, Callable[[], str | None]]] = [
        ("pydal->pydal", lambda: _leg_pydal(db, table, case)),
        ("pydal->sa", lambda: _leg_pydal_to_sa(db, engine, sa_t, case)),
        ("sa->pydal", lambda: _leg_sa_to_pydal(db, engine, sa_t, case)),
    ]
    verdict, details = "ok", []
    try:
        for leg, run in legs:
            try:
                changed = run()
            except _errors() as exc:
                db.rollback()
                verdict = "failed"
                details.append(f"{leg}: {type(exc).__name__}: {str(exc).splitlines()[0][:80]}")
                continue
            if changed is not None:
                verdict = "failed" if verdict == "failed" else "changed"
                details.append(f"{leg}: {changed}")
    finally:
        db.close()
        engine.dispose()
    return verdict, "; ".join(details)


def _leg_pydal(db, table: str, case: Case) -> str | None:
    t = db[table]
    value = "x" if case.primary_key else case.pydal_value
    new_id = t.insert(c=value)
    db.commit()
    got = db(t.id == new_id).select().first().c
    return None if got == value else f"wrote {value!r}, read {got!r}"


def _leg_pydal_to_sa(db, engine, sa_t, case: Case) -> str | None:
    t = db[sa_t.name]
    value = "y" if case.primary_key else case.pydal_value
    new_id = int(t.insert(c=value))
    db.commit()
    with engine.connect() as conn:
        got = conn.execute(sa_t.select().where(sa_t.c.id == new_id)).one()._mapping["c"]
    expected = "y" if case.primary_key else case.sa_value
    return None if got == expected else f"PyDAL wrote {value!r}, SQLAlchemy read {got!r}"


def _leg_sa_to_pydal(db, engine, sa_t, case: Case) -> str | None:
    row = {"id": case.sa_value, "c": "z"} if case.primary_key else {"c": case.sa_value}
    with engine.begin() as conn:
        new_id = conn.execute(sa_t.insert().values(**row)).inserted_primary_key[0]
    t = db[sa_t.name]
    rec = db(t.id == new_id).select().first()
    db.commit()
    if rec is None:
        return f"PyDAL found no row with id {new_id!r}"
    got = rec.id if case.primary_key else rec.c
    expected = case.sa_value if case.primary_key else case.pydal_value
    return None if got == expected else f"SQLAlchemy wrote {case.sa_value!r}, PyDAL read {got!r}"


# --------------------------------------------------------------------------- the rule


def rule_verdict(case: Case, dialect: str, tmp: Path) -> str:
    """'error' / 'warning' / '-' : what DG112 says about ``case`` on ``dialect``;
    'DG105' where the types are of different families and DG105 reports the
    column instead (one defect, one finding: never both)."""
    from drift_guard.config import Config
    from drift_guard.context import ServiceContext
    from drift_guard.pairing import TablePair
    from drift_guard.rules import load_rules
    from drift_guard.schema import Column, Layer, Location, Table
    from drift_guard.service import Service
    from drift_guard.types import model_column_type, pydal_column_type

    load_rules()
    from drift_guard.rules.representation import representation_mismatch

    item = model_column_type(f"sqlalchemy.{case.array_item}") if case.array_item else None
    m_type = model_column_type(f"sqlalchemy.{case.sa_type}", case.sa_args, item=item)
    p_type = pydal_column_type(case.pydal_type)
    loc = Location("svc/models.py", 3, 5)
    name = "id" if case.primary_key else "c"
    m_col = Column(name, name, m_type, loc, primary_key=case.primary_key, nullable=not case.primary_key)
    p_col = Column(name, name, p_type, Location("svc/app/models.py", 4, 5), primary_key=case.primary_key)
    options = (("discarded_id", case.discarded_id),) if case.discarded_id else ()
    m_t = Table("t", Layer.MODELS, loc, (m_col,), symbol="T")
    p_t = Table("t", Layer.PYDAL, Location("svc/app/models.py", 2, 1), (p_col,), symbol="t", options=options)
    ctx = ServiceContext(Service("svc", tmp, dialect=dialect), Config(root=tmp), table_pairs=[TablePair("t", m_t, p_t)])
    found = list(representation_mismatch(ctx))
    typed = list(load_rules()["DG105"].check(ctx))
    assert not (found and typed), (found, typed)
    if typed:
        return "DG105"
    if not found:
        return "-"
    return max((f.severity for f in found), key=lambda s: s.rank).value


# --------------------------------------------------------------------------- table


@dataclass(frozen=True)
class Cell:
    case: str
    dialect: str
    verdict: str  # ok / changed / failed / n/a
    rule: str  # error / warning / -
    detail: str = ""


def run_matrix(workdir: Path, dialects=DIALECTS, cases=CASES) -> list[Cell]:
    cells = []
    for dialect in dialects:
        target = create_database(dialect, workdir)
        try:
            for index, case in enumerate(cases):
                rule = rule_verdict(case, dialect, workdir)
                if not sa_type_supported(case, dialect):
                    cells.append(Cell(case.name, dialect, "n/a", rule))
                    continue
                verdict, detail = round_trip(case, target, f"t{index}", workdir)
                cells.append(Cell(case.name, dialect, verdict, rule, detail))
        finally:
            drop_database(target)
    return cells


def format_table(cells: list[Cell]) -> str:
    dialects = list(dict.fromkeys(c.dialect for c in cells))
    cases = list(dict.fromkeys(c.case for c in cells))
    by_key = {(c.case, c.dialect): c for c in cells}
    width = max(len(c) for c in cases)
    lines = [f"{'case':<{width}} | " + " | ".join(f"{d:<17}" for d in dialects)]
    lines.append("-" * len(lines[0]))
    for case in cases:
        row = [f"{by_key[case, d].verdict} / {by_key[case, d].rule}" for d in dialects]
        lines.append(f"{case:<{width}} | " + " | ".join(f"{r:<17}" for r in row))
    lines.append("(round trip / DG112 severity, or DG105 where it reports the column instead; '-' = quiet)")
    return "\n".join(lines)


def mismatches(cells: list[Cell], accepted_warnings: set[tuple[str, str]]) -> list[str]:
    """Cells where the rule and the real round trip disagree."""
    wrong = []
    for cell in cells:
        broken = cell.verdict in ("failed", "changed")
        if broken and cell.rule not in ("error", "DG105"):
            wrong.append(
                f"{cell.case} on {cell.dialect}: round trip {cell.verdict} ({cell.detail}) but DG112 {cell.rule}"
            )
        elif not broken and cell.rule == "error":
            wrong.append(f"{cell.case} on {cell.dialect}: round trip {cell.verdict} but DG112 error")
        elif not broken and cell.rule == "warning" and (cell.case, cell.dialect) not in accepted_warnings:
            wrong.append(f"{cell.case} on {cell.dialect}: round trip {cell.verdict} but unexpected DG112 warning")
    return wrong


# --------------------------------------------------------------------------- tests

# Round trip ok, and DG112 warns on purpose (documented in the rule): PyDAL
# silently drops the declared Field("id", "big-id").
ACCEPTED_WARNINGS = {
    *(("big-id discarded", d) for d in ("postgres", "postgres2", "postgres3", "mysql")),
}

# What DG112 says per case, in DIALECTS order (sqlite, postgres, postgres2, postgres3, mysql).
EXPECTED_RULE = {
    "boolean": ("error", "-", "-", "-", "error"),  # PostgreSQL casts 'T'/'F': round-trips
    "boolean vs String(1)": ("-", "-", "-", "error", "-"),
    "list:string vs JSON": ("DG105",) * 5,  # types of different families: DG105, not also DG112
    "list:string vs ARRAY": ("-", "error", "-", "-", "-"),
    "list:string vs Text": ("-", "-", "error", "error", "-"),
    "json vs Text": ("DG105",) * 5,
    "text vs JSON": ("DG105",) * 5,
    "decimal vs Numeric": ("-",) * 5,  # SQLite: no exact decimals in either layer (test_dg112_precision.py)
    "blob vs LargeBinary": ("error",) * 5,
    "BigInteger id": ("error", "-", "-", "-", "-"),
    "big-id discarded": ("error", "warning", "warning", "warning", "warning"),
    "string vs String": ("-",) * 5,
    "integer vs Integer": ("-",) * 5,
    "Integer id": ("-",) * 5,
}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_dg112_severity_per_dialect(tmp_path: Path, case: Case) -> None:
    got = tuple(rule_verdict(case, dialect, tmp_path) for dialect in DIALECTS)
    assert got == EXPECTED_RULE[case.name]


def _needs_server(dialect: str):
    marks = {"mysql": [pytest.mark.mysql], "sqlite": []}.get(dialect, [pytest.mark.postgres])
    return pytest.param(dialect, marks=marks)


@pytest.mark.parametrize("dialect", [_needs_server(d) for d in DIALECTS])
def test_dg112_fires_exactly_where_the_real_round_trip_breaks(tmp_path: Path, dialect: str) -> None:
    if not server_reachable(dialect):
        message = f"database server for {dialect} is not reachable"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cells = run_matrix(tmp_path, (dialect,))
    print(format_table(cells))
    assert mismatches(cells, ACCEPTED_WARNINGS) == []
    verdicts = {cell.verdict for cell in cells}
    assert "ok" in verdicts and verdicts & {"failed", "changed"}, verdicts  # never vacuous


def test_mismatches_reports_disagreement() -> None:
    cells = [
        Cell("a", "sqlite", "changed", "warning"),
        Cell("b", "sqlite", "ok", "error"),
        Cell("c", "sqlite", "ok", "warning"),
        Cell("d", "sqlite", "failed", "error"),
        Cell("e", "sqlite", "ok", "-"),
    ]
    assert [m.split(":")[0] for m in mismatches(cells, set())] == ["a on sqlite", "b on sqlite", "c on sqlite"]


if __name__ == "__main__":
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # drift_guard without installing

    with tempfile.TemporaryDirectory() as tmp:
        result = run_matrix(Path(tmp))
    print(format_table(result))
    for cell in result:
        if cell.detail:
            print(f"  {cell.case} @ {cell.dialect}: {cell.detail}")
