"""PyDAL extractor: field lists spliced from elsewhere, and what cannot be resolved."""

from __future__ import annotations

import pytest
from test_extract_pydal_helpers import HEADER, extract, messages, one_table

from drift_guard.schema import Family, ProblemKind

SPLICE_CASES = [
    # (id, module source before the call, define_table arguments after the name, expected column names)
    ("module list", 'common = [Field("a"), Field("b")]', "*common, Field('c')", ["id", "a", "b", "c"]),
    ("module tuple", 'common = (Field("a"),)', "*common", ["id", "a"]),
    ("list concatenation", 'x = [Field("a")]\ny = x + [Field("b")]', "*y", ["id", "a", "b"]),
    ("inline concatenation", 'x = [Field("a")]\ny = [Field("b")]', "*(x + y)", ["id", "a", "b"]),
    ("starred inside a list", 'x = [Field("a")]\ny = [*x, Field("b")]', "*y", ["id", "a", "b"]),
    ("positional list is flattened", "", "[Field('a'), Field('b')]", ["id", "a", "b"]),
    ("helper spliced", 'def helper():\n    return [Field("a"), Field("b")]', "*helper()", ["id", "a", "b"]),
    ("helper positional", 'def helper():\n    return [Field("a")]', "helper()", ["id", "a"]),
    ("helper returning a local", 'def helper():\n    fs = [Field("a")]\n    return fs', "*helper()", ["id", "a"]),
    ("field bound to a name", 'name_field = Field("a", "integer")', "name_field", ["id", "a"]),
    (
        "table inheritance by attribute",
        'db.define_table("base", Field("a"), Field("b"))',
        "db.base, Field('c')",
        ["id", "a", "b", "c"],
    ),
    ("table inheritance by subscript", 'db.define_table("base", Field("a"))', "db['base']", ["id", "a"]),
    ("table inheritance by variable", 'base = db.define_table("base", Field("a"))', "base", ["id", "a"]),
    (
        "inherited names already taken are skipped",
        'db.define_table("base", Field("a", "integer"))',
        "Field('a'), db.base",
        ["id", "a"],
    ),
    (
        "keyed parent: its key is copied, no longer a key",
        'db.define_table("base", Field("k"), primarykey=["k"])',
        "db.base",
        ["id", "k"],
    ),
    ("table template", 'sig = db.Table(db, "sig", Field("a"), Field("id", "id"))', "sig, Field('b')", ["id", "a", "b"]),
    ("inline table template", "", "db.Table(db, 'tmpl', Field('a')), Field('b')", ["id", "a", "b"]),
    (
        "auth.signature",
        "",
        "Field('a'), auth.signature",
        ["id", "a", "created_on", "created_by", "modified_on", "modified_by", "is_active"],
    ),
    ("spliced duplicate is skipped", 'common = [Field("a")]', "Field('a', 'integer'), *common", ["id", "a"]),
    (
        "spliced id-typed field suppresses the implicit id",
        'common = [Field("pk", "id")]',
        "*common, Field('a')",
        ["pk", "a"],
    ),
    ("listed id-typed field does not", "", "[Field('pk', 'id')], Field('a')", ["id", "pk", "a"]),
]


@pytest.mark.parametrize(
    ("before", "args", "expected"), [c[1:] for c in SPLICE_CASES], ids=[c[0] for c in SPLICE_CASES]
)
def test_spliced_fields(tmp_path, before, args, expected):
    schema = extract(tmp_path, {"app/models.py": HEADER + before + f"\ndb.define_table('t', {args})\n"})
    table = schema.tables[-1]
    assert [c.name for c in table.columns] == expected
    assert schema.problems == () and table.partial is False


def test_inherited_key_is_not_a_key_but_stays_not_null(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/models.py": HEADER
            + ('db.define_table("base", Field("k"), primarykey=["k"])\ndb.define_table("t", db.base)\n')
        },
    )
    k = schema.tables[1].column("k")
    assert (k.primary_key, k.nullable) == (False, False)
    assert schema.tables[1].primary_key == ("id",)


