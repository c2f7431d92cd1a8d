"""Target dialect per service and the physical types both layers create there."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.dialect import (
    dialect_problems,
    model_physical,
    pydal_physical,
    pydal_scheme,
    sqlalchemy_scheme,
    target_dialects,
)
from drift_guard.schema import ProblemKind
from drift_guard.service import Service
from drift_guard.types import model_column_type, pydal_column_type


@pytest.mark.parametrize(
    ("uri", "scheme"),
    [
        ("postgres://u:p@h/db", "postgres"),
        ("postgres:psycopg2://u@h/db", "postgres"),
        ("postgres2://u@h/db", "postgres2"),
        ("postgres3:psycopg2://u@h/db", "postgres3"),
        ("mysql://root@h/db", "mysql"),
        ("mysql:pymysql://root@h/db", "mysql"),
        ("sqlite://storage.db", "sqlite"),
        ("sqlite:memory", "sqlite"),
        ("jdbc:postgres://h/db", "postgres"),
        ("oracle://u/p@h", None),  # outside DG112's knowledge
        ("postgresql://u@h/db", None),  # not a PyDAL scheme at all
        ("not a uri", None),
    ],
)
def test_pydal_scheme(uri: str, scheme: str | None) -> None:
    assert pydal_scheme(uri) == scheme


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("postgresql+psycopg2://u@h/db", "postgres"),
        ("postgresql://u@h/db", "postgres"),
        ("mysql+pymysql://u@h/db", "mysql"),
        ("mariadb://u@h/db", "mysql"),
        ("sqlite:///app.db", "sqlite"),
        ("driver://user:pass@localhost/dbname", None),  # alembic's template placeholder
        ("%(DB_URL)s", None),
    ],
)
def test_sqlalchemy_scheme(url: str, scheme: str | None) -> None:
    assert sqlalchemy_scheme(url) == scheme


def make_ctx(root: Path, files: dict[str, str], config_dialect: str | None = None, **kw) -> ServiceContext:
    py = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        if path.suffix == ".py":
            py.append(path)
    ini = root / "alembic.ini"
    service = Service(
        "svc",
        root,
        alembic_ini=ini if ini.exists() else None,
        python_files=tuple(py),
        pydal_files=tuple(py),
        model_files=kw.pop("model_files", tuple(py)),
        **kw,
    )
    return ServiceContext(service, Config(root=root, dialect=config_dialect))


INI = "[alembic]\nscript_location = alembic\nsqlalchemy.url = {url}\n"


@pytest.mark.parametrize(
    ("files", "config_dialect", "expected"),
    [
        ({"app/models.py": "db = DAL('postgres3://u@h/d', migrate=False)\n"}, None, [("postgres3", "the DAL URI")]),
        ({"app/models.py": "db = DAL(uri=f'mysql://{USER}@h/d')\n"}, None, [("mysql", "the DAL URI")]),
        ({"app/models.py": "URI = 'postgres2://h/d'\ndb = DAL(URI)\n"}, None, [("postgres2", "the DAL URI")]),
        (  # the DAL URI wins over alembic.ini and configuration
            {"app/models.py": "db = DAL('sqlite://x.db')\n", "alembic.ini": INI.format(url="mysql://h/d")},
            "postgres",
            [("sqlite", "the DAL URI")],
        ),
        (  # two deployments: both checked
            {"app/models.py": "db = DAL('sqlite://x.db') if DEV else DAL('postgres://h/d')\n"},
            None,
            [("sqlite", "the DAL URI"), ("postgres", "the DAL URI")],
        ),
        (
            {
                "app/models.py": "db = DAL(os.environ['DB'])\n",
                "alembic.ini": INI.format(url="postgresql+psycopg2://h/d"),
            },
            "mysql",
            [("postgres", "alembic.ini's sqlalchemy.url")],
        ),
        (
            {"app/models.py": "db = DAL(os.environ['DB'])\n", "alembic.ini": INI.format(url="driver://u:p@h/d")},
            "mysql",
            [("mysql", "the configured dialect")],
        ),
        (  # the default of the environment lookup names the PyDAL variant
            {
                "app/models.py": "import os\ndb = DAL(os.environ.get('DB', 'postgres3://h/d'))\n",
                "alembic.ini": INI.format(url="postgresql://h/d"),
            },
            None,
            [("postgres3", "the DAL URI's default")],
        ),
        (
            {"app/models.py": "from os import getenv\ndb = DAL(uri=getenv('DB', default='mysql://h/d'))\n"},
            None,
            [("mysql", "the DAL URI's default")],
        ),
        (  # a literal URI beats a default
            {"app/models.py": "import os\na = DAL(os.getenv('DB', 'sqlite://x.db'))\nb = DAL('postgres://h/d')\n"},
            None,
            [("postgres", "the DAL URI")],
        ),
        (  # a test suite's sqlite:memory says nothing about production
            {"app/models.py": "db = DAL(os.environ['DB'])\n", "tests/test_x.py": "DAL('sqlite:memory')\n"},
            None,
            [],
        ),
    ],
)
def test_target_dialects(tmp_path: Path, files, config_dialect, expected) -> None:
    ctx = make_ctx(tmp_path, files, config_dialect)
    assert [(t.scheme, t.source) for t in target_dialects(ctx)] == expected


def test_service_dialect_is_the_last_resort(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, {"app/models.py": "db = DAL(get_uri())\n"}, dialect="postgres3")
    assert [t.scheme for t in target_dialects(ctx)] == ["postgres3"]


def test_unknown_dialect_is_one_dg002_note_at_the_dal_call(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, {"app/models.py": "x = 1\ndb = DAL(os.environ['DB'])\ndb2 = DAL(other)\n"})
    (problem,) = dialect_problems(ctx)
    assert problem.kind is ProblemKind.UNRESOLVED
    assert (problem.location.line, problem.location.column) == (2, 6)
    assert "DG112" in problem.message


def test_unknown_dialect_note_falls_back_to_alembic_ini(tmp_path: Path) -> None:
    files = {"app/models.py": "db = get_db()\n", "alembic.ini": INI.format(url="driver://u@h/d")}
    (problem,) = dialect_problems(make_ctx(tmp_path, files))
    assert problem.location.path.endswith("alembic.ini")


def test_known_dialect_has_no_note(tmp_path: Path) -> None:
    assert dialect_problems(make_ctx(tmp_path, {"app/models.py": "db = DAL('mysql://h/d')\n"})) == []


def test_no_note_without_both_layers(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, {"app/models.py": "db = DAL(os.environ['DB'])\n"}, model_files=())
    assert dialect_problems(ctx) == []


@pytest.mark.parametrize(
    ("pydal_type", "scheme", "sql"),
    [
        ("boolean", "postgres", "CHAR(1)"),
        ("boolean", "postgres3", "BOOLEAN"),
        ("list:string", "postgres", "TEXT"),
        ("list:integer", "postgres2", "BIGINT[]"),
        ("json", "postgres", "JSON"),
        ("json", "mysql", "LONGTEXT"),
        ("decimal(10,2)", "sqlite", "DOUBLE"),
        ("decimal(10,2)", "postgres", "NUMERIC(10,2)"),
        ("string", "sqlite", "CHAR(512)"),
        ("reference person", "mysql", "INT"),
        ("reference person", "postgres", "INTEGER"),
        ("id", "sqlite", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    ],
)
def test_pydal_physical(pydal_type: str, scheme: str, sql: str) -> None:
    assert pydal_physical(pydal_column_type(pydal_type), scheme) == sql


@pytest.mark.parametrize(
    ("qualname", "args", "scheme", "sql"),
    [
        ("sqlalchemy.Boolean", (), "mysql", "BOOL"),
        ("sqlalchemy.Boolean", (), "sqlite", "BOOLEAN"),
        ("sqlalchemy.Numeric", (10, 2), "postgres", "NUMERIC(10, 2)"),
        ("sqlalchemy.String", (20,), "postgres2", "VARCHAR(20)"),
        ("sqlalchemy.dialects.postgresql.JSONB", (), "postgres", "JSONB"),
        ("sqlalchemy.BigInteger", (), "sqlite", "BIGINT"),
        ("sqlalchemy.ARRAY", (), "sqlite", None),  # no item type known: cannot be built
    ],
)
def test_model_physical(qualname: str, args: tuple, scheme: str, sql: str | None) -> None:
    assert model_physical(model_column_type(qualname, args), scheme) == sql


def test_model_physical_array_item() -> None:
    item = model_column_type("sqlalchemy.Integer")
    array = model_column_type("sqlalchemy.ARRAY", item=item)
    assert model_physical(array, "postgres") == "INTEGER[]"
    assert model_physical(array, "sqlite") is None  # SQLite has no arrays
