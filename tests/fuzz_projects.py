"""Hypothesis strategies for the fuzz suite (tests/test_fuzz_*.py).

A generated project is one service in the layout drift-guard discovers
(``app/db/models.py``, ``app/models.py``, ``alembic.ini``, ``alembic/env.py``,
``alembic/versions/0001_initial.py``), written from one list of tables, so the
SQLAlchemy models, the PyDAL tables and the revision agree column for column.
Only constructs the extractors understand are generated: ``Column(...)`` and
``mapped_column(...)`` with the common types, ``Field(...)`` with PyDAL type
strings, ``op.create_table`` with ``sa.Column``.

The settings profile comes from the environment: ``CI`` set selects "ci" (a
fixed number of examples, derandomized, so every CI run tries the same inputs
and a failure reproduces), otherwise "dev" (same budget, random inputs).
``DRIFT_GUARD_FUZZ_PROFILE`` overrides the choice; ``DRIFT_GUARD_FUZZ_SCALE=20``
multiplies every test's number of examples (a local soak; CI keeps 1).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_COMMON = dict(
    database=None,  # no .hypothesis folder in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("ci", derandomize=True, **_COMMON)
settings.register_profile("dev", **_COMMON)
settings.load_profile(os.environ.get("DRIFT_GUARD_FUZZ_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def budget(examples: int) -> int:
    """A test's number of examples: fixed, times DRIFT_GUARD_FUZZ_SCALE."""
    return examples * max(1, int(os.environ.get("DRIFT_GUARD_FUZZ_SCALE") or 1))


# Names that are identifiers in Python and SQL, keywords of neither, and not
# names PyDAL reserves (id, the tables' implicit key, is added separately).
_WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"]
NAMES = st.builds(lambda word, n: f"{word}_{n}" if n else word, st.sampled_from(_WORDS), st.integers(0, 9))


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # string, text, integer, boolean, numeric, datetime, date
    length: int = 0  # string length, numeric precision
    scale: int = 0
    nullable: bool = True
    mapped: bool = False  # spelled with mapped_column instead of Column

    def sqlalchemy(self) -> str:
        arg = {
            "string": f"String({self.length})",
            "text": "Text",
            "integer": "Integer",
            "boolean": "Boolean",
            "numeric": f"Numeric({self.length}, {self.scale})",
            "datetime": "DateTime",
            "date": "Date",
        }[self.kind]
        nullable = "" if self.nullable else ", nullable=False"
        if self.mapped:
            return f"    {self.name}: Mapped[{'Optional[Any]' if self.nullable else 'Any'}] = mapped_column({arg}{nullable})"
        return f"    {self.name} = Column({arg}{nullable})"

    def pydal(self) -> str:
        kind = {"numeric": f"decimal({self.length},{self.scale})"}.get(self.kind, self.kind)
        length = f", length={self.length}" if self.kind == "string" else ""
        notnull = "" if self.nullable else ", notnull=True"
        return f'        Field("{self.name}", "{kind}"{length}{notnull}),'

    def migration(self) -> str:
        kind = {
            "string": f"sa.String(length={self.length})",
            "text": "sa.Text()",
            "integer": "sa.Integer()",
            "boolean": "sa.Boolean()",
            "numeric": f"sa.Numeric(precision={self.length}, scale={self.scale})",
            "datetime": "sa.DateTime()",
            "date": "sa.Date()",
        }[self.kind]
        return f'        sa.Column("{self.name}", {kind}, nullable={self.nullable}),'


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Col, ...]


@st.composite
def columns(draw, name: str) -> Col:
    kind = draw(st.sampled_from(["string", "text", "integer", "boolean", "numeric", "datetime", "date"]))
    length = scale = 0
    if kind == "string":
        length = draw(st.integers(1, 500))
    elif kind == "numeric":
        length = draw(st.integers(1, 30))
        scale = draw(st.integers(0, min(length, 10)))
    return Col(name, kind, length, scale, nullable=draw(st.booleans()), mapped=draw(st.booleans()))


@st.composite
def tables(draw, min_tables: int = 1, max_tables: int = 3) -> tuple[Table, ...]:
    names = draw(st.lists(NAMES, min_size=min_tables, max_size=max_tables, unique=True))
    found = []
    for name in names:
        column_names = draw(
            st.lists(NAMES.filter(lambda n, table=name: n != table), min_size=1, max_size=5, unique=True)
        )
        found.append(Table(name, tuple(draw(columns(c)) for c in column_names)))
    return tuple(found)


