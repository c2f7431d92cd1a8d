"""Cross-check: the extractor's static reading agrees with REAL PyDAL's Table objects.

Each source below is both extracted statically and executed with pydal itself
(``DAL('sqlite:memory', migrate=False)``: tables are built, no DDL is run), then
every table's column names, types, primary key, NOT NULL, unique, string length,
database names and reference actions are compared. This is the proof that the
extractor reproduces PyDAL's quirks rather than our idea of them.
"""

from __future__ import annotations

import textwrap

import pytest
from test_extract_pydal_helpers import HEADER, extract

from drift_guard.extract.pydal.values import unquote_rname
from drift_guard.types import pydal_reference_target

SOURCES = {
    "field arguments": """
        db.define_table("person",
            Field("name", length=64, notnull=True, unique=True),
            Field("bio", "text"), Field("secret", "password"), Field("doc", "upload", length=100),
            Field("age", "integer", required=True), Field("score", "double"), Field("price", "decimal(10,2)"),
            Field("flag" "boolean"), Field("born", type="date"), Field("meta", "json"),
            Field("tags", "list:string"), Field("nums", "list:integer"), Field("n", "string", 40),
            Field("loose", nullable=False, index=True, primary_key=True),
        )
    """,
    "implicit id quirks": """
        db.define_table("a", Field("id", "big-id"), Field("x"))
        db.define_table("b", Field("id", "integer"), Field("x"))
        db.define_table("c", Field("my_id", "id"), Field("x"))
        db.define_table("d", Field("id", "id"), Field("x"))
        db.define_table("e", Field("bid", "big-id"), Field("x"))
    """,
    "duplicates and virtual fields": """
        common = [Field("x", "integer"), Field("y")]
        db.define_table("t", Field("x"), *common, Field("x", "boolean"), Field.Virtual("v", lambda r: 1),
                        Field.Method("m", lambda r: 1))
    """,
    "keyed tables": """
        db.define_table("k", Field("a", "integer"), Field("b"), Field("c"), primarykey=["a", "b"])
        db.define_table("k1", Field("code"), Field("label", unique=True), primarykey=["code"])
        db.define_table("ref", Field("kc", "reference k1.code", ondelete="NO ACTION"))
    """,
    "references and names": """
        db.define_table("owner", Field("n", rname='"Full Name"'), rname='"Owners"')
        db.define_table("pet",
            Field("o1", "reference owner"), Field("o2", db.owner, ondelete="set null"),
            Field("o3", db["owner"], onupdate="restrict"), Field("o4", "big-reference owner"),
            Field("many", "list:reference owner"), Field("self_ref", "reference pet"),
        )
    """,
    "inheritance lists dicts helpers": """
        def stamps():
            return [Field("created", "datetime"), Field("updated", "datetime")]
        base = db.define_table("base", Field("a"), Field("b", "integer", notnull=True))
        db.define_table("child", base, Field("a", "boolean"), Field("c"))
        db.define_table("grouped", [Field("p"), Field("q", "integer")], {"fieldname": "r", "type": "text"},
                        *stamps())
        db.define_table("kw", fields=[Field("f1"), Field("id", "integer")])
        db.define_table("helper_positional", stamps(), Field("z"))
    """,
    "table templates": """
        sig = db.Table(db, "sig", Field("created", "datetime"), Field("parent", "reference sig"),
                       Field("x", "integer", notnull=True))
        db.define_table("doc", Field("x"), sig, Field("title"), rname="documents")
        db.define_table("doc2", db.Table(db, "t2", Field("a", length=9)), Field("link", "reference doc"))
    """,
    "empty and None rnames are the defaults": """
        db.define_table("r", Field("x", rname=None), Field("y", rname=""), rname="")
        db.define_table("s", Field("x"), rname=None)
    """,
    "constants and imports-free indirection": """
        NAME = "n"
        SIZE = 20
        KIND = "string"
        name_field = Field(NAME, KIND, SIZE, notnull=True)
        opts = {"fieldname": "o", "type": "integer", "unique": True}
        db.define_table("c", name_field, opts, Field("p", **{"type": "boolean", "notnull": True}))
    """,
}


def _pydal_view(db) -> dict[str, tuple]:
    view = {}
    for name in db.tables:
        table = db[name]
        keys = set(getattr(table, "_primarykey", None) or [])
        columns = []
        for fname in table.fields:
            f = table[fname]
            stringlike = f.type in ("string", "password", "upload")
            is_id = f.type in ("id", "big-id")
            ref = None
            target = pydal_reference_target(f.type) if isinstance(f.type, str) else None
            if target is not None:
                ref = (unquote_rname(db[target[0]]._rname).lower(), target[1], f.ondelete, f.onupdate)
            columns.append(
                (
                    fname,
                    unquote_rname(f._rname),
                    f.type,
                    f.length if stringlike else None,
                    is_id or fname in keys,
                    not (f.notnull or is_id),
                    bool(f.unique),
                    ref,
                )
            )
        view[name] = (unquote_rname(table._rname), tuple(columns))
    return view


def _extracted_view(schema) -> dict[str, tuple]:
    view = {}
    for table in schema.tables:
        columns = []
        for c in table.columns:
            fk = c.foreign_key
            ref = None if fk is None else (fk.table, fk.column, fk.ondelete, fk.onupdate)
            columns.append(
                (
                    c.attribute,
                    c.name,
                    c.type.pydal_type,
                    c.type.length,
                    c.primary_key,
                    c.nullable,
                    c.unique,
                    ref,
                )
            )
        view[table.symbol] = (table.name, tuple(columns))
    return view


@pytest.mark.parametrize("source", list(SOURCES.values()), ids=list(SOURCES))
def test_extractor_agrees_with_real_pydal(tmp_path, source):
    from pydal import DAL, Field  # noqa: F401  (the executed source uses them)

    text = HEADER + textwrap.dedent(source)
    schema = extract(tmp_path, {"app/models.py": text})
    namespace: dict = {}
    exec(compile(text, str(tmp_path / "app/models.py"), "exec"), namespace)  # real PyDAL builds the tables
    expected = _pydal_view(namespace["db"])
    assert _extracted_view(schema) == expected
    assert all(not t.partial for t in schema.tables)


def test_pydal_raises_where_the_extractor_reports(tmp_path):
    """A list member clashing with a bare Field: PyDAL raises, the extractor says so."""
    from pydal import DAL, Field

    db = DAL("sqlite:memory", migrate=False)
    with pytest.raises(SyntaxError, match="duplicate field a in table t"):
        db.define_table("t", Field("a"), [Field("a", "integer")])
    schema = extract(
        tmp_path, {"app/models.py": HEADER + 'db.define_table("t", Field("a"), [Field("a", "integer")])\n'}
    )
    assert any("PyDAL raises `duplicate field a in table t`" in p.message for p in schema.problems)
