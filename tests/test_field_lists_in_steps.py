"""Field lists built in steps (``+=``, ``.append``, ``.extend``) are read as the
list they end up being, so a Field dropped from them is compared like any other."""

from __future__ import annotations

import pytest
from test_extract_pydal_helpers import HEADER, extract

# (id, source after HEADER, the columns of table "t")
BUILT = [
    (
        "every kind of step",
        'f = [Field("a")]\nf += [Field("b")]\nf.append(Field("c"))\nf.extend((Field("d"),))\ndb.define_table("t", *f)',
        ["id", "a", "b", "c", "d"],
    ),
    (
        "an annotated list",
        'f: list = [Field("a")]\nf.append(Field("b"))\ndb.define_table("t", *f)',
        ["id", "a", "b"],
    ),
    (
        "passed as a list, not spliced",
        'f = [Field("a")]\nf.append(Field("b"))\ndb.define_table("t", f)',
        ["id", "a", "b"],
    ),
    ("fields= keyword", 'f = [Field("a")]\nf += [Field("b")]\ndb.define_table("t", fields=f)', ["id", "a", "b"]),
    (
        "extended with another list",
        'audit = [Field("created_on", "datetime")]\nf = [Field("a")]\nf.extend(audit)\ndb.define_table("t", *f)',
        ["id", "a", "created_on"],
    ),
    (
        "inside a function",
        'def define(db):\n    f = [Field("a")]\n    f.append(Field("b"))\n    db.define_table("t", *f)\ndefine(db)',
        ["id", "a", "b"],
    ),
    (
        "imported from another module",
        'from app.fields import f\ndb.define_table("t", *f)',
        ["id", "a", "b"],
    ),
]


@pytest.mark.parametrize("source, columns", [c[1:] for c in BUILT], ids=[c[0] for c in BUILT])
def test_list_built_in_steps(tmp_path, source, columns):
    files = {"app/models.py": HEADER + source + "\n", "app/fields.py": HEADER + 'f = [Field("a")]\nf += [Field("b")]\n'}
    schema = extract(tmp_path, files, only=["app/models.py"])
    (table,) = schema.tables
    assert [c.name for c in table.columns] == columns
    assert table.partial is False and schema.problems == ()


def test_a_step_that_cannot_be_read_is_only_that_step(tmp_path):
    schema = extract(
        tmp_path, {"app/models.py": HEADER + 'f = [Field("a")]\nf.append(mystery)\ndb.define_table("t", *f)\n'}
    )
    (table,) = schema.tables
    assert [c.name for c in table.columns] == ["id", "a"] and table.partial is True
    assert [p.message for p in schema.problems] == [
        "`mystery` is not defined in this file; the columns it may define are unknown, so columns missing in PyDAL "
        "(DG103) are not reported for table `t` (the columns that were read are still compared)"
    ]


def test_a_changed_name_that_is_not_a_field_list_is_unaffected(tmp_path):
    """Counters and other changed names keep their old meaning: ambiguous."""
    schema = extract(
        tmp_path, {"app/models.py": HEADER + 'n = 1\nn += 1\ndb.define_table("t", Field("a", length=n))\n'}
    )
    assert schema.tables[0].column("a").type.length is not None
    assert [p.message for p in schema.problems] == ["Field('a', ..., length=n): `length` is not a literal"]
