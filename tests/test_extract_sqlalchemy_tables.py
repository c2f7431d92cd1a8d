"""Tables of the SQLAlchemy extractor: inheritance, mixins, table args, Table(...)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from drift_guard.extract.sqlalchemy import extract_models
from drift_guard.schema import UNKNOWN, Family, ProblemKind, Schema

PRELUDE = """\
import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

class Base(DeclarativeBase):
    pass

"""


def extract(tmp_path: Path, sources: dict[str, str], bases: tuple[str, ...] = ()) -> Schema:
    paths = []
    for rel, text in sources.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
        paths.append(path)
    return extract_models(paths, import_roots=[tmp_path], bases=bases)


def models(tmp_path: Path, body: str) -> Schema:
    return extract(tmp_path, {"models.py": PRELUDE + dedent(body)})


def names(table) -> list[str]:  # noqa: ANN001
    return [c.name for c in table.columns]


def test_abstract_and_mixin_columns(tmp_path):
    schema = models(
        tmp_path,
        """
        class TimestampMixin:
            created_at = Column(sa.DateTime, nullable=False)

            @declared_attr
            def updated_by(cls):
                return Column(String(40))

        class Common(Base):
            __abstract__ = True
            id: Mapped[int] = mapped_column(primary_key=True)

        class User(TimestampMixin, Common):
            __tablename__ = "users"
            email = Column(String(100))
            created_at = Column(sa.DateTime, nullable=True)  # overrides the mixin
    """,
    )
    (table,) = schema.tables  # neither the mixin nor the abstract class is a table
    assert table.name == "users" and table.symbol == "User"
    assert sorted(names(table)) == ["created_at", "email", "id", "updated_by"]
    assert table.column("created_at").nullable is True
    assert table.column("id").primary_key is True
    assert schema.problems == ()


def test_mixin_in_sibling_module(tmp_path):
    schema = extract(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db/__init__.py": "from app.db.base import Base  # re-export\n",
            "app/db/base.py": """
            from sqlalchemy import Column, DateTime, Integer
            from sqlalchemy.orm import declarative_base
            Base = declarative_base()

            class IdMixin:
                id = Column(Integer, primary_key=True)
                created = Column(DateTime)
        """,
            "app/db/models.py": """
            from sqlalchemy import Column, String
            from . import Base
            from .base import IdMixin

            class User(IdMixin, Base):
                __tablename__ = "users"
                name = Column(String(10))
        """,
        },
        bases=("app.db.base.Base",),
    )
    (table,) = schema.tables
    assert sorted(names(table)) == ["created", "id", "name"]
    assert table.column("id").location.path.endswith("app/db/base.py")
    assert table.partial is False and schema.problems == ()


def test_unreadable_base_marks_table_partial(tmp_path):
    schema = models(
        tmp_path,
        """
        from flask_login import UserMixin

        class User(Base, UserMixin):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """,
    )
    (table,) = schema.tables
    assert table.partial is True
    (problem,) = schema.problems
    assert problem.kind is ProblemKind.UNRESOLVED and "flask_login.UserMixin" in problem.message


def test_declared_attr_tablename(tmp_path):
    schema = models(
        tmp_path,
        """
        class Named:
            @declared_attr.directive
            def __tablename__(cls) -> str:
                return "fixed_name"

        class Computed:
            @declared_attr
            def __tablename__(cls):
                return cls.__name__.lower()

        class A(Named, Base):
            id = Column(Integer, primary_key=True)

        class B(Computed, Base):
            id = Column(Integer, primary_key=True)
    """,
    )
    # `cls.__name__.lower()` is evaluated per class (sqlalchemy_tablename.py)
    assert [t.name for t in schema.tables] == ["fixed_name", "b"]
    assert schema.problems == ()


def test_single_and_joined_inheritance(tmp_path):
    schema = models(
        tmp_path,
        """
        class Person(Base):
            __tablename__ = "person"
            id = Column(Integer, primary_key=True)
            kind = Column(String(20))

        class Engineer(Person):  # single table: its column lands in "person"
            skill = Column(String(30))

        class Manager(Person):  # joined: its own table with its own columns
            __tablename__ = "manager"
            id = Column(Integer, ForeignKey("person.id"), primary_key=True)
            budget = Column(Integer)
    """,
    )
    person, manager = schema.tables
    assert names(person) == ["id", "kind", "skill"]
    assert names(manager) == ["id", "budget"]
    assert manager.column("id").type.family is Family.INTEGER


def test_table_args_forms(tmp_path):
    schema = models(
        tmp_path,
        """
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (
                sa.UniqueConstraint("email", "org", name="uq_email_org"),
                sa.UniqueConstraint("code"),
                sa.Index("ix_a_org", "org", unique=True),
                sa.Index("ix_a_lower", sa.func.lower("email")),
                sa.ForeignKeyConstraint(["org"], ["orgs.id"], ondelete="CASCADE"),
                sa.CheckConstraint("org > 0"),
                {"schema": "public"},
            )
            id = Column(Integer, primary_key=True)
            email = Column("email_address", String(50))
            org = Column(Integer)
            code = Column(String(5))

        class B(Base):
            __tablename__ = "b"
            __table_args__ = {"mysql_engine": "InnoDB"}
            x = Column(Integer)
            y = Column(Integer)

        class C(Base):
            __tablename__ = "c"
            x = Column(Integer)
            y = Column(Integer, unique=True, index=True)
            __table_args__ = (sa.PrimaryKeyConstraint("x", "y"), sa.Index(None, x))
    """,
    )
    a, b, c = schema.tables
    assert [(u.name, u.columns) for u in a.unique_constraints] == [
        ("uq_email_org", ("email_address", "org")),
        (None, ("code",)),
    ]
    assert a.column("code").unique is False  # a single-column constraint stays table-level
    assert [(i.name, i.columns, i.unique) for i in a.indexes] == [
        ("ix_a_org", ("org",), True),
        ("ix_a_lower", ('sa.func.lower("email")',), False),
    ]
    (fkc,) = a.foreign_key_constraints
    assert (fkc.columns, fkc.ref_table, fkc.ref_columns, fkc.ondelete) == (("org",), "orgs", ("id",), "CASCADE")
    assert (a.column("org").foreign_key.table, a.column("org").foreign_key.column) == ("orgs", "id")
    assert b.indexes == () and b.unique_constraints == ()
    assert c.primary_key == ("x", "y") and c.column("x").nullable is False
    assert (c.column("y").unique, c.column("y").index) == (True, True)
    assert [i.columns for i in c.indexes] == [("x",)]
    assert schema.problems == ()


def test_unreadable_table_args(tmp_path):
    schema = models(
        tmp_path,
        """
        from elsewhere import COMMON_ARGS

        class A(Base):
            __tablename__ = "a"
            __table_args__ = COMMON_ARGS
            id = Column(Integer, primary_key=True)
    """,
    )
    (problem,) = schema.problems
    assert "__table_args__" in problem.message and problem.table == "a"


def test_imperative_tables(tmp_path):
    schema = models(
        tmp_path,
        """
        metadata = sa.MetaData()

        users = sa.Table(
            "users", metadata,
            Column("id", Integer, primary_key=True),
            Column("email", String(255), nullable=False, key="mail"),
            sa.UniqueConstraint("email"),
            sa.Index("ix_users_email", "email"),
        )
        on_base = sa.Table("tags", Base.metadata, Column("id", Integer, primary_key=True))
        sa.Table("loose", metadata, Column("n", Integer))
    """,
    )
    users, tags, loose = schema.tables
    assert (users.name, users.symbol) == ("users", "users")
    assert [(c.name, c.attribute) for c in users.columns] == [("id", "id"), ("email", "mail")]
    assert users.column("email").nullable is False
    assert [i.name for i in users.indexes] == ["ix_users_email"]
    assert (tags.name, loose.name, loose.symbol) == ("tags", "loose", None)
    assert users.columns[1].location.line == users.location.line + 3


def test_duplicate_table_names_are_kept(tmp_path):
    schema = models(
        tmp_path,
        """
        class A(Base):
            __tablename__ = "same"
            id = Column(Integer, primary_key=True)

        class B(Base):
            __tablename__ = "same"
            id = Column(Integer, primary_key=True)
    """,
    )
    assert [(t.name, t.symbol) for t in schema.tables] == [("same", "A"), ("same", "B")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("cols = [Column('a', Integer)]\nt = sa.Table('t', Base.metadata, *cols)", "*cols"),
        (
            "class T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n"
            "for n in ('a', 'b'):\n    setattr(T, n, Column(Integer))",
            "for",
        ),
        (
            "class T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n"
            "    for n in range(3):\n        locals()[f'c{n}'] = Column(Integer)",
            "for",
        ),
        ("class T(Base):\n    __tablename__ = 't'\n    x = Column(*[Integer])", "*args"),
    ],
)
def test_unreadable_constructs_are_problems(tmp_path, body, message):
    schema = models(tmp_path, body)
    (table,) = schema.tables
    assert schema.problems, "an unreadable construct must never be skipped silently"
    assert any(message in p.message and p.kind is ProblemKind.UNRESOLVED for p in schema.problems)
    assert table.partial is True or any(c.type.family is Family.UNKNOWN for c in table.columns)


def test_column_added_after_class(tmp_path):
    schema = models(
        tmp_path,
        """
        class T(Base):
            __tablename__ = "t"
            id = Column(Integer, primary_key=True)

        T.extra = Column(String(10))
        sa.Index("ix_t_extra", T.extra)
    """,
    )
    (table,) = schema.tables
    assert names(table) == ["id", "extra"]
    assert [i.columns for i in table.indexes] == [("extra",)]


REFLECTED = "engine = None\nt = sa.Table('t', Base.metadata, autoload_with=engine)\n"


def test_reflected_table_on_the_target_metadata_is_partial(tmp_path):
    """Alembic's target holds the reflected table: it is there, columns unknown."""
    schema = extract(tmp_path, {"models.py": PRELUDE + REFLECTED}, bases=("models.Base",))
    (table,) = schema.tables
    assert table.partial is True and table.columns == ()
    assert schema.problems[0].table == "t"


