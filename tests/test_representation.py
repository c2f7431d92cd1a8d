"""DG112 wiring: where findings point, silence without a dialect, several targets.

The per-case severities are checked against real databases in
tests/test_representation_roundtrip.py.
"""

from __future__ import annotations

from pathlib import Path

from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.pairing import TablePair
from drift_guard.rules import load_rules
from drift_guard.schema import Column, Layer, Location, Table
from drift_guard.service import Service
from drift_guard.types import model_column_type, pydal_column_type

RULES = load_rules()
M_LOC = Location("app/db/models.py", 7, 5)
P_LOC = Location("app/models.py", 12, 9)


def ctx_for(
    tmp_path: Path, model_cols, pydal_cols, files=None, dialect=None, options=(), symbol="users"
) -> ServiceContext:
    py = []
    for name, text in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        py.append(path)
    m_t = Table("users", Layer.MODELS, Location("app/db/models.py", 3, 1), tuple(model_cols), symbol="User")
    p_t = Table("users", Layer.PYDAL, Location("app/models.py", 10, 1), tuple(pydal_cols), symbol, options=options)
    service = Service("svc", tmp_path, python_files=tuple(py), pydal_files=tuple(py), dialect=dialect)
    return ServiceContext(service, Config(root=tmp_path), table_pairs=[TablePair("users", m_t, p_t)])


def boolean_pair():
    return (
        [Column("is_active", "is_active", model_column_type("sqlalchemy.Boolean"), M_LOC)],
        [Column("is_active", "is_active", pydal_column_type("boolean"), P_LOC)],
    )


def test_finding_is_at_the_pydal_field_with_the_model_column_related(tmp_path: Path) -> None:
    ctx = ctx_for(tmp_path, *boolean_pair(), dialect="mysql")
    (item,) = RULES["DG112"].check(ctx)
    assert item.location == P_LOC and item.related == (M_LOC,)
    assert (item.table, item.column, item.severity.value) == ("users", "is_active", "error")
    assert "CHAR(1)" in item.message and "BOOL" in item.message and "mysql://" in item.message


def test_unknown_dialect_stays_silent(tmp_path: Path) -> None:
    ctx = ctx_for(tmp_path, *boolean_pair(), files={"app/models.py": "db = DAL(os.environ['DB'])\n"})
    assert list(RULES["DG112"].check(ctx)) == []


def test_every_literal_dal_scheme_is_checked(tmp_path: Path) -> None:
    files = {"app/models.py": "db = DAL('postgres3://h/d') if PROD else DAL('sqlite://dev.db')\n"}
    ctx = ctx_for(tmp_path, *boolean_pair(), files=files)
    found = list(RULES["DG112"].check(ctx))
    assert [(f.severity.value, "sqlite" in f.message) for f in found] == [("error", True)]


def test_discarded_big_id_names_the_model_type(tmp_path: Path) -> None:
    model_id = Column("id", "id", model_column_type("sqlalchemy.BigInteger"), M_LOC, primary_key=True)
    pydal_id = Column("id", "id", pydal_column_type("id"), P_LOC, primary_key=True)
    ctx = ctx_for(tmp_path, [model_id], [pydal_id], dialect="postgres", options=(("discarded_id", "'big-id'"),))
    (item,) = RULES["DG112"].check(ctx)
    assert item.severity.value == "warning"
    assert "Field(\"id\", 'big-id')" in item.message and "BigInteger" in item.message


def test_unknown_types_are_not_compared(tmp_path: Path) -> None:
    model = [Column("flag", "flag", model_column_type("myproject.types.Flag"), M_LOC)]
    pydal = [Column("flag", "flag", pydal_column_type("boolean"), P_LOC)]
    assert list(RULES["DG112"].check(ctx_for(tmp_path, model, pydal, dialect="sqlite"))) == []


def test_documentation_has_the_headings() -> None:
    doc = RULES["DG112"].doc
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## How to fix"):
        assert heading in doc


def test_discarded_id_names_the_pydal_table_of_an_rname(tmp_path: Path) -> None:
    """The model's table is `users`; PyDAL's table `people` has rname='users': the
    message names `people`, the table PyDAL code spells (db.people)."""
    model_id = Column("id", "id", model_column_type("sqlalchemy.BigInteger"), M_LOC, primary_key=True)
    pydal_id = Column("id", "id", pydal_column_type("id"), P_LOC, primary_key=True)
    options = (("discarded_id", "'big-id'"), ("rname", "'users'"))
    ctx = ctx_for(tmp_path, [model_id], [pydal_id], dialect="postgres", options=options, symbol="people")
    (item,) = RULES["DG112"].check(ctx)
    assert "`people` keeps its implicit 32-bit `id`" in item.message
