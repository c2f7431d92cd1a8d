"""PyDAL extractor: Field arguments, types, the implicit id, foreign keys, table options."""

from __future__ import annotations

import pytest
from test_extract_pydal_helpers import HEADER, extract, messages, one_table, summary

from drift_guard.schema import UNKNOWN, Family, Layer

ID = ("id", "id", None, False, True, False)  # the implicit id

FIELD_CASES = [
    # (id, fields source, expected columns)
    ("type omitted is string(512)", 'Field("name")', [ID, ("name", "string", 512, True, False, False)]),
    (
        "length notnull unique",
        'Field("n", "string", length=64, notnull=True, unique=True)',
        [ID, ("n", "string", 64, False, False, True)],
    ),
    ("positional length", 'Field("n", "string", 64)', [ID, ("n", "string", 64, True, False, False)]),
    ("type keyword", 'Field("t", type="text")', [ID, ("t", "text", None, True, False, False)]),
    (
        "password and upload are 512",
        'Field("p", "password"), Field("u", "upload")',
        [ID, ("p", "password", 512, True, False, False), ("u", "upload", 512, True, False, False)],
    ),
    (
        "implicit concatenation is one argument",
        'Field("a" "boolean")',
        [ID, ("aboolean", "string", 512, True, False, False)],
    ),
    (
        "user id of another type is discarded",
        'Field("id", "big-id"), Field("x", "integer")',
        [ID, ("x", "integer", None, True, False, False)],
    ),
    (
        "id typed field under another name is the key",
        'Field("my_id", "id"), Field("x")',
        [("my_id", "id", None, False, True, False), ("x", "string", 512, True, False, False)],
    ),
    ("explicit id", 'Field("id", "id"), Field("x")', [ID, ("x", "string", 512, True, False, False)]),
    (
        "big-id under another name: two keys",
        'Field("bid", "big-id")',
        [ID, ("bid", "big-id", None, False, True, False)],
    ),
    (
        "required/requires are validation only",
        'Field("r", required=True, requires=IS_NOT_EMPTY())',
        [ID, ("r", "string", 512, True, False, False)],
    ),
    (
        "virtual fields are not columns",
        'Field("x"), Field.Virtual("v", lambda r: 1), Field.Method("m", lambda r: 2), Field.Lazy("l", lambda r: 3)',
        [ID, ("x", "string", 512, True, False, False)],
    ),
    (
        "duplicate name keeps the first",
        'Field("x"), Field("x", "integer", notnull=True)',
        [ID, ("x", "string", 512, True, False, False)],
    ),
    (
        "lists and json",
        'Field("ls", "list:string"), Field("li", "list:integer"), Field("j", "json")',
        [
            ID,
            ("ls", "list:string", None, True, False, False),
            ("li", "list:integer", None, True, False, False),
            ("j", "json", None, True, False, False),
        ],
    ),
    (
        "column rname without quotes",
        'Field("c", rname=\'"Renamed"\')',
        [ID, ("Renamed", "string", 512, True, False, False)],
    ),
    (
        "dict argument is Field(**dict)",
        '{"fieldname": "d", "type": "integer", "notnull": True}',
        [ID, ("d", "integer", None, False, False, False)],
    ),
    (
        "explicit None flags are the defaults",
        'Field("x", length=None, notnull=None)',
        [ID, ("x", "string", 512, True, False, False)],
    ),
    (
        "module constants are followed",
        "Field(NAME, KIND, length=SIZE)",
        [ID, ("code", "string", 32, True, False, False)],
    ),
]


@pytest.mark.parametrize(("fields", "expected"), [c[1:] for c in FIELD_CASES], ids=[c[0] for c in FIELD_CASES])
def test_field_columns(tmp_path, fields, expected):
    body = 'NAME = "code"\nKIND = "string"\nSIZE = 32\n' + f'db.define_table("t", {fields})\n'
    table, _ = one_table(tmp_path, body)
    assert summary(table) == expected