@pytest.mark.parametrize(
    "script",
    [
        REFLECTED,
        "engine = None\nmeta = sa.MetaData()\nt = sa.Table('t', meta, autoload=True, autoload_with=engine)\n",
        "meta = sa.MetaData()\nt = sa.Table('t', meta, autoload=True)\n",
    ],
)
def test_a_reflected_table_defines_nothing(tmp_path, script):
    """Where the target is unknown a reflection is a script reading a table, and it
    is never a second definition of a model's table (no DG114, the model compared)."""
    assert extract(tmp_path, {"models.py": PRELUDE + script}).tables == ()
    model = PRELUDE + "class T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n"
    for bases in ((), ("models.Base",)):
        reader = "import sqlalchemy as sa\nfrom models import Base\n" + script  # on the models' own metadata
        schema = extract(tmp_path, {"models.py": model, "script.py": reader}, bases=bases)
        (table,) = schema.tables
        assert table.partial is False and names(table) == ["id"] and table.location.path.endswith("models.py")


def test_autoload_false_defines_the_table(tmp_path):
    schema = models(tmp_path, "t = sa.Table('t', Base.metadata, Column('id', Integer), autoload=False)\n")
    (table,) = schema.tables
    assert table.partial is False and names(table) == ["id"]


def test_unknown_sentinels_only_where_unresolvable(tmp_path):
    schema = models(tmp_path, "class T(Base):\n    __tablename__ = 't'\n    x = Column(Integer, unique=FLAG)\n")
    (table,) = schema.tables
    assert table.column("x").unique is UNKNOWN
    assert "unique=" in schema.problems[0].message


