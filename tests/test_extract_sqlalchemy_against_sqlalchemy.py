"""The static reading agrees with SQLAlchemy's own declarative scan.

Each fixture below is test-owned source (never application code). A child
process imports it with real SQLAlchemy and dumps ``metadata.tables``; the
extractor reads the same files statically; both must describe the same tables,
columns, nullability, primary keys, type families, lengths and foreign keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from drift_guard.extract.sqlalchemy import extract_models

DUMP = """
import importlib, json, sys
from drift_guard.types import sqlalchemy_family
sys.path.insert(0, sys.argv[1])
module = importlib.import_module(sys.argv[2])
metadata = getattr(module, sys.argv[3]).metadata
out = {}
def length(column):  # an Enum's length is derived from its values; the schema keeps what was written
    family = sqlalchemy_family(type(column.type)).value
    return None if family == "enum" else getattr(column.type, "length", None)
for table in metadata.tables.values():
    out[table.name] = {
        c.name: [c.nullable, c.primary_key, sqlalchemy_family(type(c.type)).value,
                 length(c), bool(c.unique), bool(c.index),
                 sorted(f"{fk.column.table.name}.{fk.column.name}" for fk in c.foreign_keys)]
        for c in table.columns
    }
print(json.dumps(out))
"""

FIXTURES = {
    "mixins_and_annotations": """
        import datetime, enum
        from typing import Annotated, Optional
        import sqlalchemy as sa
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

        str30 = Annotated[str, 30]
        intpk = Annotated[int, mapped_column(primary_key=True)]

        class Base(DeclarativeBase):
            type_annotation_map = {str30: sa.String(30), datetime.datetime: sa.DateTime(timezone=True)}

        class Kind(enum.Enum):
            A = 1
            B = 2

        class Audit:
            created_at: Mapped[datetime.datetime] = mapped_column(server_default=sa.func.now())
            note = Column(sa.Text)

            @declared_attr
            def owner_id(cls) -> Mapped[Optional[int]]:
                return mapped_column(ForeignKey("users.id"))

        class Common(Base):
            __abstract__ = True
            id: Mapped[intpk]

        class User(Common):
            __tablename__ = "users"
            email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
            nick: Mapped[Optional[str30]]
            kind: Mapped[Kind]
            real = Column("real_name", String(40), nullable=False)
            score: Mapped[float | None]
            posts = relationship("Post", back_populates="user")

        class Post(Audit, Common):
            __tablename__ = "posts"
            __table_args__ = (sa.UniqueConstraint("title", "user_id"), sa.Index("ix_posts_title", "title"))
            title: Mapped[str] = mapped_column(String(100))
            user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
            body = sa.orm.deferred(Column(sa.Text))
            user = relationship("User", back_populates="posts")
    """,
    "legacy_and_tables": """
        import sqlalchemy as sa
        from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Integer, String, Table
        from sqlalchemy.orm import declarative_base
        from sqlalchemy.types import TypeDecorator, CHAR

        class GUID(TypeDecorator):
            impl = CHAR
            cache_ok = True

        Base = declarative_base()

        association = Table(
            "user_groups", Base.metadata,
            Column("user_id", ForeignKey("users.id"), primary_key=True),
            Column("group_id", Integer, ForeignKey("groups.id"), primary_key=True),
        )

        class Group(Base):
            __tablename__ = "groups"
            id = Column(Integer, primary_key=True)
            code = Column(GUID(36), nullable=False)

        class User(Base):
            __tablename__ = "users"
            id = Column(sa.BigInteger, primary_key=True)
            group_id = Column(Integer)
            tenant = Column(Integer)
            __table_args__ = (
                ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
                sa.PrimaryKeyConstraint("id"),
            )

        class Person(Base):
            __tablename__ = "person"
            id = Column(Integer, primary_key=True)
            type = Column(String(20))
            __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "person"}

        class Engineer(Person):
            skill = Column(String(30))
            __mapper_args__ = {"polymorphic_identity": "engineer"}

        class Note(Base):
            __table__ = Table("notes", Base.metadata, Column("id", Integer, primary_key=True),
                              Column("body", sa.Text))

        class Manager(Person):
            __tablename__ = "manager"
            id = Column(Integer, ForeignKey("person.id"), primary_key=True)
            budget = Column(sa.Numeric(10, 2))
            __mapper_args__ = {"polymorphic_identity": "manager"}
    """,
    "dataclasses_and_helpers": """
        import datetime, uuid
        from decimal import Decimal
        from typing import Optional
        import sqlalchemy as sa
        from sqlalchemy import Column, ForeignKey, Integer, String, Table
        from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, declared_attr, mapped_column

        NAME_LEN = 80

        def created_column():
            return mapped_column(sa.DateTime, server_default=sa.func.now(), init=False)

        class Base(MappedAsDataclass, DeclarativeBase):
            pass

        class Tenant(Base):
            __tablename__ = "tenants"
            id: Mapped[int] = mapped_column(primary_key=True, init=False)
            name: Mapped[str] = mapped_column(String(NAME_LEN))
            price: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(8, 2), default=None)
            key: Mapped[uuid.UUID] = mapped_column(default_factory=uuid.uuid4)
            created: Mapped[datetime.datetime] = created_column()

        class TenantScoped(MappedAsDataclass):
            @declared_attr
            def tenant_id(cls) -> Mapped[int]:
                return mapped_column(ForeignKey(Tenant.id), init=False)

        class Doc(TenantScoped, Base):
            __tablename__ = "docs"
            __table_args__ = (sa.PrimaryKeyConstraint("code", "version"),)
            code: Mapped[str] = mapped_column(String(10), init=False)
            version: Mapped[int] = mapped_column(init=False)
            title: Mapped[str] = mapped_column("doc_title", String(200), default="")

        audit = Table(
            "audit", Base.metadata,
            Column("id", Integer, primary_key=True),
            Column("doc_code", String(10), nullable=False),
            Column("tenant", ForeignKey("tenants.id", ondelete="SET NULL")),
        )
    """,
}


def real_tables(root: Path, module: str) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", DUMP, str(root), module, "Base"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def static_tables(path: Path, root: Path) -> dict:
    schema = extract_models([path], import_roots=[root])
    assert schema.problems == ()
    out: dict = {}
    for table in schema.tables:
        assert table.name not in out, "fixtures have no duplicate tables"
        fk = lambda c: [f"{c.foreign_key.table}.{c.foreign_key.column}"] if c.foreign_key else []  # noqa: E731
        out[table.name] = {
            c.name: [c.nullable, c.primary_key, c.type.family.value, c.type.length, c.unique is True, c.index, fk(c)]
            for c in table.columns
        }
    return out


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_static_reading_matches_sqlalchemy(tmp_path, name):
    path = tmp_path / f"{name}.py"
    path.write_text(dedent(FIXTURES[name]), encoding="utf-8")
    expected = real_tables(tmp_path, name)
    found = static_tables(path, tmp_path)
    assert sorted(found) == sorted(expected)
    for table, columns in expected.items():
        assert sorted(found[table]) == sorted(columns), table
        for column, facts in columns.items():
            assert found[table][column] == facts, f"{table}.{column}"
