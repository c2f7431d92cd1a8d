"""The values each layer accepts for an Enum column: PyDAL's ``requires=IS_IN_SET(...)``
read as PyDAL's validator compares (``str(value)``), the model's Enum as SQLAlchemy stores it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_extract_pydal_helpers import HEADER, extract

from drift_guard.extract.sqlalchemy import extract_models
from drift_guard.schema import UNKNOWN

V = "from pydal.validators import IS_IN_SET, IS_EMPTY_OR, IS_NULL_OR, IS_NOT_EMPTY\nS = ['a', 'b']\n"

# (id, requires=..., the choices read)
CHOICES = [
    ("a literal list", "IS_IN_SET(['x', 'y'])", ("x", "y")),
    ("a tuple, and a set", "[IS_IN_SET(('x', 'y')), IS_IN_SET({'x', 'y'})]", ("x", "y")),
    ("a dict: its keys", "IS_IN_SET({'x': 'X', 'z': 'Z'})", ("x", "z")),
    ("(value, label) pairs", "IS_IN_SET([('p', 'P'), ('q', 'Q')])", ("p", "q")),
    ("a module-level name", "IS_IN_SET(S)", ("a", "b")),
    ("theset=", "IS_IN_SET(theset=S)", ("a", "b")),
    ("inside IS_EMPTY_OR", "IS_EMPTY_OR(IS_IN_SET(S))", ("a", "b")),
    ("inside IS_NULL_OR", "IS_NULL_OR(IS_IN_SET(S))", ("a", "b")),
    ("with other validators", "[IS_NOT_EMPTY(), IS_IN_SET(S)]", ("a", "b")),
    ("two sets intersect", "[IS_IN_SET(['a', 'b', 'c']), IS_IN_SET(['b', 'c', 'd'])]", ("b", "c")),
    ("numbers compare as str", "IS_IN_SET([1, 2])", ("1", "2")),
    ("an empty set accepts anything", "IS_IN_SET([])", None),
    ("multiple=True holds lists", "IS_IN_SET(S, multiple=True)", None),
    ("multiple, positionally", "IS_IN_SET(S, None, 'bad', True)", None),
    ("another validator", "IS_NOT_EMPTY()", None),
    ("requires=None", "None", None),
    ("a comprehension", "IS_IN_SET([s for s in S])", UNKNOWN),
    ("a call", "IS_IN_SET(load())", UNKNOWN),
    ("an unknown name", "mystery", UNKNOWN),
    ("a computed value in the set", "IS_IN_SET(['a', prefix + 'b'])", UNKNOWN),
]


@pytest.mark.parametrize("requires, expected", [c[1:] for c in CHOICES], ids=[c[0] for c in CHOICES])
def test_pydal_choices(tmp_path, requires, expected):
    schema = extract(
        tmp_path, {"app/models.py": HEADER + V + f"db.define_table('t', Field('s', requires={requires}))\n"}
    )
    assert schema.tables[0].column("s").choices == expected
    assert schema.problems == ()  # validators are not schema: an unreadable one is not a DG002


def test_a_field_without_requires_has_no_choices(tmp_path):
    schema = extract(tmp_path, {"app/models.py": HEADER + "db.define_table('t', Field('s'))\n"})
    assert schema.tables[0].column("s").choices is None


MODELS = """
import enum
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class Status(enum.Enum):
    ACTIVE = "active"
    BANNED = "banned"

class Counted(enum.Enum):
    ONE = enum.auto()

NAMES = ("x", "y")

class T(Base):
    __tablename__ = "t"
    id: Mapped[int] = mapped_column(primary_key=True)
    literal = sa.Column(sa.Enum("a", "b", name="ab"))
    splat = sa.Column(sa.Enum(*NAMES, name="xy"))
    py_enum = sa.Column(sa.Enum(Status))
    annotated: Mapped[Status]
    by_value = sa.Column(sa.Enum(Status, values_callable=lambda e: [m.value for m in e]))
    other_callable = sa.Column(sa.Enum(Status, values_callable=lambda e: [m.name.lower() for m in e]))
    auto_values = sa.Column(sa.Enum(Counted, values_callable=lambda e: [m.value for m in e]))
    unknown = sa.Column(sa.Enum(*load(), name="u"))
    text = sa.Column(sa.String(5))
"""


def test_model_enum_values(tmp_path: Path):
    path = tmp_path / "models.py"
    path.write_text(MODELS)
    table = extract_models([path]).tables[0]
    got = {c.name: c.type.enum_values for c in table.columns if c.name != "id"}
    assert got == {
        "literal": ("a", "b"),
        "splat": ("x", "y"),
        "py_enum": ("ACTIVE", "BANNED"),  # what SQLAlchemy stores: the member names
        "annotated": ("ACTIVE", "BANNED"),
        "by_value": ("active", "banned"),  # values_callable=lambda e: [m.value for m in e]
        "other_callable": None,  # any other callable is not evaluated
        "auto_values": None,  # auto() values are not literals
        "unknown": None,
        "text": None,
    }
