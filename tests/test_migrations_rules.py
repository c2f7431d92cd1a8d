"""DG201-DG206 through the rule registry: each fixture project gives exactly its
finding, the clean one none, and the rules stay quiet when disabled."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_migrations import NICKNAME, clean_models
from test_migrations_helpers import DATA, col, schema, service_for, table

from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.rules import RULES, load_rules
from drift_guard.session import RunOptions

CODES = ("DG201", "DG202", "DG203", "DG204", "DG205", "DG206")


def context(root: Path, models, *, options=None, **service_kw) -> ServiceContext:
    return ServiceContext(service_for(root, **service_kw), Config(root=root), models=models, options=options)


def findings(ctx: ServiceContext, codes=CODES):
    load_rules()
    return [f for code in codes for f in RULES[code].check(ctx)]


def models_for(case: str):
    root = DATA / case
    extra = {
        "dg201_model_column": dict(users_extra=(col("new_field", "String", 255),)),
        "dg202_two_heads": dict(users_extra=(NICKNAME,), posts_extra=(col("published", "Boolean"),)),
        "dg203_broken_graph": dict(users_extra=(NICKNAME,)),
        "dg204_empty_downgrade": dict(users_extra=(NICKNAME,)),
        "dg205_failing_revision": dict(users_extra=(NICKNAME,)),
    }.get(case, {})
    return clean_models(root, **extra)


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        (
            "dg201_model_column",
            "DG201",
            "column `users.new_field` (`String(255)`) is in the model but no migration adds it",
        ),
        (
            "dg201_migration_column",
            "DG201",
            "column `users.legacy_code` (`VARCHAR(20)`) is added by a migration but is not in the model",
        ),
        ("dg202_two_heads", "DG202", "2 heads: `0004a` ("),
        ("dg203_broken_graph", "DG203", "`down_revision` of revision `0004` names `0003_typo`, which does not exist"),
        (
            "dg204_empty_downgrade",
            "DG204",
            "revision `0004` has an empty downgrade() but its upgrade() changes the schema",
        ),
        (
            "dg205_failing_revision",
            "DG205",
            "revision `0004` failed on the scratch sqlite database: no such table: userz",
        ),
    ],
)
def test_each_fixture_gives_exactly_its_finding(case, code, message):
    found = findings(context(DATA / case, models_for(case)))
    assert [f.code for f in found] == [code]
    assert found[0].message.startswith(message)


def test_clean_fixture_is_quiet():
    assert findings(context(DATA / "clean", models_for("clean"))) == []


def test_dg201_hint_and_locations():
    (item,) = findings(context(DATA / "dg201_model_column", models_for("dg201_model_column")), ("DG201",))
    assert item.hint.startswith("cd dg201_model_column && alembic revision --autogenerate -m ")
    assert item.location.path.endswith("models.py") and item.column == "new_field"
    (item,) = findings(context(DATA / "dg201_migration_column", models_for("clean")), ("DG201",))
    assert item.location.path.endswith("0004_users_legacy_code.py")


def test_dg202_names_heads_and_files():
    (item,) = findings(context(DATA / "dg202_two_heads", models_for("dg202_two_heads")), ("DG202",))
    assert "0004a_posts_published.py" in item.message and "0004b_users_nickname.py" in item.message
    assert "alembic merge heads" in item.hint


def test_dg205_is_located_at_the_op_line():
    (item,) = findings(context(DATA / "dg205_failing_revision", models_for("dg205_failing_revision")), ("DG205",))
    assert item.location.path.endswith("0004_users_nickname.py") and item.location.line == 19


def _dg206_models(root: Path):
    models = clean_models(root)
    billing = root / "app" / "db" / "billing.py"
    invoices = table(billing, "invoices", col("id", "Integer", pk=True), col("amount", "Integer", nullable=False))
    return schema(*models.tables, invoices)


def test_dg206_unreachable_models_module():
    root = DATA / "dg206_unreachable_models"
    ctx = context(
        root,
        _dg206_models(root),
        model_bases=("app.db.models.Base",),
        env_reached_files=(root / "app" / "db" / "models.py",),
    )
    found = findings(ctx)
    assert [(f.code, f.table) for f in found] == [("DG206", "invoices")]
    assert found[0].location.path.endswith("billing.py")


@pytest.mark.parametrize(
    "service_kw",
    [
        dict(model_bases=(), env_reached_files=()),  # fallback mode: reach is unknown
        dict(
            model_bases=("app.db.models.Base",),
            env_reached_files=(
                DATA / "dg206_unreachable_models/app/db/models.py",
                DATA / "dg206_unreachable_models/app/db/billing.py",
            ),
        ),
    ],
)
def test_dg206_stays_quiet(service_kw):
    root = DATA / "dg206_unreachable_models"
    assert findings(context(root, _dg206_models(root), **service_kw), ("DG206",)) == []


@pytest.mark.parametrize(
    ("options", "service_kw"),
    [(RunOptions(no_migrations=True), {}), (RunOptions(), {"alembic_ini": None})],
)
def test_rules_stay_quiet_when_disabled(options, service_kw):
    root = DATA / "dg205_failing_revision"
    ctx = ServiceContext(
        service_for(root, **service_kw) if not service_kw else _without_ini(root),
        Config(root=root),
        models=models_for("dg205_failing_revision"),
        options=options,
    )
    assert findings(ctx) == []
    assert "migrations" not in ctx.__dict__  # nothing was replayed


def _without_ini(root: Path):
    from dataclasses import replace

    return replace(service_for(root), alembic_ini=None)


def test_rule_docs_have_the_headings():
    load_rules()
    for code in CODES:
        doc = RULES[code].doc
        for heading in ("What it does", "Why is this bad?", "Example", "How to fix"):
            assert f"## {heading}" in doc, (code, heading)
