"""Tables py4web/web2py ``Auth`` and PyDAL ``Tags`` define without a
``define_table`` in the project's own code."""

from __future__ import annotations

import pytest
from test_extract_pydal_helpers import HEADER, extract

from drift_guard.schema import ProblemKind

PY4WEB = "from py4web import Session\nfrom py4web.utils.auth import Auth\nsession = Session()\n"
GLUON = "from gluon.tools import Auth\n"

# (id, source after HEADER, expected (table, partial) list, expected number of DG002 notes)
CASES = [
    ("py4web Auth defines auth_user", PY4WEB + "auth = Auth(session, db)\n", [("auth_user", True)], 1),
    ("define_tables=True", PY4WEB + "auth = Auth(session, db, define_tables=True)\n", [("auth_user", True)], 1),
    (
        "later define_tables()",
        PY4WEB + "auth = Auth(session, db, define_tables=False)\nauth.define_tables()\n",
        [("auth_user", True)],
        1,
    ),
    (
        "web2py Auth.define_tables",
        GLUON + "auth = Auth(db)\nauth.define_tables(username=True)\n",
        [
            (t, True)
            for t in ("auth_user", "auth_group", "auth_membership", "auth_permission", "auth_event", "auth_cas")
        ],
        1,
    ),
    (
        "Tags table is read in full",
        "from pydal.tools.tags import Tags\ndb.define_table('doc', Field('a'))\ntags = Tags(db.doc, 'labels')\n",
        [("doc", False), ("doc_tag_labels", False)],
        0,
    ),
    (
        "Tags default name",
        "from pydal.tools.tags import Tags\ndb.define_table('doc', Field('a'))\nTags(db.doc)\n",
        [("doc", False), ("doc_tag_default", False)],
        0,
    ),
]

QUIET = [
    ("define_tables=False and no call", PY4WEB + "auth = Auth(session, db, define_tables=False)\n"),
    ("an unrelated Auth class", "class Auth:\n    pass\nauth = Auth()\nauth.define_tables()\n"),
    ("define_tables on something unknown", "thing.define_tables()\n"),
    ("an unrelated Tags", "class Tags:\n    pass\nTags(db.x, 'y')\n"),
]


@pytest.mark.parametrize("source, expected, notes", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_implicit_tables(tmp_path, source, expected, notes):
    schema = extract(tmp_path, {"app/models.py": HEADER + source})
    assert [(t.name, t.partial) for t in schema.tables] == expected
    assert [p.kind for p in schema.problems] == [ProblemKind.UNRESOLVED] * notes


@pytest.mark.parametrize("source", [c[1] for c in QUIET], ids=[c[0] for c in QUIET])
def test_no_implicit_tables(tmp_path, source):
    schema = extract(tmp_path, {"app/models.py": HEADER + source})
    assert schema.tables == () and schema.problems == ()


def test_tags_columns(tmp_path):
    source = HEADER + "from pydal.tools.tags import Tags\ndb.define_table('doc', Field('a'))\nTags(db.doc, 'g')\n"
    tags = extract(tmp_path, {"app/models.py": source}).tables[1]
    got = [(c.name, c.type.pydal_type, c.type.length, c.foreign_key and c.foreign_key.table) for c in tags.columns]
    assert got == [
        ("id", "id", None, None),
        ("tagpath", "string", 512, None),
        ("record_id", "reference doc", None, "doc"),
    ]


def test_auth_note_names_the_tables(tmp_path):
    schema = extract(tmp_path, {"app/models.py": HEADER + PY4WEB + "auth = Auth(session, db)\n"})
    (problem,) = schema.problems
    assert "py4web's Auth defines `auth_user`; its columns depend on run-time settings" in problem.message


CUSTOM_USER = "db.define_table('auth_user', Field('email', length=255), Field('tenant'))\n"

# (id, files, expected (table, partial, columns) list, expected DG002 messages)
REPLACED = [
    (
        "custom auth_user before Auth",
        {"app/models.py": HEADER + PY4WEB + CUSTOM_USER + "auth = Auth(session, db)\n"},
        [("auth_user", False, ["id", "email", "tenant"])],
        [],
    ),
    (
        "custom auth_user before define_tables()",
        {
            "app/models.py": HEADER
            + PY4WEB
            + "auth = Auth(session, db, define_tables=False)\n"
            + CUSTOM_USER
            + "auth.define_tables()\n"
        },
        [("auth_user", False, ["id", "email", "tenant"])],
        [],
    ),
    (
        "custom auth_user in another file",
        {
            "app/common.py": HEADER + PY4WEB + "auth = Auth(session, db)\n",
            "app/models.py": HEADER + CUSTOM_USER,
        },
        [("auth_user", False, ["id", "email", "tenant"])],
        [],
    ),
    (
        "redefined after Auth",
        {
            "app/models.py": HEADER
            + PY4WEB
            + "auth = Auth(session, db)\n"
            + CUSTOM_USER.replace("))\n", "), redefine=True)\n")
        },
        [("auth_user", False, ["id", "email", "tenant"])],
        [],
    ),
    (
        "web2py: only the replaced table is the application's",
        {"app/models.py": HEADER + GLUON + CUSTOM_USER + "auth = Auth(db)\nauth.define_tables()\n"},
        [("auth_user", False, ["id", "email", "tenant"])]
        + [(t, True, ["id"]) for t in ("auth_group", "auth_membership", "auth_permission", "auth_event", "auth_cas")],
        [
            "`Auth(db)`: gluon's Auth defines `auth_group`, `auth_membership`, `auth_permission`, `auth_event`, "
            "`auth_cas`; their columns depend on run-time settings; the columns it may define are unknown, so "
            "columns missing in PyDAL (DG103) are not reported for tables `auth_cas`, `auth_event`, `auth_group`, "
            "`auth_membership`, `auth_permission` (the columns that were read are still compared)"
        ],
    ),
]


@pytest.mark.parametrize("files, expected, notes", [c[1:] for c in REPLACED], ids=[c[0] for c in REPLACED])
def test_the_applications_own_auth_table_replaces_auths(tmp_path, files, expected, notes):
    schema = extract(tmp_path, files)
    assert sorted((t.name, t.partial, [c.name for c in t.columns]) for t in schema.tables) == sorted(expected)
    assert [p.message for p in schema.problems] == notes


def test_a_later_definition_without_redefine_stays_a_duplicate(tmp_path):
    """PyDAL raises `table already defined`: both stay, for DG114 to report."""
    schema = extract(tmp_path, {"app/models.py": HEADER + PY4WEB + "auth = Auth(session, db)\n" + CUSTOM_USER})
    assert [(t.name, t.partial) for t in schema.tables] == [("auth_user", True), ("auth_user", False)]


def test_a_definition_in_a_file_importing_auth_first_stays_a_duplicate(tmp_path):
    """models.py imports common.py (so Auth runs) before its own auth_user: PyDAL raises."""
    schema = extract(
        tmp_path,
        {
            "app/common.py": HEADER + PY4WEB + "auth = Auth(session, db)\n",
            "app/models.py": "from app.common import db, Field\n" + CUSTOM_USER,
        },
    )
    assert sorted((t.name, t.partial) for t in schema.tables) == [("auth_user", False), ("auth_user", True)]
