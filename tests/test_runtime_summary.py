"""The one-walk runtime summary: plain data, positions as libcst gave them,
source text as written, and deeply nested code read without recursion."""

from __future__ import annotations

import ast
import dataclasses
import enum
import textwrap
from pathlib import Path

from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.extract.runtime import runtime_problems, runtime_summaries, summarize_bytes
from drift_guard.extract.runtime.layers import layer_uses
from drift_guard.extract.runtime.summary import RuntimeSummary, summarize_runtime
from drift_guard.rules import load_rules
from drift_guard.schema import UNKNOWN, Location
from drift_guard.service import Service

RULES = load_rules()


def summarize(source: str, module: str | None = "app.db", package: str | None = "app") -> RuntimeSummary:
    text = textwrap.dedent(source)
    return summarize_runtime(ast.parse(text), "app/db.py", module=module, package=package, text=text)


def _plain(value: object) -> bool:
    if value is None or value is UNKNOWN or isinstance(value, (str, int, float, bool, enum.Enum, Location)):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(_plain(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        params = type(value).__dataclass_params__
        return params.frozen and all(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


EVERYTHING = """
import os
from pydal import DAL, Field
from sqlalchemy.orm import Session, declarative_base
from sqlalchemy import select
from .models import User

Base = declarative_base()

class Extra(Base):
    pass

def get_db(migrate=True):
    import json
    return DAL(os.environ.get("DB", "postgres://x"), migrate=migrate, **opts)

db = get_db()
db.define_table("users", Field("email"), migrate="users.table")
db.users.nick = Field.Virtual("nick", lambda row: 1)
db.executesql("DROP TABLE " + name)

def query(engine, other: DAL):
    with Session(engine) as session:
        return session.execute(select(User)).all(), other.users.email
"""


def test_summary_is_plain_data() -> None:
    summary = summarize(EVERYTHING)
    assert _plain(summary)
    assert summary.dal_calls and summary.define_tables and summary.sql_calls
    assert summary.imports and summary.sqla_uses and summary.declarative_bases and summary.queries
    assert summary.dal_names == {"other"} and summary.factories == {"get_db"}
    assert ("db", frozenset({"app.db.get_db"})) in summary.bound_calls
    assert summary.extra_attributes == {"nick"}
    assert [i.in_function for i in summary.imports if i.module == "json"] == [True]


def test_summary_survives_the_cache_codec() -> None:
    import json

    from drift_guard.codec import decode, dumps, encode, loads

    summary = summarize(EVERYTHING)
    assert loads(dumps(summary)) == summary  # as stored
    assert decode(json.loads(json.dumps(encode(summary)))) == summary  # as digested


def test_flags_are_spelled_as_written_with_their_parentheses() -> None:
    summary = summarize(
        """\
        from pydal import DAL
        db = DAL("sqlite://x", migrate=(  # why
            True), fake_migrate_all=( False ), **(opts))
        """
    )
    (call,) = summary.dal_calls
    assert (call.migrate.spelled, call.migrate.value) == ("(  # why\n    True)", True)
    assert call.fake_migrate_all.spelled == "( False )"
    assert call.star_kwargs == "(opts)"


def test_columns_are_characters_not_utf8_bytes() -> None:
    summary = summarize(
        """\
        from pydal import DAL
        s = "é😀"; db = DAL("sqlite://x")
        t = "ß"; db.users.email
        """
    )
    assert (summary.dal_calls[0].location.line, summary.dal_calls[0].location.column) == (2, 16)
    assert [(c.parts, c.location.column) for c in summary.chains] == [(("db", "users", "email"), 10)]


def test_statement_text_keeps_its_own_parentheses_only() -> None:
    summary = summarize(
        """\
        from sqlalchemy import select
        a = (select(User))
        b = session.execute(select(User.id))
        c = (select(User)
             .where(User.id == 1))
        """
    )
    assert [u.spelled for u in summary.sqla_uses] == ["(select(User))", "select(User.id)", "select(User)"]


def test_continuation_lines_lose_the_block_indentation_but_strings_keep_theirs() -> None:
    source = (
        "from sqlalchemy import select\n"
        "class Repo:\n"
        "    def find(self):\n"
        "        return session.execute(select(\n"
        "            User.id,  # why\n"
        '            text("""\n'
        '                kept"""),\n'
        "      User.name))\n"
    )
    (use,) = summarize(source).sqla_uses
    # as libcst printed the node: 8 columns of block indentation off each continuation line
    assert use.spelled == 'select(\n    User.id,  # why\n    text("""\n                kep'  # the first 60 characters


def test_declarative_bases_count_later_subclasses() -> None:
    summary = summarize(
        """\
        from sqlalchemy.orm import DeclarativeBase, declarative_base
        class Early(Base): pass
        Base = declarative_base()
        class A(Base): pass
        class Second(DeclarativeBase): pass
        class B(Second): pass
        class C(Second): pass
        """
    )
    assert [u.spelled for u in layer_uses(summary)] == [
        "Base = declarative_base() (1 model class)",
        "class Second(DeclarativeBase) (2 model classes)",
    ]


def test_deep_nesting_is_read_not_recursed() -> None:
    chain = " + ".join(f"a{i}" for i in range(400))
    calls = "f(" * 150 + "DAL('sqlite://deep', migrate=" + "not " * 3 + "False)" + ")" * 150
    texts = "text(" * 150 + "'DROP TABLE d'" + ")" * 150
    attribute = "db." + ".".join(f"a{i}" for i in range(300))
    source = f"from pydal import DAL\ndb.executesql('CREATE TABLE x ' + {chain})\nx = {calls}\ndb.executesql({texts})\ny = {attribute}\n"
    result = summarize_bytes(source.encode(), "deep.py", module="deep", package="")
    assert isinstance(result, RuntimeSummary)
    assert [c.sql for c in result.sql_calls] == ["CREATE TABLE x " + "{...}" * 400, "DROP TABLE d"]
    (call,) = result.dal_calls
    assert (call.uri, call.migrate.value) == ("sqlite://deep", True)
    assert len(result.chains[0].parts) == 301


def _ctx(root: Path, files: dict[str, str | bytes], **config: object) -> ServiceContext:
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        paths.append(path)
    return ServiceContext(Service("svc", root, python_files=tuple(paths)), Config(root=root, **config))


def test_unreadable_runtime_modules_reach_dg001(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {
            "app/ok.py": "from pydal import DAL\ndb = DAL('sqlite://x', migrate=True)\n",
            "app/broken.py": "def (:\n",
            "app/latin.py": b"x = '\xe9'\n",
        },
    )
    assert len(runtime_problems(ctx)) == 2  # scans if no rule did yet: DG001 does not depend on rule order
    assert [p.name for p, _ in runtime_summaries(ctx)] == ["ok.py"]
    found = sorted(
        (f.location.path.rsplit("/", 1)[-1], f.location.line, f.location.column) for f in RULES["DG001"].check(ctx)
    )
    assert found == [("broken.py", 1, 5), ("latin.py", 1, 6)]


def test_max_file_size_applies_to_runtime_modules(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path, {"app/db.py": "from pydal import DAL\ndb = DAL('sqlite://x', migrate=True)\n"}, max_file_size=10
    )
    assert runtime_summaries(ctx) == []
    (problem,) = runtime_problems(ctx)
    assert "parse limit" in problem.message
