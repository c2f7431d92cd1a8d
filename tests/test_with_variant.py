"""``with_variant``: a type per database, compared per target dialect.

``BigInteger().with_variant(Integer, "sqlite")`` is INTEGER on SQLite (a rowid
alias that auto-increments, as PyDAL's id needs) and BIGINT elsewhere. It used
to be read as its base type only, so DG112 reported the very spelling its own
hint recommends.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from textwrap import dedent

import pytest

from drift_guard.dialect import Target, model_physical
from drift_guard.extract.sqlalchemy import extract_models
from drift_guard.migrations.metadata import build_type
from drift_guard.rules.representation import compare_column
from drift_guard.schema import Column, Family, Location
from drift_guard.types import model_column_type, pydal_column_type


def _types(tmp_path: Path, *lines: str):
    path = tmp_path / "models.py"
    body = "\n".join(f"    c{i} = sa.Column({line})" for i, line in enumerate(lines))
    path.write_text(
        dedent("""\
        import sqlalchemy as sa
        from sqlalchemy.dialects import mysql, postgresql
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()
        SQLITE = "sqlite"

        class T(Base):
            __tablename__ = "t"
            id = sa.Column(sa.Integer, primary_key=True)
    """)
        + body
        + "\n"
    )
    schema = extract_models([path], import_roots=[tmp_path])
    return [c.type for c in schema.tables[0].columns[1:]], [p.message for p in schema.problems]


def test_variants_are_read(tmp_path):
    (single, several, chained, named, evolved), notes = _types(
        tmp_path,
        'sa.BigInteger().with_variant(sa.Integer, "sqlite")',
        'sa.JSON().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")',
        'sa.String(50).with_variant(sa.Text(), "mysql").with_variant(postgresql.CITEXT(), "postgresql")',
        "sa.BigInteger().with_variant(sa.Integer(), SQLITE)",
        "sa.String(20).evolve()",
    )
    assert notes == []
    assert (single.sa_type, single.on("sqlite").sa_type, single.on("postgresql").sa_type) == (
        "sqlalchemy.BigInteger",
        "sqlalchemy.Integer",
        "sqlalchemy.BigInteger",
    )
    assert [name for name, _ in several.variants] == ["mysql", "mariadb"]
    assert (several.family, several.on("mysql").family) == (Family.JSON, Family.TEXT)
    assert [(n, v.family) for n, v in chained.variants] == [("mysql", Family.TEXT), ("postgresql", Family.TEXT)]
    assert (chained.family, chained.length, chained.on("sqlite").length) == (Family.STRING, 50, 50)
    assert named.on("sqlite").sa_type == "sqlalchemy.Integer"  # a constant dialect name
    assert evolved.variants == () and evolved.length == 20
    # messages quote the column's type as written, on every database
    assert single.on("sqlite").spelled == 'sa.BigInteger().with_variant(sa.Integer, "sqlite")'


def test_a_dialect_name_that_is_not_a_literal_is_noted(tmp_path):
    (ctype,), notes = _types(tmp_path, "sa.BigInteger().with_variant(sa.Integer(), settings.DIALECT)")
    assert ctype.variants == ()
    assert notes == [
        "cannot resolve the dialect name `settings.DIALECT` of `with_variant` statically; that variant is not compared"
    ]


BIG_ON_SERVERS = replace(  # BigInteger().with_variant(Integer, "sqlite")
    model_column_type("sqlalchemy.BigInteger"), variants=(("sqlite", model_column_type("sqlalchemy.Integer")),)
)


@pytest.mark.parametrize(("scheme", "ddl"), [("sqlite", "INTEGER"), ("postgres", "BIGINT"), ("mysql", "BIGINT")])
def test_physical_type_per_database(scheme, ddl):
    assert model_physical(BIG_ON_SERVERS, scheme) == ddl


def test_the_migration_metadata_keeps_the_variants():
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    built = build_type(BIG_ON_SERVERS)
    assert built.compile(dialect=sqlite.dialect()) == "INTEGER"
    assert built.compile(dialect=postgresql.dialect()) == "BIGINT"
    assert built.compile(dialect=mysql.dialect()) == "BIGINT"


def _id(ctype):
    return Column("id", "id", ctype, Location("models.py", 3, 5), nullable=False, primary_key=True)


@pytest.mark.parametrize(
    ("scheme", "model", "fires"),
    [
        ("sqlite", BIG_ON_SERVERS, False),
        ("postgres", BIG_ON_SERVERS, False),
        ("sqlite", model_column_type("sqlalchemy.BigInteger"), True),
    ],
)
def test_dg112_primary_key_per_database(scheme, model, fires):
    pydal_id = Column("id", "id", pydal_column_type("id"), Location("app/models.py", 4, 5), primary_key=True)
    found = compare_column(_id(model), pydal_id, Target(scheme, "the DAL URI"))
    assert (found is not None) is fires


def test_pydal_inserts_into_the_sqlite_variant_created_by_sqlalchemy(tmp_path):
    """The real thing: SQLAlchemy creates the table from the model's variant type,
    PyDAL (no id given, as always) inserts and reads back."""
    import sqlalchemy as sa
    from pydal import DAL, Field

    md = sa.MetaData()
    sa.Table(
        "events", md, sa.Column("id", build_type(BIG_ON_SERVERS), primary_key=True), sa.Column("name", sa.String(20))
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    md.create_all(engine)
    engine.dispose()
    db = DAL(f"sqlite://{tmp_path / 'app.db'}", migrate=False, folder=str(tmp_path))
    db.define_table("events", Field("name", length=20), migrate=False)
    new_id = db.events.insert(name="a")
    db.commit()
    assert db.events[new_id].name == "a"
    db.close()