def test_columns_from_helper_functions(tmp_path):
    schema = extract(
        tmp_path,
        {
            "helpers.py": """
            import sqlalchemy as sa

            def created_at_column():
                \"\"\"Shared timestamp column.\"\"\"
                return sa.Column(sa.DateTime(timezone=True), nullable=False)

            def string_column(n):
                return sa.Column(sa.String(n))

            def clever_column(kind):
                if kind:
                    return sa.Column(sa.Integer)
                return sa.Column(sa.Text)
        """,
            "models.py": PRELUDE
            + dedent("""
            from helpers import clever_column, created_at_column, string_column

            def not_a_column():
                return 42

            class T(Base):
                __tablename__ = "t"
                id = Column(Integer, primary_key=True)
                created_at = created_at_column()
                label = string_column(40)
                odd = clever_column(True)
                answer = not_a_column()
        """),
        },
    )
    (table,) = schema.tables
    assert names(table) == ["id", "created_at", "label"]
    assert table.column("created_at").type.family is Family.DATETIME
    assert table.column("created_at").nullable is False
    assert table.column("label").type.length is UNKNOWN  # the argument is not read
    assert table.partial is True  # clever_column() cannot be read
    assert sorted(p.column for p in schema.problems) == ["label", "odd"]


def test_redefined_class_is_reported(tmp_path):
    schema = models(
        tmp_path,
        """
        class F(Base):
            __tablename__ = "first"
            id = Column(Integer, primary_key=True)

        class F(Base):
            __tablename__ = "second"
            id = Column(Integer, primary_key=True)
    """,
    )
    assert [t.name for t in schema.tables] == ["second"]
    (problem,) = schema.problems
    assert "`F` is defined again" in problem.message


SPLICED = """
def audit_columns():
    \"\"\"The columns every audited table has.\"\"\"
    return [Column("created_at", sa.DateTime, nullable=False), Column("created_by", Integer)]

def keys():
    return (Column("tenant", String(20)),)

def with_argument(prefix):
    return [Column(prefix + "_at", sa.DateTime)]

events = sa.Table("events", Base.metadata, Column("id", Integer, primary_key=True), *audit_columns(), *keys())
"""


def test_table_splices_a_helpers_literal_columns(tmp_path):
    schema = models(tmp_path, SPLICED)
    (table,) = schema.tables
    assert names(table) == ["id", "created_at", "created_by", "tenant"]
    assert table.column("created_at").nullable is False and table.column("tenant").type.length == 20
    assert table.partial is False and schema.problems == ()


@pytest.mark.parametrize("splice", ["*with_argument('x')", "*unknown_columns()", "*[c for c in keys()]", "*COLUMNS"])
def test_table_splice_that_cannot_be_read_stays_partial(tmp_path, splice):
    schema = models(tmp_path, SPLICED.replace("*audit_columns(), *keys()", splice))
    (table,) = schema.tables
    assert names(table) == ["id"] and table.partial is True
    assert [p.message for p in schema.problems] == [
        f"cannot read `{splice}` in `Table(...)` statically; the columns it may define are unknown, so columns "
        "missing in the models (DG104) are not reported for table `events` (the columns that were read are still "
        "compared)"
    ]
