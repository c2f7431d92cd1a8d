"""Which files, bases and metadata make up the SQLAlchemy layer, and bad input."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from drift_guard.extract.sqlalchemy import extract_models
from drift_guard.parsing import parse_file
from drift_guard.schema import Family, Layer, ProblemKind, Schema


def write(tmp_path: Path, sources: dict[str, str | bytes]) -> list[Path]:
    paths = []
    for rel, text in sources.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(dedent(text), encoding="utf-8")
        paths.append(path)
    return paths


def extract(tmp_path: Path, sources: dict[str, str | bytes], bases: tuple[str, ...] = ()) -> Schema:
    return extract_models(write(tmp_path, sources), import_roots=[tmp_path], bases=bases)


TWO_BASES = {
    "app/__init__.py": "",
    "app/db/__init__.py": "",
    "app/db/base.py": """
        from sqlalchemy.orm import DeclarativeBase
        class Base(DeclarativeBase):
            pass
    """,
    "app/db/models.py": """
        from sqlalchemy import Column, Integer, MetaData, Table
        from sqlalchemy.orm import declarative_base
        from app.db.base import Base

        OtherBase = declarative_base()
        other_metadata = MetaData()

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)

        class Audit(OtherBase):
            __tablename__ = "audit"
            id = Column(Integer, primary_key=True)

        links = Table("links", Base.metadata, Column("id", Integer, primary_key=True))
        stray = Table("stray", other_metadata, Column("id", Integer, primary_key=True))
        metadata = Base.metadata
        aliased = Table("aliased", metadata, Column("id", Integer, primary_key=True))
    """,
}


@pytest.mark.parametrize(
    ("bases", "expected"),
    [
        ((), ["users", "audit", "links", "stray", "aliased"]),  # fallback mode: everything
        (("app.db.base.Base",), ["users", "links", "aliased"]),
        (("app.db.base.Base.metadata",), ["users", "links", "aliased"]),
        (("app.db.models.metadata",), ["users", "links", "aliased"]),
        (("app.db.models.OtherBase",), ["audit"]),
        (("app.db.models.other_metadata",), ["stray"]),
        (("app.db.base.Base", "app.db.models.other_metadata"), ["users", "links", "stray", "aliased"]),
    ],
)
def test_bases_select_the_layer(tmp_path, bases, expected):
    schema = extract(tmp_path, TWO_BASES, bases)
    assert [t.name for t in schema.tables] == expected
    assert schema.problems == ()
    assert schema.layer is Layer.MODELS
    assert schema.files == tuple(sorted(schema.files, key=list(schema.files).index))


BASE_STYLES = {
    "orm_declarative_base": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
    "ext_declarative_base": "from sqlalchemy.ext.declarative import declarative_base\nBase = declarative_base()\n",
    "declarative_base_metadata": (
        "from sqlalchemy import MetaData\nfrom sqlalchemy.orm import declarative_base\n"
        "metadata = MetaData()\nBase = declarative_base(metadata=metadata)\n"
    ),
    "declarative_base_class": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
    "dataclass_base": (
        "from sqlalchemy.orm import DeclarativeBase, MappedAsDataclass\n"
        "class Base(MappedAsDataclass, DeclarativeBase):\n    pass\n"
    ),
    "registry_generate_base": "from sqlalchemy.orm import registry\nBase = registry().generate_base()\n",
    "named_registry": "from sqlalchemy.orm import registry\nreg = registry()\nBase = reg.generate_base()\n",
    "as_declarative": "from sqlalchemy.orm import as_declarative\n@as_declarative()\nclass Base:\n    pass\n",
}


@pytest.mark.parametrize("style", sorted(BASE_STYLES))
def test_declarative_base_styles(tmp_path, style):
    model = """
        from sqlalchemy import Column, Integer
        from app.base import Base

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)

        class NotAModel:
            __tablename__ = "not_a_table"  # no declarative base: ignored
    """
    sources = {"app/__init__.py": "", "app/base.py": BASE_STYLES[style], "app/models.py": model}
    schema = extract(tmp_path, sources, ("app.base.Base",))
    assert [t.name for t in schema.tables] == ["users"]
    assert schema.problems == ()
    if "metadata" in style:  # the MetaData itself may be what env.py names
        again = extract(tmp_path / "again", sources, ("app.base.metadata",))
        assert [t.name for t in again.tables] == ["users"]


def test_registry_mapped_decorator(tmp_path):
    schema = extract(
        tmp_path,
        {
            "models.py": """
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import registry
        mapper_registry = registry()

        @mapper_registry.mapped
        class User:
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """
        },
        ("models.mapper_registry.metadata",),
    )
    assert [t.name for t in schema.tables] == ["users"]


def test_unknown_bases_fall_back_with_a_problem(tmp_path):
    schema = extract(tmp_path, TWO_BASES, ("nowhere.Base",))
    assert [t.name for t in schema.tables] == ["users", "audit", "links", "stray", "aliased"]
    (problem,) = schema.problems
    assert "nowhere.Base" in problem.message


def test_syntax_error_file_does_not_stop_the_others(tmp_path):
    schema = extract(
        tmp_path,
        {
            "broken.py": "class Broken(:\n    pass\n",
            "models.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base
            Base = declarative_base()
            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)
        """,
        },
    )
    assert [t.name for t in schema.tables] == ["users"]
    (problem,) = schema.problems
    assert problem.kind is ProblemKind.SYNTAX_ERROR
    assert problem.location.path.endswith("broken.py") and problem.location.line == 1
    assert len(schema.files) == 2


