"""Names defined through themselves: resolution is cycle-safe.

``url = url.replace("?ssl=disable", "")`` before ``create_engine(url)``, or
``LEN = LEN + 1`` at module level, refer to themselves. Python would use the
previous binding (or raise NameError); statically there is no value to read.
Every resolver must give UNKNOWN (a DG002 note where the value matters) and
never recurse without end or take exponential time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

from test_extract_pydal_helpers import HEADER as PYDAL_HEADER
from test_extract_pydal_helpers import messages, one_table

from drift_guard.extract.sqlalchemy import extract_models
from drift_guard.schema import UNKNOWN, Family

MODELS_HEADER = """\
import os
import sqlalchemy as sa
from sqlalchemy import Column, Enum, Integer, String, create_engine
from sqlalchemy.orm import declarative_base

Base = declarative_base()
"""


def _models(tmp_path: Path, body: str):
    path = tmp_path / "models.py"
    path.write_text(MODELS_HEADER + dedent(body), encoding="utf-8")
    schema = extract_models([path], import_roots=[tmp_path])
    return schema


def test_a_url_rebound_from_itself_before_create_engine(tmp_path):
    schema = _models(
        tmp_path,
        """
        url = os.environ.get("DATABASE_URL", "sqlite://")
        url = url.replace("?ssl=disable", "")
        engine = create_engine(url)

        class Doc(Base):
            __tablename__ = "docs"
            id = Column(Integer, primary_key=True)
            title = Column(String(200))
    """,
    )
    (table,) = schema.tables
    assert [(c.name, c.type.length) for c in table.columns] == [("id", None), ("title", 200)]
    assert schema.problems == ()


def test_a_method_call_on_the_name_it_rebinds_is_no_type(tmp_path):
    schema = _models(
        tmp_path,
        """
        Text = Text.upper()

        class Doc(Base):
            __tablename__ = "docs"
            id = Column(Integer, primary_key=True)
            body = Column(Text)
    """,
    )
    body = schema.tables[0].columns[-1]
    assert body.type.family is Family.UNKNOWN
    assert [p.message for p in schema.problems] == ["cannot resolve column type `Text` statically"]


def test_a_length_defined_through_itself_is_unknown(tmp_path):
    schema = _models(
        tmp_path,
        """
        TITLE_LEN = TITLE_LEN + 1
        WIDTH = (WIDTH, 1)

        class Doc(Base):
            __tablename__ = "docs"
            id = Column(Integer, primary_key=True)
            title = Column(String(TITLE_LEN))
            code = Column(String(WIDTH))
    """,
    )
    title, code = schema.tables[0].columns[1:]
    assert (title.type.family, title.type.length) == (Family.STRING, UNKNOWN)
    assert code.type.length is UNKNOWN
    assert "cannot resolve `TITLE_LEN` statically" in [p.message for p in schema.problems]


def test_mutually_defined_constants_are_unknown(tmp_path):
    schema = _models(
        tmp_path,
        """
        A = (B, 1)
        B = (A, 2)

        class Doc(Base):
            __tablename__ = "docs"
            id = Column(Integer, primary_key=True)
            state = Column(Enum(*A))
    """,
    )
    state = schema.tables[0].columns[-1]
    assert state.type.family is Family.ENUM
    assert state.type.args == ((UNKNOWN, 2), 1)  # B = (A, 2) with A being read: no value


def test_self_referencing_constants_take_linear_time(tmp_path):
    """``X = (X, X, X)`` used to be followed 25 levels deep on every branch: 3**25 steps."""
    (tmp_path / "models.py").write_text(
        MODELS_HEADER
        + dedent("""
        STATES = (STATES, STATES, STATES)

        class Doc(Base):
            __tablename__ = "docs"
            id = Column(Integer, primary_key=True)
            state = Column(Enum(*STATES))
    """),
        encoding="utf-8",
    )
    (tmp_path / "pydal_tables.py").write_text(PYDAL_HEADER + 'db.define_table("docs", Field("state"))\n')
    done = subprocess.run(
        [sys.executable, "-m", "drift_guard", "check", "--no-cache", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1)


def test_base_module_rebinding_its_url_from_itself(tmp_path):
    """The Heroku fix ``URL = URL.replace("postgres://", "postgresql://")`` in the
    module that defines ``Base``, checked through the standard layout."""
    root = tmp_path / "svc"
    (root / "app" / "db").mkdir(parents=True)
    (root / "alembic" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = .\n")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "db" / "__init__.py").write_text("")
    (root / "app" / "db" / "base.py").write_text(
        dedent("""
        import os
        from sqlalchemy import create_engine
        from sqlalchemy.orm import declarative_base

        SQLALCHEMY_DATABASE_URL = os.environ["DATABASE_URL"]
        SQLALCHEMY_DATABASE_URL = SQLALCHEMY_DATABASE_URL.replace("postgres://", "postgresql://")
        engine = create_engine(SQLALCHEMY_DATABASE_URL)
        Base = declarative_base()
    """)
    )
    (root / "app" / "db" / "models.py").write_text(
        dedent("""
        from sqlalchemy import Column, Integer
        from app.db.base import Base

        class Doc(Base):
            __tablename__ = "docs"
            id = Column(Integer, primary_key=True)
    """)
    )
    (root / "alembic" / "env.py").write_text(
        dedent("""
        from alembic import context
        from app.db.base import Base
        import app.db.models

        target_metadata = Base.metadata
    """)
    )
    (root / "app" / "models.py").write_text(PYDAL_HEADER + 'db.define_table("docs")\n')
    done = subprocess.run(
        [sys.executable, "-m", "drift_guard", "check", "--no-cache", "--no-migrations"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stdout


def test_pydal_name_bound_to_itself(tmp_path):
    table, schema = one_table(
        tmp_path,
        """
        WIDTH = WIDTH
        db.define_table("docs", Field("title", length=WIDTH))
    """,
    )
    title = table.columns[-1]
    assert title.type.length is UNKNOWN
    assert any("`length`" in m for m in messages(schema))


def test_a_base_given_its_own_metadata(tmp_path):
    schema = _models(
        tmp_path,
        """
        Base = declarative_base(metadata=Base.metadata)

        class Doc(Base):
            __tablename__ = "docs"
            id = Column(Integer, primary_key=True)
    """,
    )
    assert [t.name for t in schema.tables] == ["docs"]
