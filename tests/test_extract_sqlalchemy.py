"""Columns and types of the SQLAlchemy extractor, from real files in tmp_path."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from drift_guard.extract.sqlalchemy import extract_models
from drift_guard.schema import UNKNOWN, Family, ProblemKind, Schema

HEADER = """\
import datetime
import decimal
import enum
import uuid
from typing import Optional, Union
import sqlalchemy as sa
from sqlalchemy import Column, Enum as SQLEnum, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

class Base(DeclarativeBase):
    pass

NAME_LEN = 120

class Color(enum.Enum):
    RED = "r"
    GREEN = "g"

"""


def extract(tmp_path: Path, sources: dict[str, str], bases: tuple[str, ...] = ()) -> Schema:
    paths = []
    for rel, text in sources.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
        paths.append(path)
    return extract_models(paths, import_roots=[tmp_path], bases=bases)


def one_column(tmp_path: Path, line: str, extra: str = ""):
    source = (
        HEADER
        + extra
        + "class T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n    "
        + line
        + "\n"
    )
    schema = extract(tmp_path, {"models.py": source})
    (table,) = schema.tables
    return table.columns[-1], schema


# (class body line, db name, family, length, nullable)
COLUMN_CASES = [
    ("x = Column(String(20))", "x", Family.STRING, 20, True),
    ("x = sa.Column(sa.String(length=255), nullable=False)", "x", Family.STRING, 255, False),
    ("x = Column('real_name', String(20))", "real_name", Family.STRING, 20, True),
    ("x = Column(String(20), name='real_name')", "real_name", Family.STRING, 20, True),
    ("x = Column(type_=sa.Text)", "x", Family.TEXT, None, True),
    ("x = Column(sa.Numeric(10, 2))", "x", Family.DECIMAL, None, True),
    ("x = Column(String(NAME_LEN))", "x", Family.STRING, 120, True),
    ("x: Mapped[int] = mapped_column()", "x", Family.INTEGER, None, False),
    ("x: Mapped[str]", "x", Family.STRING, None, False),
    ("x: Mapped[Optional[str]] = mapped_column(String(30))", "x", Family.STRING, 30, True),
    ("x: Mapped[str | None] = mapped_column()", "x", Family.STRING, None, True),
    ("x: Mapped[Union[str, None]] = mapped_column()", "x", Family.STRING, None, True),
    ("x: Mapped['Optional[int]']", "x", Family.INTEGER, None, True),
    ("x: Mapped[str] = mapped_column(nullable=True)", "x", Family.STRING, None, True),
    ("x: Mapped[bool]", "x", Family.BOOLEAN, None, False),
    ("x: Mapped[float]", "x", Family.FLOAT, None, False),
    ("x: Mapped[decimal.Decimal]", "x", Family.DECIMAL, None, False),
    ("x: Mapped[datetime.datetime]", "x", Family.DATETIME, None, False),
    ("x: Mapped[datetime.date]", "x", Family.DATE, None, False),
    ("x: Mapped[datetime.time]", "x", Family.TIME, None, False),
    ("x: Mapped[bytes]", "x", Family.BINARY, None, False),
    ("x: Mapped[dict]", "x", Family.JSON, None, False),
    ("x: Mapped[list]", "x", Family.JSON, None, False),
    ("x: Mapped[uuid.UUID]", "x", Family.UUID, None, False),
    ("x: Mapped[Color]", "x", Family.ENUM, None, False),
    ("x: Mapped[str] = Column(String(10))", "x", Family.STRING, 10, True),  # Core Column ignores Mapped
    ("x = Column(JSONB)", "x", Family.JSON, None, True),
    ("x = Column(UUID(as_uuid=True))", "x", Family.UUID, None, True),
    ("x = Column(ARRAY(String(50)))", "x", Family.ARRAY, None, True),
    ("x = Column(SQLEnum('a', 'b', name='ab'))", "x", Family.ENUM, None, True),
    ("x = Column(sa.JSON().with_variant(JSONB(), 'postgresql'))", "x", Family.JSON, None, True),
    ("x = sa.orm.deferred(Column(sa.Text))", "x", Family.TEXT, None, True),
]


@pytest.mark.parametrize(("line", "name", "family", "length", "nullable"), COLUMN_CASES)
def test_column_forms(tmp_path, line, name, family, length, nullable):
    column, schema = one_column(tmp_path, line)
    assert (column.name, column.attribute) == (name, "x")
    assert column.type.family is family
    assert column.type.length == length
    assert column.nullable is nullable
    assert schema.problems == ()


@pytest.mark.parametrize(
    "line",
    [
        "posts = relationship('Post')",
        "total = sa.orm.column_property(sa.select(1).scalar_subquery())",
        "alias = sa.orm.synonym('id')",
        "LIMIT = 5",
        "label: str = 'x'",
        "def method(self):\n        return Column(String)",
    ],
)
def test_not_columns_stay_quiet(tmp_path, line):
    column, schema = one_column(tmp_path, line)
    assert column.attribute == "id"
    assert schema.problems == ()


def test_column_flags(tmp_path):
    column, _ = one_column(
        tmp_path,
        "x = Column(Integer, unique=True, index=True, default=lambda: 1, server_default=sa.text('0'), autoincrement=False)",
    )
    assert (column.unique, column.index, column.autoincrement) == (True, True, False)
    assert column.default == "lambda: 1"
    assert column.server_default == "sa.text('0')"
    pk, _ = one_column(tmp_path / "b", "y = Column(Integer, primary_key=True, nullable=True)")
    assert pk.primary_key is True and pk.nullable is False  # a primary key is NOT NULL


def test_enum_types(tmp_path):
    literal_enum, _ = one_column(tmp_path, "x = Column(SQLEnum('a', 'b', name='ab'))")
    assert literal_enum.type.args == ("a", "b") and dict(literal_enum.type.kwargs) == {"name": "ab"}
    class_enum, schema = one_column(tmp_path / "b", "x = Column(SQLEnum(Color))")
    assert class_enum.type.family is Family.ENUM
    assert class_enum.type.args == ("RED", "GREEN")  # SQLAlchemy stores member names
    assert dict(class_enum.type.kwargs) == {"name": "color"}
    assert schema.problems == ()


def test_array_item_type(tmp_path):
    column, _ = one_column(tmp_path, "x = Column(ARRAY(String(50)))")
    assert column.type.sa_type == "sqlalchemy.dialects.postgresql.ARRAY"
    assert column.type.item is not None
    assert (column.type.item.family, column.type.item.length) == (Family.STRING, 50)


def test_spelled_and_qualified(tmp_path):
    column, _ = one_column(tmp_path, "x = sa.Column(sa.String(length=255))")
    assert column.type.spelled == "sa.String(length=255)"
    assert column.type.sa_type == "sqlalchemy.String"
    assert dict(column.type.kwargs) == {"length": 255}


@pytest.mark.parametrize(
    ("line", "extra", "spelled"),
    [
        ("x = Column(Mystery(3))", "from elsewhere import Mystery\n", "Mystery(3)"),
        ("x = Column(NotAType)", "", "NotAType"),
        ("x: Mapped[SomeThing]", "from elsewhere import SomeThing\n", "Mapped[SomeThing]"),
    ],
)
def test_unresolvable_type_is_unknown_with_problem(tmp_path, line, extra, spelled):
    column, schema = one_column(tmp_path, line, extra)
    assert column.type.family is Family.UNKNOWN
    assert column.type.spelled == spelled
    (problem,) = schema.problems
    assert problem.kind is ProblemKind.UNRESOLVED
    assert (problem.table, problem.column) == ("t", "x")
    assert spelled in problem.message


def test_length_from_unknown_constant(tmp_path):
    column, schema = one_column(tmp_path, "x = Column(String(OTHER_LEN))", "from settings import OTHER_LEN\n")
    assert column.type.family is Family.STRING
    assert column.type.length is UNKNOWN
    assert [p.message for p in schema.problems] == ["cannot resolve `OTHER_LEN` statically"]


def test_type_decorator_in_sibling_module(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/types.py": """
            import sqlalchemy as sa
            from sqlalchemy.types import TypeDecorator, CHAR

            class GUID(TypeDecorator):
                impl = CHAR
                cache_ok = True

            class Email(sa.types.TypeDecorator):
                impl = sa.String(255)
        """,
            "app/models.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base
            from app.types import GUID, Email
            Base = declarative_base()

            class T(Base):
                __tablename__ = "t"
                id = Column(GUID(), primary_key=True)
                code = Column(GUID(32))
                email = Column(Email())
        """,
        },
    )
    (table,) = schema.tables
    guid, code, email = table.columns
    assert (guid.type.family, guid.type.sa_type, guid.type.spelled) == (
        Family.STRING,
        "sqlalchemy.types.CHAR",
        "GUID()",
    )
    assert code.type.length == 32  # the decorator's own arguments go to a class impl
    assert (email.type.family, email.type.length, email.type.spelled) == (Family.STRING, 255, "Email()")
    assert schema.problems == ()