def test_non_utf8_file_is_a_problem(tmp_path):
    schema = extract(tmp_path, {"latin.py": b"# caf\xe9\nx = 1\n"})
    assert schema.tables == ()
    (problem,) = schema.problems
    assert problem.kind is ProblemKind.SYNTAX_ERROR and problem.location.line == 1


@pytest.mark.parametrize("source", ["", "# nothing here\n", "import os\nprint(os.name)\n"])
def test_files_without_models_stay_quiet(tmp_path, source):
    schema = extract(tmp_path, {"empty.py": source})
    assert schema.tables == () and schema.problems == ()


def test_models_are_read_not_imported(tmp_path):
    schema = extract(
        tmp_path,
        {
            "models.py": """
        import sys
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import declarative_base
        raise SystemExit("importing this module is forbidden")
        sys.exit(3)
        Base = declarative_base()
        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """
        },
    )
    assert [t.name for t in schema.tables] == ["users"]


def _generated_models(count: int) -> str:
    lines = [
        "import sqlalchemy as sa",
        "from sqlalchemy import Column, ForeignKey, Integer, String",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column",
        "class Base(DeclarativeBase):\n    pass",
    ]
    for n in range(count):
        lines.append(
            f"class Model{n}(Base):\n"
            f"    __tablename__ = 'table_{n}'\n"
            f"    __table_args__ = (sa.UniqueConstraint('name', 'code'), sa.Index('ix_{n}', 'code'))\n"
            f"    id: Mapped[int] = mapped_column(primary_key=True)\n"
            f"    name = Column(String({n % 200 + 1}), nullable=False, index=True)\n"
            f"    code: Mapped[str] = mapped_column(String(20), unique=True)\n"
            f"    parent_id = Column(ForeignKey('table_{max(n - 1, 0)}.id'), nullable=True)\n"
            f"    note = Column(sa.Text, server_default=sa.text(\"''\"))\n"
            f"    amount = Column(sa.Numeric(12, 2), default=0)\n"
            f"    created = Column(sa.DateTime(timezone=True), server_default=sa.func.now())\n"
        )
    return "\n".join(lines) + "\n"


def test_large_generated_file(tmp_path, monkeypatch):
    """Assert that a generated models file over the default 1 MB parse limit
    extracts completely once the user raises ``max-file-size``. (The 5 MB case
    is tests/test_bad_input.py: reported at the file, not parsed; parsing 5 MB
    with libcst needs minutes and gigabytes. Speed is measured by benchmarks/, never
    asserted here.)"""
    from drift_guard.config import Config
    from drift_guard.session import Session

    (path,) = write(tmp_path, {"models.py": _generated_models(2000)})
    assert path.stat().st_size > 1_000_000
    with Session(Config(root=tmp_path, max_file_size=10_000_000)).active():
        schema = extract_models([path], import_roots=[tmp_path])
    assert len(schema.tables) == 2000 and schema.problems == ()
    last = schema.tables[-1]
    assert last.column("parent_id").type.family is Family.INTEGER
    assert last.column("parent_id").foreign_key.table == "table_1998"


