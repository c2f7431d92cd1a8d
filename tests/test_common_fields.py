"""``db._common_fields``: PyDAL appends them to every table defined afterwards
(``lazy_define_table``), so they are added to exactly those tables."""

from __future__ import annotations

import pytest
from test_extract_pydal_helpers import HEADER, extract

SIGNATURE = ["created_on", "created_by", "modified_on", "modified_by", "is_active"]

# (id, source after HEADER, {table: columns}); no problem and no partial table expected
SAME_FILE = [
    (
        "append auth.signature",
        'db.define_table("a", Field("x"))\ndb._common_fields.append(auth.signature)\ndb.define_table("b", Field("x"))',
        {"a": ["id", "x"], "b": ["id", "x", *SIGNATURE]},
    ),
    (
        "extend and +=",
        'db._common_fields.extend([Field("t1")])\ndb._common_fields += [Field("t2")]\ndb.define_table("b", Field("x"))',
        {"b": ["id", "x", "t1", "t2"]},
    ),
    ("insert", 'db._common_fields.insert(0, Field("t1"))\ndb.define_table("b", Field("x"))', {"b": ["id", "x", "t1"]}),
    (
        "a name the table already has is skipped",
        'db._common_fields.append(Field("x", "integer"))\ndb.define_table("b", Field("x"))',
        {"b": ["id", "x"]},
    ),
    (
        "assignment replaces the list",
        'db._common_fields.append(Field("t1"))\ndb._common_fields = [Field("t2")]\ndb.define_table("b", Field("x"))',
        {"b": ["id", "x", "t2"]},
    ),
    (
        "emptied",
        'db._common_fields.append(Field("t1"))\ndb._common_fields = []\ndb.define_table("b", Field("x"))',
        {"b": ["id", "x"]},
    ),
    (
        "a module-level list of fields",
        'audit = [Field("created_on", "datetime")]\ndb._common_fields.extend(audit)\ndb.define_table("b", Field("x"))',
        {"b": ["id", "x", "created_on"]},
    ),
    (
        "a Table template",
        'sig = db.Table(db, "sig", Field("created_on", "datetime"))\ndb._common_fields.append(sig)\n'
        'db.define_table("b", Field("x"))',
        {"b": ["id", "x", "created_on"]},
    ),
]


@pytest.mark.parametrize("source, expected", [c[1:] for c in SAME_FILE], ids=[c[0] for c in SAME_FILE])
def test_common_fields_in_the_same_file(tmp_path, source, expected):
    schema = extract(tmp_path, {"app/models.py": HEADER + source + "\n"})
    assert {t.name: [c.name for c in t.columns] for t in schema.tables} == expected
    assert schema.problems == () and not any(t.partial for t in schema.tables)


def test_signature_columns_are_typed(tmp_path):
    schema = extract(
        tmp_path, {"app/models.py": HEADER + 'db._common_fields.append(auth.signature)\ndb.define_table("b")\n'}
    )
    got = {c.name: c.type.pydal_type for c in schema.tables[0].columns}
    assert got["created_by"] == "reference auth_user" and got["is_active"] == "boolean"
    assert schema.tables[0].column("created_on").location.line == 3  # where the change is


def test_a_file_importing_the_change_gets_the_fields(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/common.py": HEADER + 'from app import base\ndb._common_fields.append(Field("tenant"))\n',
            "app/base.py": HEADER + 'db.define_table("early", Field("x"))\n',
            "app/models.py": 'from app.common import db, Field\ndb.define_table("late", Field("x"))\n',
        },
    )
    got = {t.name: ([c.name for c in t.columns], t.partial) for t in schema.tables}
    assert got == {"early": (["id", "x"], False), "late": (["id", "x", "tenant"], False)}
    assert schema.problems == ()


def test_an_import_below_the_table_does_not_order_it(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/common.py": HEADER + 'db._common_fields.append(Field("tenant"))\n',
            "app/models.py": HEADER + 'db.define_table("t", Field("x"))\nfrom app import common\n',
        },
    )
    (table,) = schema.tables
    assert [c.name for c in table.columns] == ["id", "x"] and table.partial is True
    assert "whether `t` is defined afterwards cannot be known statically" in schema.problems[0].message


def test_a_change_inside_a_function_has_no_known_order(tmp_path):
    schema = extract(
        tmp_path,
        {"app/models.py": HEADER + 'def setup(db):\n    db._common_fields.append(Field("q"))\ndb.define_table("t")\n'},
    )
    assert schema.tables[0].partial is True and [c.name for c in schema.tables[0].columns] == ["id"]
    assert (
        len(schema.problems) == 1 and "columns missing in PyDAL (DG103) are not reported" in schema.problems[0].message
    )


def test_an_unreadable_change_is_reported_once_and_hides_only_columns(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/models.py": HEADER
            + 'db._common_fields.append(make())\ndb.define_table("a", Field("x"))\ndb.define_table("b")\n'
        },
    )
    assert [(t.name, t.partial) for t in schema.tables] == [("a", True), ("b", True)]
    assert [p.message for p in schema.problems] == [
        "`db._common_fields.append(make())`: `make()` calls a function that is not defined in this file; the "
        "columns it may define are unknown, so columns missing in PyDAL (DG103) are not reported for tables `a`, "
        "`b` (the columns that were read are still compared)"
    ]


def test_a_change_reaching_many_tables_names_a_few(tmp_path):
    tables = "".join(f'db.define_table("t{i}")\n' for i in range(7))
    schema = extract(
        tmp_path,
        {"app/a.py": HEADER + 'db._common_fields.append(Field("q"))\n', "app/b.py": HEADER + tables},
    )
    (problem,) = schema.problems
    assert "whether `t0`, `t1`, `t2`, `t3`, `t4` and 2 more are defined afterwards" in problem.message
    assert all(t.partial for t in schema.tables)


def test_a_change_that_is_not_a_list_addition_is_reported(tmp_path):
    schema = extract(tmp_path, {"app/models.py": HEADER + "db._common_fields *= 2\ndb.define_table('t', Field('a'))\n"})
    assert schema.tables[0].partial is True
    assert schema.problems[0].message.startswith(
        "`db._common_fields *= 2`: only `+=` of a list of Fields can be read statically; the columns it may define"
    )