def test_auth_signature_columns(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/models.py": HEADER
            + ('db.define_table("auth_user", Field("email"), rname="users")\ndb.define_table("t", auth.signature)\n')
        },
    )
    table = schema.tables[1]
    by = table.column("created_by")
    assert (by.type.pydal_type, by.foreign_key.table, by.foreign_key.ondelete) == (
        "reference auth_user",
        "users",
        "CASCADE",
    )
    assert table.column("is_active").type.family is Family.BOOLEAN
    assert table.column("created_on").location.line == 4  # the auth.signature expression


def test_list_member_clash_raises_in_pydal(tmp_path):
    # a list is added without PyDAL's name check, so the clash reaches the duplicate check and raises
    table, schema = one_table(tmp_path, 'db.define_table("t", Field("a"), [Field("a", "integer")])\n')
    assert [c.type.pydal_type for c in table.columns] == ["id", "string"]
    assert messages(schema) == [
        "Field('a'): PyDAL raises `duplicate field a in table t` (field names are compared case-insensitively)"
    ]


@pytest.mark.parametrize(
    ("fields_module", "import_line"),
    [
        ("app/fields.py", "from app.fields import common_fields"),
        ("app/fields.py", "from .fields import common_fields"),
        ("app/fields.py", "from app import fields\ncommon_fields = fields.common_fields"),
        ("app/fields.py", "import app.fields as f\ncommon_fields = f.common_fields"),
        ("app/fields/__init__.py", "from app.fields import common_fields"),
        ("app/shared/fields.py", "from .shared.fields import common_fields"),
        ("fields.py", "from ..fields import common_fields"),  # level 2 from app/models.py
    ],
)
def test_imported_field_lists(tmp_path, fields_module, import_line):
    files = {
        fields_module: 'from pydal import Field\nBASE = [Field("created", "datetime")]\n'
        'common_fields = BASE + [Field("tenant", "integer", notnull=True)]\n',
        "app/models.py": HEADER + import_line + '\ndb.define_table("t", *common_fields)\n',
    }
    schema = extract(tmp_path, files, only=["app/models.py"])
    (table,) = schema.tables
    assert [c.name for c in table.columns] == ["id", "created", "tenant"]
    assert table.column("tenant").nullable is False
    assert table.column("tenant").location.path.endswith(fields_module)
    assert schema.problems == () and schema.files == (schema.files[0],)


def test_imported_helper_and_table_variable(tmp_path):
    files = {
        "app/helpers.py": 'from pydal import Field\ndef stamps(db):\n    return [Field("at", "datetime")]\n',
        "app/base.py": 'from app.db import db\nfrom pydal import Field\nbase = db.define_table("base", Field("b"))\n',
        "app/models.py": HEADER + "from app.helpers import stamps\nfrom app.base import base\n"
        'db.define_table("t", base, *stamps(db))\n',
    }
    schema = extract(tmp_path, files, only=["app/base.py", "app/models.py"])
    assert [c.name for c in schema.tables[1].columns] == ["id", "b", "at"]
    assert schema.problems == ()


def test_function_local_lists(tmp_path):
    table, schema = one_table(
        tmp_path, ('def define_tables(db):\n    common = [Field("a")]\n    db.define_table("t", *common)\n')
    )
    assert [c.name for c in table.columns] == ["id", "a"] and schema.problems == ()