@pytest.mark.parametrize(
    "source",
    [
        "from elsewhere import Model\nclass User(Model):\n    __tablename__ = 'users'\n    id = Column(Integer)\n",
        "from elsewhere import md\nt = Table('t', md, Column('id', Integer))\n",
        "t = Table('t', make_metadata(), Column('id', Integer))\n",
    ],
)
def test_unreadable_base_in_bases_mode_is_reported(tmp_path, source):
    sources = dict(TWO_BASES)
    sources["app/db/extra.py"] = "from sqlalchemy import Column, Integer, Table\n" + source
    schema = extract(tmp_path, sources, ("app.db.base.Base",))
    assert [t.name for t in schema.tables] == ["users", "links", "aliased"]  # the extra file adds nothing
    (problem,) = schema.problems
    assert problem.kind is ProblemKind.UNRESOLVED and "left out" in problem.message
    assert problem.location.path.endswith("extra.py")


@pytest.mark.parametrize(
    "source",
    [
        "from sqlalchemy import MetaData\nt = Table('t', MetaData(), Column('id', Integer))\n",
        "from sqlalchemy.orm import declarative_base\nB = declarative_base()\n"
        "class U(B):\n    __tablename__ = 'u'\n    id = Column(Integer)\n",
    ],
)
def test_other_readable_metadata_is_left_out_quietly(tmp_path, source):
    sources = dict(TWO_BASES)
    sources["app/db/extra.py"] = "from sqlalchemy import Column, Integer, Table\n" + source
    schema = extract(tmp_path, sources, ("app.db.base.Base",))
    assert [t.name for t in schema.tables] == ["users", "links", "aliased"]
    assert schema.problems == ()


def test_source_slices_match_codegen(tmp_path):
    """Assert that Module.code (a slice of the file by position) spells every
    expression as libcst's codegen does, up to continuation-line indentation,
    across CRLF / CR line ends, tabs, non-ASCII text and backslash continuations."""
    import libcst as cst

    from drift_guard.extract.sqlalchemy.modules import build_module

    source = (
        'import sqlalchemy as sa\r\nclass T(Base):\r\n\tx = sa.Column(sa.String(\r\n\t\t20), default="é\\u00e9")'
        '  # c\r\n\ty = sa.Column(\\\n  sa.Text)\rz = "ü" ; w = sa.Numeric( 1 ,2 )\n'
    )
    (path,) = write(tmp_path, {"m.py": source.encode()})
    parsed = parse_file(path)
    module = build_module(parsed, path, ("m",))
    seen = []

    class Check(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.BaseExpression):
                assert module.code(node).split() == parsed.code(node).split()
                seen.append(node)
            return True

    parsed.module.visit(Check())
    assert len(seen) > 30
    assert module.code(seen[-1]) == "2"


@pytest.mark.parametrize(
    "model_import",
    [
        "import app.db.base as b\nBase = b.Base",
        "from app.db.base import *",
        "from .base import Base",
        "from app.db import base\nBase = base.Base",
    ],
)
def test_base_reached_through_imports(tmp_path, model_import):
    sources = {
        "app/__init__.py": "",
        "app/db/__init__.py": "",
        "app/db/base.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "app/db/models.py": model_import + "\nfrom sqlalchemy import Column, Integer\n"
        "class User(Base):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n",
    }
    schema = extract(tmp_path, sources, ("app.db.base.Base",))
    assert [t.name for t in schema.tables] == ["users"]
    assert schema.problems == ()


def test_a_file_listed_twice_is_read_once(tmp_path):
    (path,) = write(
        tmp_path,
        {
            "models.py": """
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import declarative_base
        Base = declarative_base()
        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """
        },
    )
    schema = extract_models([path, tmp_path / "." / "models.py"], import_roots=[tmp_path])
    assert [t.name for t in schema.tables] == ["users"] and len(schema.files) == 1


def test_file_over_the_parse_limit_is_a_problem(tmp_path):
    from drift_guard.config import Config
    from drift_guard.session import Session

    with Session(Config(root=tmp_path, max_file_size=400)).active():
        schema = extract(
            tmp_path,
            {
                "big.py": "# padding\n" * 100,
                "models.py": """
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import declarative_base
                Base = declarative_base()
                class User(Base):
                    __tablename__ = "users"
                    id = Column(Integer, primary_key=True)
            """,
            },
        )
    assert [t.name for t in schema.tables] == ["users"]
    (problem,) = schema.problems
    assert problem.kind is ProblemKind.SYNTAX_ERROR and problem.location.path.endswith("big.py")
