"""The rules' documented examples, run as projects (as Fixit runs VALID/INVALID).

Each rule's "Example" must make the rule fire and its "Use instead" must not,
so the documentation cannot rot into code that no longer shows the rule. An
example is a fragment, so it is spliced into a small frame project by what its
lines are: a SQLAlchemy column line (``name = Column(...)``) goes into the
model class of the example's table, a ``Field(...)`` line into its
``db.define_table``, whole classes and ``db.define_table`` calls stay as
written, and for the runtime rules the fragment is a module of the service.
Every other table the fragment names is added to both layers, consistently.

The examples that are not code of a service (a baseline entry, a ``.table``
file, a revision history) are listed in ``NOT_A_SERVICE`` with the reason; the
list is checked exactly, so a new rule either has runnable examples or is
listed there on purpose.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import textwrap
import tokenize
from pathlib import Path

import pytest

from drift_guard.cli import main
from drift_guard.rules import load_rules

NOT_A_SERVICE = {
    "DG003": "the example is one line of a suppression; tests/test_suppressions.py runs directives",
    "DG004": "the example is a baseline entry (JSON), not code",
    "DG201": "needs a revision history; tests/rules/DG201 and the sample projects hold them",
    "DG202": "needs a revision history (two heads); tests/rules/DG202",
    "DG203": "needs a revision history (a broken graph); tests/rules/DG203",
    "DG204": "needs a revision history; tests/rules/DG204",
    "DG205": "needs a revision history that fails to replay; tests/rules/DG205",
    "DG206": "needs an Alembic env.py and a models package; tests/rules/DG206",
    "DG207": "needs a revision history (a downgrade that does not reverse); tests/rules/DG207",
    "DG208": "needs a revision history with raw SQL; tests/rules/DG208",
    "DG209": "needs a revision history importing a missing package; the Use instead is hook configuration; "
    "tests/rules/DG209",
    "DG210": "the example is the environment (pgserver not installed) and the Use instead hook configuration; "
    "tests/rules/DG210 and tests/test_embedded_postgres.py",
    "DG306": "the example is a PyDAL .table file, not code",
    "DG403": "the example is a comment (a service without PyDAL); tests/rules/DG403",
}
RUNTIME = {"DG301", "DG302", "DG303", "DG304", "DG305", "DG401", "DG402"}

MODEL_HEADER = """\
import enum

from sqlalchemy import JSON, Boolean, Column, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, mapped_column

Base = declarative_base()
"""
PYDAL_HEADER = """\
from pydal import DAL, Field
from pydal.validators import IS_EMPTY_OR, IS_IN_SET

db = DAL("{uri}", migrate=False, fake_migrate_all=True)
"""


def _section(doc: str, heading: str) -> str:
    match = re.search(rf"## {heading}\n(.*?)(?=\n## |\Z)", doc, re.S)
    return match.group(1) if match else ""


def _code(doc: str, heading: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", _section(doc, heading), re.S)
    assert len(blocks) == 1, f"{heading}: one python block expected"
    return blocks[0]


def _without_comment(line: str) -> str:
    """The line without its trailing comment (a ``#`` inside a string stays)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            if token.type == tokenize.COMMENT:
                return line[: token.start[1]].rstrip()
    except (tokenize.TokenError, SyntaxError):
        pass
    return line.rstrip()


def _class_name(table: str) -> str:
    return "".join(part.title() for part in table.split("_")) + "Row"


def _cross_layer_project(code: str) -> dict[str, str]:
    """models.py and pydal_tables.py from a fragment of either or both layers."""
    model_lines: list[str] = []  # module level, as written (classes)
    pydal_lines: list[str] = []  # module level, as written (define_table, DAL)
    columns: list[str] = []  # column lines for the frame's model class
    fields: list[str] = []  # Field(...) lines for the frame's define_table
    in_class = False
    for raw in code.splitlines():
        line = _without_comment(raw)
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not in_class):
            continue
        if stripped.startswith("class "):
            in_class = True
            model_lines.append(line)
        elif in_class and raw.startswith((" ", "\t")):
            model_lines.append(line)
        else:
            in_class = False
            if stripped.startswith("Field("):
                fields.append(stripped.rstrip(","))
            elif stripped.startswith(("db.", "db(")) or re.match(r"^[A-Z_]+ = ", stripped):
                pydal_lines.append(stripped)
            else:
                columns.append(stripped)
    defined_pydal = re.findall(r'define_table\(\s*"(\w+)"', "\n".join(pydal_lines))
    defined_models = re.findall(r'__tablename__ = "(\w+)"', "\n".join(model_lines))
    named = set(re.findall(r'(?:ForeignKey\("|reference )(\w+)', code))
    table = (defined_pydal or defined_models or ["things"])[0]
    if columns:
        keyed = any("primary_key=True" in c for c in columns)
        body = ([] if keyed else ["id = Column(Integer, primary_key=True)"]) + columns
        model_lines += [f"class {_class_name(table)}(Base):", f'    __tablename__ = "{table}"']
        model_lines += [f"    {c}" for c in body]
    if fields and table not in defined_pydal:
        pydal_lines.append(f'db.define_table("{table}", {", ".join(fields)})')
    elif columns and table not in defined_pydal and defined_models == []:
        pydal_lines.append(f'db.define_table("{table}")')
    for other in sorted(named - {table} - set(defined_models) - set(defined_pydal)):
        model_lines += [
            f"class {_class_name(other)}(Base):",
            f'    __tablename__ = "{other}"',
            "    id = Column(Integer, primary_key=True)",
        ]
        pydal_lines.append(f'db.define_table("{other}")')
    uri = "mysql://app@db/app" if "mysql://" in code else "sqlite:memory"
    # one table both layers agree on, so that neither layer is empty
    model_lines += [
        "class FrameRow(Base):",
        '    __tablename__ = "frame"',
        "    id = Column(Integer, primary_key=True)",
    ]
    pydal_lines.append('db.define_table("frame")')
    return {
        "pydal_tables.py": PYDAL_HEADER.format(uri=uri) + "\n" + "\n".join(pydal_lines) + "\n",
        "models.py": MODEL_HEADER + "\n\n" + "\n".join(model_lines) + "\n",  # the model layer, if empty
    }