HIDES_T = (
    "; the columns it may define are unknown, so columns missing in PyDAL (DG103) are not reported for "
    "table `t` (the columns that were read are still compared)"
)
UNRESOLVED_CASES = [
    # (id, source after the header, expected messages, table expected?, partial?)
    (
        "table name variable",
        'db.define_table(name, Field("x"))',
        ["define_table(name, ...): the table name `name` is not a literal; this table is not compared"],
        False,
        None,
    ),
    (
        "table name f-string",
        'db.define_table(f"t_{n}", Field("x"))',
        ['define_table(f"t_{n}", ...): the table name `f"t_{n}"` is not a literal; this table is not compared'],
        False,
        None,
    ),
    (
        "table rname call",
        'db.define_table("t", Field("x"), rname=name())',
        [
            "define_table('t', ..., rname=name()): the table's database name is not a literal; this table is not compared"
        ],
        False,
        None,
    ),
    (
        "splice of a call without literal return",
        'db.define_table("t", *load_fields())',
        ["`*load_fields()`: `load_fields()` calls a function that is not defined in this file"],
        True,
        True,
    ),
    (
        "helper without a single literal return",
        'def helper(flag):\n    if flag:\n        return [Field("a")]\n    return []\ndb.define_table("t", *helper(1))',
        ["`*helper(1)`: `helper(1)` calls `helper`, which has no single literal `return`"],
        True,
        True,
    ),
    (
        "function parameter",
        'def define(db, extra):\n    db.define_table("t", Field("a"), *extra)',
        ["`*extra`: `extra` is a function parameter"],
        True,
        True,
    ),
    (
        "list changed in a block",
        'common = [Field("a")]\nif flag:\n    common.append(Field("b"))\ndb.define_table("t", *common)',
        ["`*common`: `common` is modified after its definition (`common.append(...)`)"],
        True,
        True,
    ),
    (
        "list augmented in a block",
        'common = [Field("a")]\nfor f in more:\n    common += [f]\ndb.define_table("t", *common)',
        ["`*common`: `common` is modified after its definition (augmented assignment)"],
        True,
        True,
    ),
    (
        "list changed by insert",
        'common = [Field("a")]\ncommon.append(Field("b"))\ncommon.insert(0, Field("c"))\ndb.define_table("t", *common)',
        [
            "`*common`: `common` is modified after its definition outside plain statements of its scope "
            "(in a block, a function, or by another method)"
        ],
        True,
        True,
    ),
    (
        "list used before its last change",
        'common = [Field("a")]\ndb.define_table("t", *common)\ncommon.append(Field("b"))',
        ["`*common`: `common` is used before all its changes are made (`common.append(...)` comes later)"],
        True,
        True,
    ),
    (
        "list extended with itself",
        'common = [Field("a")]\ncommon.extend(common)\ndb.define_table("t", *common)',
        ["`*common`: `common` is modified after its definition with itself (`common.extend(...)`)"],
        True,
        True,
    ),
    (
        "comprehension",
        'db.define_table("t", *[Field(n) for n in names])',
        ["`*[Field(n) for n in names]`: `[Field(n) for n in names]` is not a literal list of Fields"],
        True,
        True,
    ),
    (
        "field name not literal",
        'db.define_table("t", Field(prefix + "_id"))',
        ['`Field(prefix + "_id")`: the field name `prefix + "_id"` is not a literal'],
        True,
        True,
    ),
    (
        "field type not literal",
        'db.define_table("t", Field("x", kinds["a"]))',
        ['Field(\'x\', kinds["a"]): the type `kinds["a"]` is not a literal type string'],
        True,
        False,
    ),
    (
        "SQLCustomType",
        'from pydal import SQLCustomType\nmoney = SQLCustomType(type="double", native="NUMERIC(12,2)")'
        '\ndb.define_table("t", Field("x", money))',
        ["Field('x', money): SQLCustomType: the native type is not compared"],
        True,
        False,
    ),
    (
        "define_table **options",
        'db.define_table("t", Field("x"), **opts)',
        ["define_table(..., **opts): the table options cannot be resolved statically"],
        True,
        True,
    ),
    (
        "field **options",
        'db.define_table("t", Field("x", **opts))',
        ['`Field("x", **opts)`: `**opts` cannot be resolved statically; its options are unknown'],
        True,
        True,
    ),
    (
        "unknown table inherited",
        'db.define_table("t", db.missing)',
        ["`db.missing`: no table `missing` is defined with define_table in this service"],
        True,
        True,
    ),
    ("unknown name", 'db.define_table("t", mystery)', ["`mystery` is not defined in this file"], True, True),
    (
        "primarykey not literal",
        'db.define_table("t", Field("x"), primarykey=KEYS())',
        ["define_table('t', ..., primarykey=KEYS()): the primary key is not a literal list of field names"],
        True,
        True,
    ),
]


