"""Per-column comparators: one walk over the paired columns, whatever the number of aspects.

DG105-DG111 are comparators (``rules/_comparators.py``), as Alembic's
autogenerate comparators are: each receives one model column and its PyDAL
counterpart; the service's table pairs are walked once and every rule reads its
share. These tests hold that shape: a rule that walked the pairs itself again
would show up as a second walk.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cross_layer_rules import mcol, pcol, pid, ref, table

import drift_guard.pairing as pairing
from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.rules import Group, load_rules
from drift_guard.rules._comparators import COMPARATORS, compared_columns
from drift_guard.schema import Layer, Schema
from drift_guard.service import Service
from drift_guard.session import RunOptions

ASPECTS = {"DG105", "DG106", "DG107", "DG108", "DG109", "DG110", "DG111"}


def _context() -> ServiceContext:
    """Two tables whose columns drift in every aspect, once each."""
    models = [
        table("teams", Layer.MODELS, mcol("id", primary_key=True), mcol("name", "sqlalchemy.String", 80)),
        table(
            "users",
            Layer.MODELS,
            mcol("id", primary_key=True),
            mcol("email", "sqlalchemy.String", 255, nullable=False, unique=True),
            mcol("meta", "sqlalchemy.JSON"),
            mcol("team_id", "sqlalchemy.Integer", foreign_key=ref("teams", "id")),
            mcol("owner_id", "sqlalchemy.Integer", foreign_key=ref("teams", "id", ondelete="SET NULL")),
            mcol("code", "sqlalchemy.String", 10, primary_key=True),
        ),
    ]
    pydal = [
        table("teams", Layer.PYDAL, pid(), pcol("name", length=40)),
        table(
            "users",
            Layer.PYDAL,
            pid(),
            pcol("email", length=255),
            pcol("meta", "text"),
            pcol("team_id", "integer"),
            pcol("owner_id", "reference teams", foreign_key=ref("teams")),
            pcol("code", length=10),
        ),
    ]
    service = Service(name=".", root=Path("."), model_files=(Path("models.py"),), pydal_files=(Path("pydal.py"),))
    return ServiceContext(
        service,
        Config(root=Path(".")),
        models=Schema(Layer.MODELS, tuple(models)),
        pydal=Schema(Layer.PYDAL, tuple(pydal)),
        options=RunOptions(no_migrations=True),
    )


def test_the_column_aspects_are_registered_comparators():
    rules = load_rules()
    assert ASPECTS <= set(COMPARATORS)
    for code in COMPARATORS:
        assert rules[code].group == Group.CROSS_LAYER
        assert rules[code].needs == frozenset({"models", "pydal"})
        assert "## What it does" in rules[code].doc  # the comparator's docstring is the rule's documentation


def test_every_aspect_reads_one_walk_over_the_pairs(monkeypatch):
    walked: list[tuple[str, str]] = []
    real = pairing.both_columns

    def counting(model, pydal):
        walked.append((model.key, pydal.key))
        return real(model, pydal)

    monkeypatch.setattr(pairing, "both_columns", counting)
    ctx = _context()
    rules = load_rules()
    found = {code: sorted((f.table, f.column) for f in rules[code].check(ctx)) for code in sorted(ASPECTS)}
    assert sorted(walked) == [("teams", "teams"), ("users", "users")]  # once per table pair, not once per aspect
    assert found == {
        "DG105": [("users", "meta")],
        "DG106": [("teams", "name")],
        "DG107": [("users", "code"), ("users", "email")],
        "DG108": [("users", "email")],
        "DG109": [("users", "team_id")],
        "DG110": [("users", "code")],
        "DG111": [("users", "owner_id")],
    }


@pytest.mark.parametrize("code", sorted(ASPECTS))
def test_a_rule_reports_its_own_aspect_only(code):
    ctx = _context()
    assert {f.code for f in compared_columns(ctx)[code]} <= {code}
    found = list(load_rules()[code].check(ctx))
    assert found and all(f.code == code for f in found)
    assert all(f.location.path == "pydal.py" and f.related[0].path == "models.py" for f in found)


def test_the_foreign_key_hint_names_a_key_field_other_than_id():
    """``reference warehouses`` would make PyDAL cast the string key to int (DG116):
    the hint names the field, the one form PyDAL keeps its type for."""
    models = [
        table("warehouses", Layer.MODELS, mcol("code", "sqlalchemy.String", 8, primary_key=True)),
        table(
            "stock",
            Layer.MODELS,
            mcol("id", primary_key=True),
            mcol("wh", "sqlalchemy.String", 8, foreign_key=ref("warehouses", "code")),
        ),
        table("teams", Layer.MODELS, mcol("id", primary_key=True)),
        table("users", Layer.MODELS, mcol("id", primary_key=True), mcol("team_id", foreign_key=ref("teams", "id"))),
    ]
    pydal = [
        table("warehouses", Layer.PYDAL, pcol("code", length=8, primary_key=True)),
        table("stock", Layer.PYDAL, pid(), pcol("wh", length=8)),
        table("teams", Layer.PYDAL, pid()),
        table("users", Layer.PYDAL, pid(), pcol("team_id", "integer")),
    ]
    service = Service(name=".", root=Path("."), model_files=(Path("models.py"),), pydal_files=(Path("pydal.py"),))
    ctx = ServiceContext(
        service,
        Config(root=Path(".")),
        models=Schema(Layer.MODELS, tuple(models)),
        pydal=Schema(Layer.PYDAL, tuple(pydal)),
        options=RunOptions(no_migrations=True),
    )
    hints = {f.table: f.hint for f in load_rules()["DG109"].check(ctx)}
    assert hints == {
        "stock": 'use Field("wh", "reference warehouses.code")',
        "users": 'use Field("team_id", "reference teams")',
    }