@pytest.mark.parametrize(
    ("fields", "quiet"),
    [
        ('Field("name")', True),
        ('Field("r", required=True)', True),
        ('Field("v"), Field.Virtual("w", lambda r: 1)', True),
        ('Field("tags", "list:reference t")', True),
        ('Field("x", "strnig")', True),  # an invalid type is DG113's business, not a blind spot
        ('Field("x", nullable=False)', False),
    ],
)
def test_stays_quiet_unless_something_is_unreadable(tmp_path, fields, quiet):
    table, schema = one_table(tmp_path, f'db.define_table("t", {fields})\n')
    assert (schema.problems == ()) is quiet
    assert table.partial is False


def test_implicit_id_located_at_call_and_discarded_id_noted(tmp_path):
    table, _ = one_table(tmp_path, 'db.define_table(\n    "t",\n    Field("id", "big-id"),\n)\n')
    assert table.column("id").location.line == 3  # the define_table call (line 3 after the 2-line header)
    assert table.column("id").autoincrement is True
    assert table.option("discarded_id") == '"big-id"'
    assert table.location.line == 4 and table.location.column == 5  # the name argument


def test_invalid_type_is_unknown_family_with_pydal_type(tmp_path):
    table, _ = one_table(tmp_path, 'db.define_table("t", Field("x", "strnig"), Field("d", "decimal(10, 2)"))\n')
    assert table.column("x").type.family is Family.UNKNOWN
    assert table.column("x").type.pydal_type == "strnig"
    dec = table.column("d").type
    assert (dec.family, dec.precision, dec.scale, dec.spelled) == (Family.DECIMAL, 10, 2, '"decimal(10, 2)"')


def test_type_spelled_is_the_source_text(tmp_path):
    table, _ = one_table(tmp_path, "db.define_table('t', Field('a'), Field('b', 'integer'))\n")
    assert [c.type.spelled for c in table.columns] == ["'id' (implicit)", "'string'", "'integer'"]


def test_default_and_update_source_text(tmp_path):
    table, _ = one_table(
        tmp_path, 'db.define_table("t", Field("a", default="x"), Field("b", update=now), Field("c", default=None))\n'
    )
    assert [c.default for c in table.columns] == [None, '"x"', "now", None]


def test_case_only_duplicate_is_a_problem_and_dropped(tmp_path):
    table, schema = one_table(tmp_path, 'db.define_table("t", Field("Name"), Field("name"))\n')
    assert [c.name for c in table.columns] == ["id", "Name"]
    assert messages(schema) == [
        "Field('name'): PyDAL raises `duplicate field name in table t` (field names are compared case-insensitively)"
    ]


@pytest.mark.parametrize(
    ("kwarg", "message"),
    [
        ("nullable=False", "Field(..., nullable=False): PyDAL ignores `nullable`; use notnull=True"),
        (
            "primary_key=True",
            "Field(..., primary_key=True): PyDAL ignores `primary_key`; "
            "use the type 'id' or define_table(..., primarykey=[...])",
        ),
        (
            "index=True",
            "Field(..., index=True): PyDAL ignores `index`; "
            "declare the index in the SQLAlchemy model and an Alembic migration",
        ),
        (
            "server_default='a'",
            "Field(..., server_default='a'): PyDAL ignores `server_default`; "
            "PyDAL's default= is Python-side; declare server defaults in the SQLAlchemy model",
        ),
        ("max_length=5", "Field(..., max_length=5): PyDAL ignores `max_length`; use length=N"),
    ],
)
def test_sqlalchemy_style_kwargs_are_ignored_but_reported(tmp_path, kwarg, message):
    table, schema = one_table(tmp_path, f'db.define_table("t", Field("x", {kwarg}))\n')
    assert summary(table)[1] == ("x", "string", 512, True, False, False)  # no effect on the schema
    assert messages(schema) == [message]
    assert schema.problems[0].table == "t" and schema.problems[0].column == "x"


