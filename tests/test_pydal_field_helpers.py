"""PyDAL fields built by helpers with parameters and by
``**options`` spreads, as real projects write them (found by running
drift-guard on hand-built in-sync projects)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from test_extract_pydal_helpers import HEADER, extract, messages

from drift_guard.cli import main
from drift_guard.schema import UNKNOWN

HELPERS = """
def money(name, **kw):
    return Field(name, "decimal(12,2)", default=0, **kw)

def text_field(name, length=64, notnull=False):
    return Field(name, "string", length=length, notnull=notnull)

COMMON = dict(notnull=True, unique=True)
"""

# (id, field expression, expected (name, pydal type, length, nullable, unique))
BOUND_CASES = [
    ("positional name", 'money("total")', ("total", "decimal(12,2)", None, True, False)),
    ("extra keywords reach **kw", 'money("total", notnull=True)', ("total", "decimal(12,2)", None, False, False)),
    ("defaults of the helper", 'text_field("code")', ("code", "string", 64, True, False)),
    ("keyword arguments", 'text_field(name="code", length=8, notnull=True)', ("code", "string", 8, False, False)),
    ("positional default overridden", 'text_field("code", 12)', ("code", "string", 12, True, False)),
    ("dict() spread", 'Field("code", length=5, **COMMON)', ("code", "string", 5, False, True)),
    ("dict literal spread", 'Field("code", **{"notnull": True})', ("code", "string", 512, False, False)),
]


@pytest.mark.parametrize("expr, expected", [c[1:] for c in BOUND_CASES], ids=[c[0] for c in BOUND_CASES])
def test_helper_arguments_are_bound(tmp_path, expr, expected):
    schema = extract(tmp_path, {"app/models.py": HEADER + HELPERS + f"db.define_table('t', {expr})\n"})
    (table,) = schema.tables
    column = table.columns[-1]
    got = (column.name, column.type.pydal_type, column.type.length, column.nullable, column.unique)
    assert got == expected
    assert messages(schema) == [] and table.partial is False


def test_helper_field_is_located_at_the_call(tmp_path):
    source = HEADER + HELPERS + "db.define_table('t',\n    money('total'),\n)\n"
    schema = extract(tmp_path, {"app/models.py": source})
    column = schema.tables[0].columns[-1]
    call_line = source.splitlines().index("    money('total'),") + 1
    assert (column.location.line, column.location.column) == (call_line, 5)


# Calls that cannot be bound stay unresolved (DG002), as before: no guessing.
UNBOUND_CASES = [
    ("star args at the call", "args = ('x',)\n", "money(*args)"),
    ("missing argument", "", "money()"),
    ("unexpected keyword", "", "text_field('x', colour='red')"),
    ("too many positionals", "", "text_field('x', 1, True, 4)"),
]


@pytest.mark.parametrize("before, expr", [c[1:] for c in UNBOUND_CASES], ids=[c[0] for c in UNBOUND_CASES])
def test_unbindable_calls_stay_unresolved(tmp_path, before, expr):
    schema = extract(tmp_path, {"app/models.py": HEADER + HELPERS + before + f"db.define_table('t', {expr})\n"})
    (table,) = schema.tables
    assert table.partial is True
    assert any("not a literal" in m or "cannot" in m for m in messages(schema)), messages(schema)


def test_unreadable_spread_makes_unspelled_options_unknown(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/models.py": HEADER + "def opts():\n    return {}\n"
            "db.define_table('t', Field('a', length=5, **opts()))\n"
        },
    )
    column = schema.tables[0].columns[-1]
    assert column.type.length == 5  # spelled out: still known
    assert column.nullable is UNKNOWN and column.unique is UNKNOWN
    assert len(messages(schema)) == 1 and "**opts()" in messages(schema)[0]


MODEL = """\
from sqlalchemy import BigInteger, Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    code = Column(String(10), nullable=False)
    total = Column(BigInteger, nullable=False)
"""

PYDAL = """\
from pydal import DAL, Field

from app.fields import OPTS, money

db = DAL("sqlite://x.db", migrate=False)
db.define_table(
    "orders",
    Field("code", length=10, **OPTS),
    money("total"{total_kw}),
)
"""

FIELDS = """\
from pydal import Field

OPTS = dict(notnull=True)


def money(name, **kw):
    return Field(name, "bigint", default=0, **kw)
"""


def _project(root: Path, total_kw: str) -> Path:
    service = root / "services" / "shop"
    files = {
        "app/__init__.py": "",
        "app/db/__init__.py": "",
        "app/db/models.py": MODEL,
        "app/fields.py": FIELDS,
        "app/models.py": PYDAL.format(total_kw=total_kw),
    }
    for rel, text in files.items():
        path = service / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_in_sync_project_with_helpers_stays_quiet(tmp_path, capsys):
    root = _project(tmp_path, ", notnull=True")
    assert main(["check", "--no-migrations", "-q", str(root)]) == 0
    assert capsys.readouterr().out == ""


def test_drift_through_a_helper_is_reported_once_at_the_call(tmp_path, capsys):
    root = _project(tmp_path, "")
    assert main(["check", "--no-migrations", "-q", "--format", "json", str(root)]) == 1
    import json

    findings = json.loads(capsys.readouterr().out)
    findings = findings["findings"] if isinstance(findings, dict) else findings
    assert [(f["code"], f["location"]["path"].rsplit("/", 1)[-1], f["location"]["line"]) for f in findings] == [
        ("DG107", "models.py", 9)
    ]