def test_type_annotation_map(tmp_path):
    schema = extract(
        tmp_path,
        {
            "models.py": """
        import datetime
        from typing import Annotated
        import sqlalchemy as sa
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        str50 = Annotated[str, 50]
        intpk = Annotated[int, mapped_column(primary_key=True)]

        class Base(DeclarativeBase):
            type_annotation_map = {
                str: sa.String(255),
                str50: sa.String(50),
                datetime.datetime: sa.DateTime(timezone=True),
            }

        class T(Base):
            __tablename__ = "t"
            id: Mapped[intpk]
            name: Mapped[str]
            short: Mapped[str50]
            at: Mapped[datetime.datetime]
            n: Mapped[int]
    """
        },
    )
    (table,) = schema.tables
    cols = {c.name: c for c in table.columns}
    assert cols["id"].primary_key is True and cols["id"].type.family is Family.INTEGER
    assert cols["name"].type.length == 255
    assert cols["short"].type.length == 50
    assert dict(cols["at"].type.kwargs) == {"timezone": True}
    assert cols["n"].type.family is Family.INTEGER  # not in the map: SQLAlchemy's default
    assert schema.problems == ()


def test_foreign_key_forms(tmp_path):
    schema = extract(
        tmp_path,
        {
            "models.py": HEADER
            + """
class User(Base):
    __tablename__ = "users"
    id = Column(sa.BigInteger, primary_key=True)

groups = sa.Table("groups", Base.metadata, Column("gid", String(8), primary_key=True))

class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    by_string = Column(ForeignKey("users.id", ondelete="cascade", onupdate="set null"))
    by_class: Mapped[int] = mapped_column(ForeignKey(User.id))
    by_table = Column(ForeignKey(groups.c.gid))
    annotated: Mapped[Optional[str]] = mapped_column(ForeignKey("users.id"))
    missing = Column(ForeignKey("nowhere.id"))
    qualified = Column(ForeignKey("public.users.id"))
"""
        },
    )
    posts = schema.tables[-1]
    cols = {c.name: c for c in posts.columns}
    fk = cols["by_string"].foreign_key
    assert (fk.table, fk.column, fk.ondelete, fk.onupdate) == ("users", "id", "CASCADE", "SET NULL")
    assert cols["by_string"].type.family is Family.INTEGER and cols["by_string"].type.sa_type == "sqlalchemy.BigInteger"
    assert (cols["by_class"].foreign_key.table, cols["by_class"].foreign_key.column) == ("users", "id")
    assert (cols["by_table"].foreign_key.table, cols["by_table"].type.length) == ("groups", 8)
    assert cols["annotated"].type.sa_type == "sqlalchemy.BigInteger"  # FK type wins over the annotation
    assert cols["annotated"].nullable is True
    assert cols["missing"].type.family is Family.UNKNOWN
    assert (cols["qualified"].foreign_key.table, cols["qualified"].type.sa_type) == ("users", "sqlalchemy.BigInteger")
    assert [(p.table, p.column) for p in schema.problems] == [("posts", "missing")]