FK_CASES = [
    ('Field("o", "reference person")', ("person", None, "CASCADE", "CASCADE")),
    (
        'Field("o", "reference person", ondelete="set null", onupdate="no action")',
        ("person", None, "SET NULL", "NO ACTION"),
    ),
    ('Field("o", db.person)', ("person", None, "CASCADE", "CASCADE")),
    ('Field("o", db["person"])', ("person", None, "CASCADE", "CASCADE")),
    ('Field("o", "big-reference person")', ("person", None, "CASCADE", "CASCADE")),
    ('Field("o", "reference person.code")', ("person", "code", "CASCADE", "CASCADE")),
    ('Field("o", "reference Renamed")', ("people", None, "CASCADE", "CASCADE")),  # target's rname
    ('Field("o", "reference elsewhere")', ("elsewhere", None, "CASCADE", "CASCADE")),  # not defined: as written
    ('Field("o", "list:reference person")', None),
]


@pytest.mark.parametrize(("field", "expected"), FK_CASES)
def test_foreign_keys(tmp_path, field, expected):
    source = HEADER + (
        f'db.define_table("pet", {field})\n'  # before its targets: resolved after all files are read
        'db.define_table("person", Field("code"))\n'
        'db.define_table("Renamed", Field("x"), rname="`People`")\n'
    )
    schema = extract(tmp_path, {"app/models.py": source})
    col = schema.tables[0].column("o")
    fk = col.foreign_key
    assert (None if fk is None else (fk.table, fk.column, fk.ondelete, fk.onupdate)) == expected
    if fk is not None:
        assert fk.location == col.location and fk.spelled == field.split(", ", 1)[1].split(",")[0].rstrip(")")


def test_reference_target_rname_in_another_file(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/a.py": HEADER + 'db.define_table("pet", Field("owner", "reference person"))\n',
            "app/b.py": HEADER + 'db.define_table("person", Field("n"), rname=\'"Sch"."People"\')\n',
        },
    )
    assert schema.tables[0].column("owner").foreign_key.table == "sch.people"
    assert schema.tables[1].name == "Sch.People" and schema.tables[1].symbol == "person"


def test_table_options_and_names(tmp_path):
    table, schema = one_table(
        tmp_path,
        'db.define_table("t", Field("x"), rname="schema.tbl", migrate=False, fake_migrate=True, redefine=True,'
        ' format="%(x)s")\n',
    )
    assert (table.name, table.symbol, table.layer) == ("schema.tbl", "t", Layer.PYDAL)
    assert table.options == (
        ("migrate", "False"),
        ("fake_migrate", "True"),
        ("rname", '"schema.tbl"'),
        ("redefine", "True"),
    )
    assert schema.problems == ()


def test_keyed_table(tmp_path):
    table, schema = one_table(
        tmp_path, 'db.define_table("k", Field("a", "integer"), Field("b"), Field("c"), primarykey=["a", "b"])\n'
    )
    assert summary(table) == [
        ("a", "integer", None, False, True, False),
        ("b", "string", 512, False, True, False),
        ("c", "string", 512, True, False, False),
    ]
    assert table.primary_key == ("a", "b") and table.option("primarykey") == '["a", "b"]'
    assert schema.problems == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            'primarykey=("a",)',
            "define_table('k', ..., primarykey=(\"a\",)): PyDAL raises `primarykey must be a list of fields`",
        ),
        ('primarykey=["zz"]', "primarykey=['zz']: `zz` is not a field of `k` (PyDAL raises)"),
        (
            "polymodel=True",
            "define_table('k', ..., polymodel=...): PyDAL raises `invalid table \"k\" attributes` for `polymodel`",
        ),
        (
            'fields=[Field("b")]',
            "define_table('k', ..., fields=[Field(\"b\")]): PyDAL ignores `fields=` when positional fields are given",
        ),
    ],
)
def test_table_level_mistakes_are_reported(tmp_path, kwargs, message):
    _, schema = one_table(tmp_path, f'db.define_table("k", Field("a", "integer"), {kwargs})\n')
    assert messages(schema) == [message]