def models_py(schema: tuple[Table, ...]) -> str:
    lines = [
        "from typing import Any, Optional",
        "",
        "from sqlalchemy import Boolean, Column, Date, DateTime, Integer, Numeric, String, Text",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column",
        "",
        "",
        "class Base(DeclarativeBase):",
        "    pass",
    ]
    for number, table in enumerate(schema):
        lines += ["", "", f"class Model{number}(Base):", f'    __tablename__ = "{table.name}"', ""]
        lines.append("    id = Column(Integer, primary_key=True)")
        lines += [c.sqlalchemy() for c in table.columns]
    return "\n".join(lines) + "\n"


def pydal_py(schema: tuple[Table, ...]) -> str:
    lines = [
        "from pydal import DAL, Field",
        "",
        'db = DAL("postgres://app@localhost:5432/app", migrate=False)',
    ]
    for table in schema:
        lines += ["db.define_table(", f'    "{table.name}",']
        lines += [c.pydal()[4:] for c in table.columns]
        lines += ["    migrate=False,", ")"]
    return "\n".join(lines) + "\n"


def revision_py(schema: tuple[Table, ...]) -> str:
    lines = [
        '"""initial"""',
        "import sqlalchemy as sa",
        "from alembic import op",
        "",
        'revision = "0001"',
        "down_revision = None",
        "",
        "",
        "def upgrade():",
    ]
    for table in schema:
        lines += [
            "    op.create_table(",
            f'        "{table.name}",',
            '        sa.Column("id", sa.Integer(), nullable=False),',
        ]
        lines += [c.migration() for c in table.columns]
        lines += ['        sa.PrimaryKeyConstraint("id"),', "    )"]
    if not schema:
        lines.append("    pass")
    lines += ["", "", "def downgrade():"]
    lines += [f'    op.drop_table("{t.name}")' for t in reversed(schema)] or ["    pass"]
    return "\n".join(lines) + "\n"


ALEMBIC_INI = "[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = .\n"
ENV_PY = '''"""Never run by the static replay."""
from alembic import context
from sqlalchemy import engine_from_config, pool

from app.db.models import Base

config = context.config
target_metadata = Base.metadata
connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
'''

MODELS = Path("app") / "db" / "models.py"
PYDAL = Path("app") / "models.py"
REVISION = Path("alembic") / "versions" / "0001_initial.py"


def write_project(root: Path, schema: tuple[Table, ...], pydal: tuple[Table, ...] | None = None) -> Path:
    """The service under ``root`` (replacing what was there); ``pydal``: the
    PyDAL layer's tables when they differ from ``schema`` (a mutation)."""
    import shutil

    if root.exists():
        shutil.rmtree(root)
    (root / "app" / "db").mkdir(parents=True)
    (root / "alembic" / "versions").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "db" / "__init__.py").write_text("")
    (root / MODELS).write_text(models_py(schema))
    (root / PYDAL).write_text(pydal_py(schema if pydal is None else pydal))
    (root / REVISION).write_text(revision_py(schema))
    (root / "alembic.ini").write_text(ALEMBIC_INI)
    (root / "alembic" / "env.py").write_text(ENV_PY)
    return root


# One mutation of the PyDAL layer and the finding code that describes it.
def mutations(schema: tuple[Table, ...]) -> st.SearchStrategy[tuple[str, tuple[Table, ...], str, str]]:
    """(description, mutated PyDAL tables, expected code, table.column)."""
    options = []
    for t_index, table in enumerate(schema):
        for c_index, col in enumerate(table.columns):
            options.append((t_index, c_index, col))

    @st.composite
    def one(draw) -> tuple[str, tuple[Table, ...], str, str]:
        t_index, c_index, col = draw(st.sampled_from(options))
        kinds = ["drop-field", "flip-null"]
        if col.kind == "string":
            kinds += ["length", "to-integer"]
        if col.kind == "integer":
            kinds.append("to-string")
        what = draw(st.sampled_from(kinds))
        table = schema[t_index]
        cols = list(table.columns)
        if what == "drop-field":
            del cols[c_index]
            code = "DG103"
        elif what == "flip-null":
            cols[c_index] = replace(col, nullable=not col.nullable)
            code = "DG107"
        elif what == "length":
            other = draw(st.integers(1, 500).filter(lambda n: n != col.length))
            cols[c_index] = replace(col, length=other)
            code = "DG106"
        elif what == "to-integer":
            cols[c_index] = replace(col, kind="integer", length=0)
            code = "DG105"
        else:
            cols[c_index] = replace(col, kind="string", length=draw(st.integers(1, 500)))
            code = "DG105"
        mutated = schema[:t_index] + (Table(table.name, tuple(cols)),) + schema[t_index + 1 :]
        return what, mutated, code, f"{table.name}.{col.name}"

    return one()