def test_unresolvable_foreign_key_target(tmp_path):
    column, schema = one_column(tmp_path, "x = Column(Integer, ForeignKey(somewhere.id))")
    assert column.foreign_key.table is UNKNOWN and column.foreign_key.column is UNKNOWN
    assert column.type.family is Family.INTEGER
    (problem,) = schema.problems
    assert "ForeignKey(somewhere.id)" in problem.message


def test_locations(tmp_path):
    schema = extract(
        tmp_path,
        {
            "models.py": HEADER
            + """
class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    team_id = Column(Integer, ForeignKey("teams.id"))
"""
        },
    )
    (table,) = schema.tables
    first = HEADER.count("\n") + 2
    assert (table.location.line, table.location.column) == (first, 7)
    team = table.columns[1]
    assert (team.location.line, team.location.column) == (first + 3, 5)
    assert (team.foreign_key.location.line, team.foreign_key.location.column) == (first + 3, 31)
    assert team.foreign_key.spelled == 'ForeignKey("teams.id")'


@pytest.mark.parametrize(
    ("line", "args", "problems"),
    [
        ("x = Column(SQLEnum(*STATES, name='st'))", ("new", "done"), 0),
        ("x = Column(SQLEnum(*make_states(), name='st'))", (UNKNOWN,), 1),
    ],
)
def test_starred_type_arguments(tmp_path, line, args, problems):
    column, schema = one_column(tmp_path, line, "STATES = ('new', 'done')\n")
    assert column.type.args == args
    assert len(schema.problems) == problems


def test_non_literal_type_map_is_reported_once(tmp_path):
    schema = extract(
        tmp_path,
        {
            "models.py": """
        import sqlalchemy as sa
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
        from settings import TYPES

        class Base(DeclarativeBase):
            type_annotation_map = TYPES

        class A(Base):
            __tablename__ = "a"
            id: Mapped[int] = mapped_column(primary_key=True)

        class B(Base):
            __tablename__ = "b"
            id: Mapped[int] = mapped_column(primary_key=True)
    """
        },
    )
    assert [t.column("id").type.family for t in schema.tables] == [Family.INTEGER, Family.INTEGER]
    (problem,) = schema.problems
    assert "type_annotation_map" in problem.message


@pytest.mark.parametrize(
    ("line", "default"),
    [
        ("x: Mapped[int] = mapped_column(default=0)", "0"),
        ("x: Mapped[int] = mapped_column(insert_default=sa.func.now())", "sa.func.now()"),
        ("x: Mapped[list] = mapped_column(default_factory=list)", "list"),
        ("x: Mapped[int] = mapped_column()", None),
    ],
)
def test_defaults_as_source_text(tmp_path, line, default):
    column, _ = one_column(tmp_path, line)
    assert column.default == default