def test_fields_keyword_without_positional_fields(tmp_path):
    table, _ = one_table(tmp_path, 'db.define_table("t", fields=[Field("a"), Field("id", "integer")])\n')
    assert [c.name for c in table.columns] == ["id", "a"] and table.option("discarded_id") == '"integer"'


@pytest.mark.parametrize(
    "call",
    [
        'db.define_table("t", Field("x"))',
        'self.db.define_table("t", Field("x"))',
        'get_db().define_table("t", Field("x"))',
        'def define_tables(db):\n    db.define_table("t", Field("x"))',
        'class Models:\n    def setup(self):\n        self.db.define_table(tablename="t", fields=[Field("x")])',
    ],
)
def test_any_define_table_receiver(tmp_path, call):
    table, schema = one_table(tmp_path, call + "\n")
    assert [c.name for c in table.columns] == ["id", "x"] and schema.problems == ()


def test_duplicate_define_table_keeps_both(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/a.py": HEADER + 'db.define_table("t", Field("x"))\ndb.define_table("t", Field("y"), redefine=True)\n',
            "app/b.py": HEADER + 'db.define_table("t", Field("z"))\n',
        },
    )
    assert [[c.name for c in t.columns] for t in schema.tables] == [["id", "x"], ["id", "y"], ["id", "z"]]
    assert [t.location.path.endswith(f) for t, f in zip(schema.tables, ("a.py", "a.py", "b.py"))] == [True] * 3


def test_non_literal_flags_are_unknown_and_reported(tmp_path):
    table, schema = one_table(
        tmp_path, 'db.define_table("t", Field("x", length=get_len(), notnull=flag(), unique=cfg.unique))\n'
    )
    col = table.column("x")
    assert col.type.length is UNKNOWN and col.nullable is UNKNOWN and col.unique is UNKNOWN
    assert messages(schema) == [
        "Field('x', ..., length=get_len()): `length` is not a literal",
        "Field('x', ..., notnull=flag()): `notnull` is not a literal",
        "Field('x', ..., unique=cfg.unique): `unique` is not a literal",
    ]


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("from pydal import Field as F", 'F("x"), F.Virtual("v", lambda r: 1)'),
        ("import pydal", 'pydal.Field("x"), pydal.Field.Method("m", lambda r: 1)'),
        ("", 'db.Field("x")'),
        ("from pydal.objects import Field as PField", 'PField("x")'),
    ],
)
def test_field_spellings(tmp_path, imports, call):
    table, schema = one_table(tmp_path, f'{imports}\ndb.define_table("t", {call})\n')
    assert [c.name for c in table.columns] == ["id", "x"] and schema.problems == ()


def test_rname_none_is_the_default(tmp_path):
    table, schema = one_table(tmp_path, 'db.define_table("t", Field("x", rname=None), rname=None)\n')
    assert (table.name, table.column("x").name, schema.problems) == ("t", "x", ())


def test_table_inside_a_list_is_reported(tmp_path):
    schema = extract(
        tmp_path,
        {"app/models.py": HEADER + ('db.define_table("a", Field("x"))\ndb.define_table("t", [Field("y"), db.a])\n')},
    )
    assert [c.name for c in schema.tables[1].columns] == ["id", "y"] and schema.tables[1].partial is True
    assert messages(schema) == [
        "`db.a`: a list passed to define_table may only hold Fields (PyDAL fails); the columns it may define are "
        "unknown, so columns missing in PyDAL (DG103) are not reported for table `t` (the columns that were read "
        "are still compared)"
    ]