def _runtime_project(code: str) -> dict[str, str]:
    """A service whose runtime module is the fragment (in a function when it returns)."""
    body = textwrap.dedent(code)
    if re.search(r"^\s*return\b", body, re.M) and not body.lstrip().startswith("def "):
        body = "def handler(email, engine, address):\n" + textwrap.indent(body, "    ")
    header = "import os\n\nfrom pydal import DAL, Field\n\nuri = 'sqlite:memory'\n"
    if not re.search(r"^db = ", body, re.M) and "def init_pydal" not in body:
        header += "db = DAL(uri, migrate=False, fake_migrate_all=True)\n"
    models = MODEL_HEADER + '\n\nclass User(Base):\n    __tablename__ = "users"\n'
    models += "    id = Column(Integer, primary_key=True)\n    email = Column(String(512))\n"
    return {
        "app/__init__.py": "",
        "app/db/__init__.py": "",
        "app/db/models.py": models,
        "app/models.py": PYDAL_HEADER.format(uri="sqlite:memory") + '\ndb.define_table("users", Field("email"))\n',
        "app/views.py": header + "\n" + body,
    }


def _project(code: str, rule: str) -> dict[str, str]:
    if rule == "DG001":
        return {"models.py": code, "pydal_tables.py": PYDAL_HEADER.format(uri="sqlite:memory")}
    if rule in RUNTIME:
        return _runtime_project(code)
    return _cross_layer_project(code)


def _reported(tmp_path: Path, files: dict[str, str], rule: str, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / ".git").mkdir(exist_ok=True)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", "--select", rule, "--no-migrations", "--format", "json"])
    return [f for f in json.loads(out.getvalue())["findings"] if f["code"] == rule]


RUNNABLE = sorted(code for code in load_rules() if code not in NOT_A_SERVICE)


def test_the_exemptions_are_real_rules_and_deliberate():
    assert set(NOT_A_SERVICE) <= set(load_rules())
    assert len(RUNNABLE) >= 20


@pytest.mark.parametrize("rule", RUNNABLE)
def test_the_example_fires(rule, tmp_path, monkeypatch):
    files = _project(_code(load_rules()[rule].doc, "Example"), rule)
    found = _reported(tmp_path, files, rule, monkeypatch)
    assert found, f"{rule}'s documented example does not fire; project:\n{files}"


@pytest.mark.parametrize("rule", RUNNABLE)
def test_the_fix_is_quiet(rule, tmp_path, monkeypatch):
    files = _project(_code(load_rules()[rule].doc, "Use instead"), rule)
    found = _reported(tmp_path, files, rule, monkeypatch)
    assert found == [], f"{rule}'s documented fix still fires: {found}; project:\n{files}"
