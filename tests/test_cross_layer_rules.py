"""DG101-DG114 on Schema objects built directly (as Alembic's tests build two MetaData).

Each row: the two layers in a few lines, and exactly the (code, table, column)
triples expected; the "quiet" rows expect nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.rules import load_rules
from drift_guard.schema import UNKNOWN, Column, ForeignKey, Layer, Location, Schema, Table, UniqueConstraint
from drift_guard.service import Service
from drift_guard.session import RunOptions
from drift_guard.types import model_column_type, pydal_column_type

M = "models.py"
P = "pydal.py"


def mcol(name, sa="sqlalchemy.Integer", *args, line=1, **kw):
    kwargs = kw.pop("type_kwargs", ())
    shown = sa.rsplit(".", 1)[-1] + (f"({', '.join(map(repr, args))})" if args else "")
    ctype = model_column_type(sa, args, kwargs, spelled=shown)
    kw.setdefault("nullable", not kw.get("primary_key", False))
    return Column(name=name, attribute=name, type=ctype, location=Location(M, line, 5), **kw)


def pcol(name, ptype="string", length=None, line=1, **kw):
    kw.setdefault("nullable", not kw.get("primary_key", False))
    return Column(name=name, attribute=name, type=pydal_column_type(ptype, length), location=Location(P, line, 9), **kw)


def pid():
    return pcol("id", "id", primary_key=True, nullable=False)


def ref(table, column=None, ondelete=None):
    return ForeignKey(table=table, column=column, ondelete=ondelete)


def table(name, layer, *columns, **kw):
    path = M if layer is Layer.MODELS else P
    return Table(name=name, layer=layer, location=Location(path, 1, 1), columns=tuple(columns), symbol=name, **kw)


def run(models: list[Table], pydal: list[Table], code: str, **config) -> list[tuple]:
    service = Service(name=".", root=Path("."), model_files=(Path(M),), pydal_files=(Path(P),))
    ctx = ServiceContext(
        service,
        Config(root=Path("."), **config),
        models=Schema(Layer.MODELS, tuple(models)),
        pydal=Schema(Layer.PYDAL, tuple(pydal)),
        options=RunOptions(no_migrations=True),
    )
    rule = load_rules()[code]
    return sorted((f.code, f.table, f.column) for f in rule.check(ctx))


USERS_M = table(
    "users", Layer.MODELS, mcol("id", primary_key=True), mcol("email", "sqlalchemy.String", 255, nullable=False)
)
USERS_P = table("users", Layer.PYDAL, pid(), pcol("email", length=255, nullable=False))

CASES = [
    # code, models, pydal, expected, config
    (
        "DG101",
        [USERS_M, table("api_keys", Layer.MODELS, mcol("id", primary_key=True))],
        [USERS_P],
        [("DG101", "api_keys", None)],
        {},
    ),
    ("DG101", [USERS_M], [USERS_P], [], {}),
    ("DG101", [USERS_M, table("alembic_version", Layer.MODELS)], [USERS_P], [], {"ignore_tables": ("alembic_*",)}),
    ("DG102", [USERS_M], [USERS_P, table("audit_log", Layer.PYDAL, pid())], [("DG102", "audit_log", None)], {}),
    # table-map pairs the names for the comparison, but PyDAL still queries `people`
    (
        "DG102",
        [USERS_M],
        [table("people", Layer.PYDAL, pid(), pcol("email", length=255, nullable=False))],
        [("DG102", "users", None)],
        {"table_map": (("people", "users"),)},
    ),
    # ... unless its rname is the model's table (also quoted, or with a schema)
    *(
        (
            "DG102",
            [USERS_M],
            [
                Table(
                    rname.strip("'"),
                    Layer.PYDAL,
                    Location(P, 1, 1),
                    (pid(), pcol("email", length=255, nullable=False)),
                    symbol="people",
                    options=(("rname", rname),),
                )
            ],
            [],
            {"table_map": (("people", "users"),)},
        )
        for rname in ("'users'", '\'"public"."Users"\'')
    ),
    (
        "DG103",
        [table("users", Layer.MODELS, mcol("id", primary_key=True), mcol("last_login", "sqlalchemy.DateTime"))],
        [table("users", Layer.PYDAL, pid())],
        [("DG103", "users", "last_login")],
        {},
    ),
    (
        "DG103",
        [table("users", Layer.MODELS, mcol("id", primary_key=True), mcol("last_login", "sqlalchemy.DateTime"))],
        [table("users", Layer.PYDAL, pid(), partial=True)],
        [],
        {},
    ),
    (
        "DG103",
        [table("users", Layer.MODELS, mcol("id", primary_key=True), mcol("Email"))],
        [table("users", Layer.PYDAL, pid(), pcol("email", "integer"))],
        [],
        {},
    ),
    (
        "DG104",
        [table("teams", Layer.MODELS, mcol("id", primary_key=True))],
        [table("teams", Layer.PYDAL, pid(), pcol("slug"))],
        [("DG104", "teams", "slug")],
        {},
    ),
    (
        "DG104",
        [table("settings", Layer.MODELS, mcol("key", "sqlalchemy.String", 64, primary_key=True))],
        [table("settings", Layer.PYDAL, pcol("key", length=64, primary_key=True, nullable=False))],
        [],
        {},
    ),
    (
        "DG105",
        [table("t", Layer.MODELS, mcol("meta", "sqlalchemy.JSON"))],
        [table("t", Layer.PYDAL, pcol("meta", "text"))],
        [("DG105", "t", "meta")],
        {},
    ),
    (
        "DG105",
        [table("t", Layer.MODELS, mcol("meta", "sqlalchemy.dialects.postgresql.JSONB"))],
        [table("t", Layer.PYDAL, pcol("meta", "json"))],
        [],
        {},
    ),
    (
        "DG105",
        [table("t", Layer.MODELS, mcol("tags", "sqlalchemy.JSON"))],
        [table("t", Layer.PYDAL, pcol("tags", "list:string"))],
        [("DG105", "t", "tags")],
        {},
    ),
    (
        "DG105",
        [table("t", Layer.MODELS, mcol("tags", "sqlalchemy.Text"))],
        [table("t", Layer.PYDAL, pcol("tags", "list:string"))],
        [],
        {},
    ),
    (
        "DG105",
        [table("t", Layer.MODELS, mcol("n", "sqlalchemy.Integer"))],
        [table("t", Layer.PYDAL, pcol("n", "string"))],
        [("DG105", "t", "n")],
        {},
    ),
    (
        "DG105",
        [table("t", Layer.MODELS, mcol("status", "sqlalchemy.Enum"))],
        [table("t", Layer.PYDAL, pcol("status", "string"))],
        [],
        {},
    ),
    (
        "DG105",
        [table("t", Layer.MODELS, mcol("x", "app.types.Custom"))],
        [table("t", Layer.PYDAL, pcol("x", "integer"))],
        [],
        {},
    ),
    (
        "DG105",
        [table("t", Layer.MODELS, mcol("meta", "sqlalchemy.JSON"))],
        [table("t", Layer.PYDAL, pcol("meta", "text"))],
        [],
        {"type_equivalences": (("JSON", "text"),)},
    ),
    (
        "DG106",
        [table("t", Layer.MODELS, mcol("name", "sqlalchemy.String", 255))],
        [table("t", Layer.PYDAL, pcol("name"))],
        [("DG106", "t", "name")],
        {},
    ),
    (
        "DG106",
        [table("t", Layer.MODELS, mcol("name", "sqlalchemy.String", 512))],
        [table("t", Layer.PYDAL, pcol("name"))],
        [],
        {},
    ),
    (
        "DG106",
        [table("t", Layer.MODELS, mcol("name", "sqlalchemy.String", UNKNOWN))],
        [table("t", Layer.PYDAL, pcol("name", length=20))],
        [],
        {},
    ),
    (
        "DG106",
        [table("t", Layer.MODELS, mcol("amount", "sqlalchemy.Numeric", 12, 2))],
        [table("t", Layer.PYDAL, pcol("amount", "decimal(10,2)"))],
        [("DG106", "t", "amount")],
        {},
    ),
    (
        "DG106",
        [table("t", Layer.MODELS, mcol("amount", "sqlalchemy.Numeric", 10, 2))],
        [table("t", Layer.PYDAL, pcol("amount", "decimal(10, 2)"))],
        [],
        {},
    ),
    (
        "DG107",
        [table("t", Layer.MODELS, mcol("name", "sqlalchemy.String", 20, nullable=False))],
        [table("t", Layer.PYDAL, pcol("name", length=20))],
        [("DG107", "t", "name")],
        {},
    ),
    (
        "DG107",
        [table("t", Layer.MODELS, mcol("name", "sqlalchemy.String", 20))],
        [table("t", Layer.PYDAL, pcol("name", length=20, nullable=False))],
        [("DG107", "t", "name")],
        {},
    ),
    (
        "DG107",
        [table("t", Layer.MODELS, mcol("name", "sqlalchemy.String", 20, nullable=UNKNOWN))],
        [table("t", Layer.PYDAL, pcol("name", length=20))],
        [],
        {},
    ),
    (
        "DG108",
        [table("t", Layer.MODELS, mcol("email", "sqlalchemy.String", 20, unique=True))],
        [table("t", Layer.PYDAL, pcol("email", length=20))],
        [("DG108", "t", "email")],
        {},
    ),
    (
        "DG108",
        [
            table(
                "t",
                Layer.MODELS,
                mcol("email", "sqlalchemy.String", 20),
                unique_constraints=(UniqueConstraint(None, ("email",), Location(M)),),
            )
        ],
        [table("t", Layer.PYDAL, pcol("email", length=20, unique=True))],
        [],
        {},
    ),
    (
        "DG108",
        [
            table(
                "t",
                Layer.MODELS,
                mcol("a"),
                mcol("b"),
                unique_constraints=(UniqueConstraint(None, ("a", "b"), Location(M)),),
            )
        ],
        [table("t", Layer.PYDAL, pcol("a", "integer"), pcol("b", "integer"))],
        [],
        {},
    ),
    (
        "DG109",
        [table("t", Layer.MODELS, mcol("team_id", foreign_key=ref("teams", "id")))],
        [table("t", Layer.PYDAL, pcol("team_id", "integer"))],
        [("DG109", "t", "team_id")],
        {},
    ),
    (
        "DG109",
        [table("t", Layer.MODELS, mcol("team_id", foreign_key=ref("teams", "id")))],
        [
            table("t", Layer.PYDAL, pcol("team_id", "reference users", foreign_key=ref("users", None, "CASCADE"))),
            table("users", Layer.PYDAL, pid()),
        ],
        [("DG109", "t", "team_id")],
        {},
    ),
    (
        "DG109",
        [table("t", Layer.MODELS, mcol("team_id", foreign_key=ref("teams", "id", "CASCADE")))],
        [
            table("t", Layer.PYDAL, pcol("team_id", "reference teams", foreign_key=ref("teams", None, "CASCADE"))),
            table("teams", Layer.PYDAL, pid()),
        ],
        [],
        {},
    ),
    (
        "DG110",
        [table("s", Layer.MODELS, mcol("key", "sqlalchemy.String", 64, primary_key=True))],
        [table("s", Layer.PYDAL, pid(), pcol("key", length=64))],
        [("DG110", "s", "key")],
        {},
    ),
    ("DG110", [table("s", Layer.MODELS, mcol("id", primary_key=True))], [table("s", Layer.PYDAL, pid())], [], {}),
    (
        "DG111",
        [table("t", Layer.MODELS, mcol("user_id", foreign_key=ref("users", "id")))],
        [
            table("t", Layer.PYDAL, pcol("user_id", "reference users", foreign_key=ref("users", None, "CASCADE"))),
            table("users", Layer.PYDAL, pid()),
        ],
        [("DG111", "t", "user_id")],
        {},
    ),
    (
        "DG111",
        [table("t", Layer.MODELS, mcol("user_id", foreign_key=ref("users", "id", "SET NULL")))],
        [
            table("t", Layer.PYDAL, pcol("user_id", "reference users", foreign_key=ref("users", None, "SET NULL"))),
            table("users", Layer.PYDAL, pid()),
        ],
        [],
        {},
    ),
    (
        "DG113",
        [],
        [table("t", Layer.PYDAL, pid(), pcol("retries", "big-integer"), pcol("amount", "decimal"))],
        [("DG113", "t", "amount"), ("DG113", "t", "retries")],
        {},
    ),
    (
        "DG113",
        [],
        [table("t", Layer.PYDAL, pid(), pcol("n", "bigint"), pcol("a", "decimal(10,2)"), pcol("r", "reference t"))],
        [],
        {},
    ),
    (
        "DG114",
        [],
        [table("t", Layer.PYDAL, pid()), table("t", Layer.PYDAL, pid(), pcol("slug"))],
        [("DG114", "t", None)],
        {},
    ),
    ("DG114", [], [table("t", Layer.PYDAL, pid()), table("u", Layer.PYDAL, pid())], [], {}),
]


@pytest.mark.parametrize(
    "code, models, pydal, expected, config", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_cases(code, models, pydal, expected, config):
    assert run(models, pydal, code, **config) == expected


def test_duplicate_severity_depends_on_identity():
    service = Service(name=".", root=Path("."), pydal_files=(Path(P),))
    same = [table("t", Layer.PYDAL, pid()), Table("t", Layer.PYDAL, Location(P, 9, 1), (pid(),), symbol="t")]
    ctx = ServiceContext(
        service, Config(root=Path(".")), models=Schema(Layer.MODELS), pydal=Schema(Layer.PYDAL, tuple(same))
    )
    [found] = list(load_rules()["DG114"].check(ctx))
    assert found.severity.value == "warning" and "identical" in found.message
    assert found.location == Location(P, 9, 1) and found.related == (Location(P, 1, 1),)


def test_messages_spell_both_sides_and_locate_at_pydal():
    models = [table("users", Layer.MODELS, mcol("full_name", "sqlalchemy.String", 255, line=7))]
    pydal = [table("users", Layer.PYDAL, pcol("full_name", line=12))]
    service = Service(name=".", root=Path("."), model_files=(Path(M),), pydal_files=(Path(P),))
    ctx = ServiceContext(
        service,
        Config(root=Path(".")),
        models=Schema(Layer.MODELS, tuple(models)),
        pydal=Schema(Layer.PYDAL, tuple(pydal)),
    )
    [found] = list(load_rules()["DG106"].check(ctx))
    assert found.message == (
        "column `users.full_name` is `String(255)` (length 255) in the model "
        "vs 'string' (length 512, PyDAL's default) in PyDAL"
    )
    assert found.location == Location(P, 12, 9)
    assert found.related == (Location(M, 7, 5),)
    assert found.hint == "set length=255 on the PyDAL field"