@pytest.mark.parametrize(
    ("source", "expected", "has_table", "partial"),
    [c[1:] for c in UNRESOLVED_CASES],
    ids=[c[0] for c in UNRESOLVED_CASES],
)
def test_unresolvable_constructs_are_problems(tmp_path, source, expected, has_table, partial):
    schema = extract(tmp_path, {"app/models.py": HEADER + source + "\n"})
    # a construct that may define columns says what that switches off (and only that)
    assert messages(schema) == [m + HIDES_T if partial else m for m in expected]
    assert all(p.kind is ProblemKind.UNRESOLVED and p.location.line > 2 for p in schema.problems)
    assert bool(schema.tables) is has_table
    if has_table:
        assert schema.tables[0].partial is partial
        assert all(p.table == "t" for p in schema.problems)


def test_sql_custom_type_column_is_unknown(tmp_path):
    table, _ = one_table(
        tmp_path,
        (
            "from pydal import SQLCustomType\n"
            'db.define_table("t", Field("x", SQLCustomType(type="double", native="NUMERIC(12,2)")))\n'
        ),
    )
    assert table.column("x").type.family is Family.UNKNOWN and table.column("x").type.pydal_type is None


def test_common_fields_of_unknown_order_make_tables_partial(tmp_path):
    """b.py does not import a.py: whether `other` gets the common field is not known."""
    schema = extract(
        tmp_path,
        {
            "app/a.py": HEADER + 'db.define_table("before", Field("x"))\n'
            'db._common_fields.append(Field("tenant"))\n'
            'db.define_table("after", Field("x"))\n',
            "app/b.py": HEADER + 'db.define_table("other", Field("x"))\n',
        },
    )
    got = [(t.symbol, [c.name for c in t.columns], t.partial) for t in schema.tables]
    assert got == [
        ("before", ["id", "x"], False),
        ("after", ["id", "x", "tenant"], False),
        ("other", ["id", "x"], True),
    ]
    assert messages(schema) == [
        '`db._common_fields.append(Field("tenant"))`: PyDAL adds db._common_fields to every table defined '
        "afterwards, and whether `other` is defined afterwards cannot be known statically (another file that "
        "does not import this one, or a function); so columns missing in PyDAL (DG103) are not reported for "
        "them (the columns that were read are still compared)"
    ]


def test_parse_error_does_not_stop_other_files(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/bad.py": HEADER + 'db.define_table("broken", Field("x")\n',
            "app/good.py": HEADER + 'db.define_table("fine", Field("x"))\n',
        },
    )
    assert [t.symbol for t in schema.tables] == ["fine"]
    assert [p.kind for p in schema.problems] == [ProblemKind.SYNTAX_ERROR]
    assert schema.problems[0].location.path.endswith("bad.py")
    assert [f.rsplit("/", 1)[-1] for f in schema.files] == ["bad.py", "good.py"]


def test_shared_list_note_reported_once(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/models.py": HEADER
            + ('common = [Field("a", nullable=False)]\ndb.define_table("t", *common)\ndb.define_table("u", *common)\n')
        },
    )
    assert len(schema.problems) == 1 and len(schema.tables) == 2


def test_template_self_reference_points_at_the_new_table(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/models.py": HEADER
            + (
                'tree = db.Table(db, "tree", Field("parent", "reference tree"))\n'
                'db.define_table("node", tree, rname="nodes")\n'
            )
        },
    )
    parent = schema.tables[0].column("parent")
    assert (parent.type.pydal_type, parent.foreign_key.table) == ("reference node", "nodes")
    assert parent.type.spelled == '"reference tree"' and schema.problems == ()


@pytest.mark.parametrize(
    "source",
    [
        't = db.Table(db, "t", Field("a"), t)\ndb.define_table("x", t)',
        "a = b\nb = a\ndb.define_table('x', *a)",
        "def h():\n    return h()\ndb.define_table('x', h())",
        "x = x + [Field('q')]\ndb.define_table('x', *x)",
        "x = [Field('a')]\nx.extend([Field('b')] + x)\ndb.define_table('x', *x)",  # a list built in steps
    ],
)
def test_cycles_end_as_problems(tmp_path, source):
    schema = extract(tmp_path, {"app/models.py": HEADER + source + "\n"})
    assert schema.tables[0].partial is True
    assert any("too many names" in m or "defined through itself" in m for m in messages(schema))
