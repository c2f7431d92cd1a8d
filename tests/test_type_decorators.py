"""TypeDecorators and type aliases, in the models module or imported from another.

A TypeDecorator is compared through its ``impl``: ``impl = CHAR(1)`` holding
'T'/'F' is exactly what PyDAL's ``boolean`` stores. Before, a decorator in
another module was one DG002 per use (discovery never handed its file to the
extractor), and a same-module one over CHAR(1) was a DG105 "string vs boolean"
error per column.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from drift_guard.config import Config
from drift_guard.discovery import discover
from drift_guard.extract.sqlalchemy import extract_models
from drift_guard.schema import Family
from drift_guard.types import families_compatible, model_column_type, pydal_column_type

INI = "[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = .\n"
ENV = "from app.db.models import Base\n\ntarget_metadata = Base.metadata\n"
TYPES = """
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator


class PyDALBoolean(TypeDecorator):
    impl = sa.CHAR(1)
    cache_ok = True


class UTCDateTime(TypeDecorator):
    impl = sa.DateTime
    cache_ok = True


Money = sa.Numeric(12, 2)
JSONVariant = sa.JSON().with_variant(JSONB(), "postgresql")
"""
MODELS = """
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

from app.db.session import SessionLocal, engine
from app.db.types import JSONVariant, Money, PyDALBoolean, UTCDateTime
from app.db.more_types import LowerEmail

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    is_active = sa.Column(PyDALBoolean())
    seen_at = sa.Column(UTCDateTime())
    balance = sa.Column(Money)
    settings = sa.Column(JSONVariant)
    email = sa.Column(LowerEmail())
"""
MORE_TYPES = """
import sqlalchemy as sa
from app.db.base_types import Email


class LowerEmail(Email):
    pass
"""
BASE_TYPES = """
import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class Email(TypeDecorator):
    impl = sa.String(255)
    cache_ok = True
"""
SESSION = """
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
"""


def _service(tmp_path: Path) -> Path:
    files = {
        "alembic.ini": INI,
        "alembic/env.py": ENV,
        "app/__init__.py": "",
        "app/db/__init__.py": "",
        "app/db/models.py": MODELS,
        "app/db/types.py": TYPES,
        "app/db/more_types.py": MORE_TYPES,
        "app/db/base_types.py": BASE_TYPES,
        "app/db/session.py": SESSION,
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def test_discovery_hands_the_type_modules_to_the_extractor(tmp_path):
    root = _service(tmp_path)
    (service,) = discover([root], Config(root=root))
    found = sorted(p.relative_to(root).as_posix() for p in service.model_files)
    # the decorator's base class two modules away too; the session module is no column type
    assert found == ["app/db/base_types.py", "app/db/models.py", "app/db/more_types.py", "app/db/types.py"]


def test_types_from_other_modules_are_read_through_impl_and_value(tmp_path):
    root = _service(tmp_path)
    (service,) = discover([root], Config(root=root))
    schema = extract_models(service.model_files, import_roots=service.import_roots, bases=service.model_bases)
    (users,) = schema.tables
    got = {c.name: (c.type.family, c.type.length, c.type.precision) for c in users.columns[1:]}
    assert got == {
        "is_active": (Family.STRING, 1, None),
        "seen_at": (Family.DATETIME, None, None),
        "balance": (Family.DECIMAL, None, 12),
        "settings": (Family.JSON, None, None),
        "email": (Family.STRING, 255, None),
    }
    assert schema.problems == ()


def test_char1_is_pydal_boolean_storage():
    boolean = pydal_column_type("boolean")
    assert families_compatible(model_column_type("sqlalchemy.CHAR", (1,)), boolean)
    assert families_compatible(model_column_type("sqlalchemy.String", (), (("length", 1),)), boolean)
    # anything else stays a mismatch: a longer string, no length, or a boolean PyDAL writes as text
    assert not families_compatible(model_column_type("sqlalchemy.String", (5,)), boolean)
    assert not families_compatible(model_column_type("sqlalchemy.String"), boolean)
    assert not families_compatible(model_column_type("sqlalchemy.Boolean"), pydal_column_type("string", 1))
