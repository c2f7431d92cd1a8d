"""UNKNOWN is compared as a match everywhere: an unresolvable foreign-key target
or an expression index never crashes a stage and never becomes a finding."""

from __future__ import annotations

from pathlib import Path

from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.migrations.metadata import build_metadata
from drift_guard.rules import load_rules
from drift_guard.schema import UNKNOWN, Column, ForeignKey, Index, Layer, Location, Schema, Table
from drift_guard.service import Service
from drift_guard.types import model_column_type, pydal_column_type

HERE = Location("m.py", 1, 1)


def model_schema() -> Schema:
    columns = (
        Column("id", "id", model_column_type("sqlalchemy.Integer"), HERE, nullable=False, primary_key=True),
        Column("email", "email", model_column_type("sqlalchemy.String", (255,)), HERE),
        Column(
            "other_id",
            "other_id",
            model_column_type("sqlalchemy.Integer"),
            HERE,
            foreign_key=ForeignKey(UNKNOWN, UNKNOWN),
        ),
    )
    index = Index("ix_users_lower_email", ("func.lower('email')",), False, HERE)
    return Schema(Layer.MODELS, (Table("users", Layer.MODELS, HERE, columns, symbol="User", indexes=(index,)),))


def test_metadata_skips_unknown_targets_and_expression_indexes():
    built = build_metadata(model_schema())
    table = built.metadata.tables["users"]
    assert [c.name for c in table.columns] == ["id", "email", "other_id"]
    assert not table.foreign_keys and not table.indexes


def test_key_rules_stay_quiet_on_unknown_target():
    pydal = Schema(
        Layer.PYDAL,
        (
            Table(
                "users",
                Layer.PYDAL,
                Location("p.py"),
                (
                    Column("id", "id", pydal_column_type("id"), Location("p.py"), nullable=False, primary_key=True),
                    Column("email", "email", pydal_column_type("string", 255), Location("p.py")),
                    Column("other_id", "other_id", pydal_column_type("integer"), Location("p.py")),
                ),
                symbol="users",
            ),
        ),
    )
    service = Service(name=".", root=Path("."), model_files=(Path("m.py"),), pydal_files=(Path("p.py"),))
    ctx = ServiceContext(service, Config(root=Path(".")), models=model_schema(), pydal=pydal)
    rules = load_rules()
    assert [f for code in ("DG109", "DG111") for f in rules[code].check(ctx)] == []
