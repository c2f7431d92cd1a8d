"""Zero-configuration discovery on real directory trees (nothing is imported)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from drift_guard.config import Config, ServiceConfig, load_config
from drift_guard.discovery import alembic_sqlalchemy_url, discover
from drift_guard.errors import ConfigError
from drift_guard.schema import ProblemKind
from drift_guard.service import Service

SVC = "services/flask-backend"
INI = """
[alembic]
script_location = %(here)s/alembic
prepend_sys_path = .
path_separator = os
sqlalchemy.url = postgresql://app@localhost/app
"""
ENV = """
import os
import sys
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
from app.db import Base  # noqa: E402

target_metadata = Base.metadata


def run_migrations_online():
    connectable = engine_from_config({}, poolclass=pool.NullPool)
"""
BASE = "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n"
MODELS = """
from sqlalchemy import Column, Integer, String

from .base import Base
from .mixins import TimestampMixin


class User(Base, TimestampMixin):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String(255))
"""
MIXINS = "from sqlalchemy import Column, DateTime\n\n\nclass TimestampMixin:\n    created_at = Column(DateTime)\n"
PYDAL = 'from pydal import DAL, Field\n\ndb = DAL("sqlite:memory", migrate=False)\ndb.define_table("users", Field("email"))\n'


def layout(**overrides: str | None) -> dict[str, str]:
    """The usual flask-backend service; ``overrides`` replace or (None) drop files."""
    files = {
        "alembic.ini": INI,
        "alembic/env.py": ENV,
        "alembic/versions/0001_init.py": 'revision = "0001"\nimport sqlalchemy as sa\n',
        "app/__init__.py": "",
        "app/db/__init__.py": "from .base import Base\nfrom .models import *  # noqa: F401,F403\n",
        "app/db/base.py": BASE,
        "app/db/mixins.py": MIXINS,
        "app/db/models.py": MODELS,
        "app/models.py": PYDAL,
        "tests/test_models.py": "import sqlalchemy\nfrom app.models import db\ndb.define_table('x')\n",
    }
    for key, value in overrides.items():
        name = key.replace("__", "/").replace("_DOT_", ".")
        if value is None:
            files.pop(name, None)
        else:
            files[name] = value
    return files


def make(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def rels(root: Path, paths: tuple[Path, ...]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def one(repo: Path, files: dict[str, str], under: str = SVC, config: Config | None = None) -> Service:
    make(repo / under, files)
    services = discover([repo], config or Config(root=repo))
    assert len(services) == 1, services
    return services[0]


def test_usual_layout(repo: Path) -> None:
    service = one(repo, layout())
    root = repo / SVC
    assert service.name == SVC
    assert (service.root, service.alembic_ini) == (root, root / "alembic.ini")
    assert (service.script_location, service.env_py) == (root / "alembic", root / "alembic/env.py")
    assert service.versions_dirs == (root / "alembic/versions",)
    assert service.import_roots == (root,)
    assert service.model_bases == ("app.db.base.Base",)
    assert rels(root, service.model_files) == ["app/db/base.py", "app/db/mixins.py", "app/db/models.py"]
    assert rels(root, service.pydal_files) == ["app/models.py"]
    assert rels(root, service.env_reached_files) == [
        "app/__init__.py",
        "app/db/__init__.py",
        "app/db/base.py",
        "app/db/mixins.py",
        "app/db/models.py",
    ]
    assert "tests/test_models.py" in rels(root, service.python_files)
    assert "alembic/versions/0001_init.py" in rels(root, service.python_files)
    assert service.problems == ()
    assert alembic_sqlalchemy_url(service) == "postgresql://app@localhost/app"


ENV_IMPORTS = [
    # (env.py import + target lines, extra files, expected model_bases)
    ("import app.db.models as models\ntarget_metadata = models.Base.metadata\n", {}, ("app.db.base.Base",)),
    ("from app.db.models import *\ntarget_metadata = Base.metadata\n", {}, ("app.db.base.Base",)),
    ("from app.db.models import Base\nmeta = Base.metadata\ntarget_metadata = meta\n", {}, ("app.db.base.Base",)),
    ("from app import db\ntarget_metadata = db.Base.metadata\n", {}, ("app.db.base.Base",)),
    ("from app.db.base import *\ntarget_metadata = Base.metadata\n", {}, ("app.db.base.Base",)),
    (
        "from app.db import Base\nfrom app.audit import AuditBase\ntarget_metadata = [Base.metadata, AuditBase.metadata]\n",
        {
            "app/audit.py": "from sqlalchemy.orm import DeclarativeBase\n\n\nclass AuditBase(DeclarativeBase):\n    pass\n"
        },
        ("app.db.base.Base", "app.audit.AuditBase"),
    ),
    (
        "from app.db.tables import metadata\ntarget_metadata = metadata\n",
        {
            "app/db/tables.py": "import sqlalchemy as sa\n\nmetadata = sa.MetaData()\nevents = sa.Table('events', metadata)\n"
        },
        ("app.db.tables.metadata",),
    ),
    (
        "from app.db.tables import metadata as target_metadata\n",
        {
            "app/db/tables.py": "from sqlalchemy import MetaData, Table\n\nmetadata = MetaData()\nTable('events', metadata)\n"
        },
        ("app.db.tables.metadata",),
    ),
    (
        "from app.db.reg import mapper_registry\ntarget_metadata = mapper_registry.metadata\n",
        {
            "app/db/reg.py": "from sqlalchemy.orm import registry\n\nmapper_registry = registry()\nRegBase = mapper_registry.generate_base()\n",
            "app/db/reg_models.py": "from sqlalchemy import Column\nfrom .reg import RegBase\n\n\nclass A(RegBase):\n    __tablename__ = 'a'\n",
            "app/db/reg_mapped.py": "import sqlalchemy as sa\nfrom .reg import mapper_registry\n\n\n@mapper_registry.mapped\nclass B:\n    __tablename__ = 'b'\n",
        },
        ("app.db.reg.mapper_registry",),
    ),
    (
        "def run_migrations_online():\n    from app.db.base import Base\n    target_metadata = Base.metadata\n",
        {},
        ("app.db.base.Base",),
    ),
]


@pytest.mark.parametrize(("lines", "extra", "bases"), ENV_IMPORTS)
def test_target_metadata_is_followed_to_its_definition(repo: Path, lines: str, extra: dict, bases: tuple) -> None:
    env = "import sys, os\nsys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\n" + lines
    service = one(repo, {**layout(alembic__env_DOT_py=env), **extra})
    assert service.model_bases == bases
    assert service.problems == ()
    found = set(rels(repo / SVC, service.model_files))
    assert set(extra) <= found
    assert ("app/db/models.py" in found) is ("app.db.base.Base" in bases)


SYS_PATHS = [
    # (sys.path statement in env.py, where models.py lives, expected extra import root)
    ("sys.path.insert(0, os.path.dirname(__file__))", "alembic", "alembic"),
    ("sys.path.append(str(Path(__file__).resolve().parents[1] / 'src'))", "src", "src"),
    ("sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'src'))", "src", "src"),
    ("sys.path[0:0] = []\nsys.path.extend([str(Path(__file__).parents[0x1] / 'src')])", "src", "src"),
    ("HERE = Path(__file__).parent\nsys.path.insert(0, str(HERE.parent / 'src'))", "src", "src"),
    (
        "sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir, 'src')))",
        "src",
        None,
    ),
]


@pytest.mark.parametrize(("statement", "folder", "root"), SYS_PATHS)
def test_from_models_import_base_after_sys_path_insert(
    repo: Path, statement: str, folder: str, root: str | None
) -> None:
    env = f"import os, sys\nfrom pathlib import Path\n{statement}\nfrom models import Base\ntarget_metadata = Base.metadata\n"
    files = layout(alembic__env_DOT_py=env)
    files[f"{folder}/models.py"] = BASE + "\n\nclass Thing(Base):\n    __tablename__ = 'things'\n"
    service = one(repo, files)
    if root is None:  # os.pardir is not one of the understood spellings: a located DG002 note
        assert [p.kind for p in service.problems] == [ProblemKind.UNRESOLVED, ProblemKind.UNRESOLVED]
        assert "os.path.abspath(" in service.problems[0].message
        assert service.problems[0].location.line == 3
        assert service.model_bases == ()
        return
    assert service.import_roots == (repo / SVC, repo / SVC / root)
    assert service.model_bases == ("models.Base",)
    assert f"{folder}/models.py" in rels(repo / SVC, service.model_files)
    assert service.problems == ()


FALLBACKS = [
    # (env.py body, problem fragment, problem line)
    ("target_metadata = None\n", "target_metadata is None", 1),
    (
        "from app.db import Base\n\ntarget_metadata = get_metadata()\n",
        "cannot resolve target_metadata `get_metadata()`",
        3,
    ),
    (
        "from somewhere_else import Base\ntarget_metadata = Base.metadata\n",
        "cannot resolve target_metadata `Base.metadata`",
        2,
    ),
    ("from alembic import context\n", "never assigns target_metadata", 1),
    ("def broken(:\n", "syntax error", 1),
]


@pytest.mark.parametrize(("env", "fragment", "line"), FALLBACKS)
def test_fallback_finds_models_by_content(repo: Path, env: str, fragment: str, line: int) -> None:
    files = layout(alembic__env_DOT_py=env)
    files["app/legacy.py"] = "from app.db.base import Base\n\n\nclass Old(Base):\n    pass\n"  # no sqlalchemy text
    service = one(repo, files)
    assert service.model_bases == ()
    assert [fragment in p.message for p in service.problems] == [True]
    assert service.problems[0].location.line == line
    assert service.problems[0].location.path == (repo / SVC / "alembic/env.py").as_posix()  # canonical: absolute
    assert service.problems[0].location.shown_from(repo).path == f"{SVC}/alembic/env.py"
    assert rels(repo / SVC, service.model_files) == ["app/db/base.py", "app/db/mixins.py", "app/db/models.py"]


def test_second_unrelated_base_stays_out_of_model_bases(repo: Path) -> None:
    cache = (
        "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\n"
        "CacheBase = declarative_base()\n\n\nclass Entry(CacheBase):\n    __tablename__ = 'cache'\n    id = Column(Integer, primary_key=True)\n"
    )
    service = one(repo, {**layout(), "app/cache.py": cache})
    assert service.model_bases == ("app.db.base.Base",)
    assert "app/cache.py" not in rels(repo / SVC, service.model_files)
    assert "app/cache.py" in rels(repo / SVC, service.python_files)


MODEL_FILES = [
    # (extra files, model files expected among model_files)
    (
        {
            "app/db/abstract.py": "from .base import Base\n\n\nclass Model(Base):\n    __abstract__ = True\n",
            "app/db/orders.py": "from sqlalchemy import Column, Integer\nfrom .abstract import Model\n\n\nclass Order(Model):\n    __tablename__ = 'orders'\n",
        },
        ["app/db/abstract.py", "app/db/orders.py"],
    ),
    (
        {
            "app/db/meta.py": "import sqlalchemy as sa\nfrom .base import Base\n\nlinks = sa.Table('links', Base.metadata)\n"
        },
        ["app/db/meta.py"],
    ),
    (
        {
            "app/db/unbound.py": "from sqlalchemy import Column\nfrom plugin import PluginBase\n\n\nclass P(PluginBase):\n    __tablename__ = 'p'\n"
        },
        ["app/db/unbound.py"],
    ),  # bases unresolvable + __tablename__: kept, the extractor decides
    # names reached through re-exports: the extractor needs the hop files too
    (
        {
            "app/db/orders.py": "from sqlalchemy import Column\nfrom app.db import Base\n\n\nclass Order(Base):\n    __tablename__ = 'o'\n"
        },
        ["app/db/__init__.py", "app/db/orders.py"],
    ),
    (
        {
            "app/db/common.py": "from .base import *\nfrom .mixins import TimestampMixin as Stamped\n",
            "app/db/orders.py": "import sqlalchemy\nfrom .common import *\nfrom . import common\n\n\nclass Order(Base, common.Stamped):\n    __tablename__ = 'o'\n",
        },
        ["app/db/common.py", "app/db/orders.py", "app/db/mixins.py"],
    ),
    (
        {"app/db/broken.py": "import sqlalchemy\nclass (:\n"},
        ["app/db/broken.py"],
    ),  # unparseable: DG001 is the extractor's
]
MODEL_QUIET = [
    {"app/views.py": "from app.db.models import User\n\n\nclass UserView:\n    model = User\n"},
    {"app/db/helpers.py": "import sqlalchemy as sa\n\n\ndef engine():\n    return sa.create_engine('sqlite://')\n"},
    {"app/notes.py": "class (:\n"},  # ruled out by the text pre-filter: never parsed
    {
        "tests/test_db.py": "from app.db.base import Base\nimport sqlalchemy\n\n\nclass T(Base):\n    __tablename__ = 't'\n"
    },
    {
        "alembic/versions/0002_x.py": "import sqlalchemy as sa\nfrom app.db.base import Base\n\n\nclass Snap(Base):\n    __tablename__ = 's'\n"
    },
]


@pytest.mark.parametrize(("extra", "expected"), MODEL_FILES)
def test_model_files(repo: Path, extra: dict, expected: list) -> None:
    found = rels(repo / SVC, one(repo, {**layout(), **extra}).model_files)
    assert set(expected) <= set(found)


@pytest.mark.parametrize("extra", MODEL_QUIET)
def test_model_files_stay_quiet(repo: Path, extra: dict) -> None:
    found = rels(repo / SVC, one(repo, {**layout(), **extra}).model_files)
    assert found == ["app/db/base.py", "app/db/mixins.py", "app/db/models.py"]


def test_declarative_base_with_shared_metadata(repo: Path) -> None:
    base = "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\n\nmetadata = sa.MetaData()\nBase = declarative_base(metadata=metadata)\n"
    env = "from app.db.base import metadata\ntarget_metadata = metadata\n"
    service = one(repo, layout(app__db__base_DOT_py=base, alembic__env_DOT_py=env))
    assert service.model_bases == ("app.db.base.metadata",)
    assert rels(repo / SVC, service.model_files) == ["app/db/base.py", "app/db/mixins.py", "app/db/models.py"]


def test_pydal_files_skip_tests_alembic_and_virtualenvs(repo: Path) -> None:
    extra = {
        "app/runtime/tables.py": "def define(db):\n    db.define_table('orders')\n",
        "alembic/helpers.py": "db.define_table('x')\n",
        ".venv/lib/pydal_app.py": "db.define_table('x')\n",
        "node_modules/pkg/x.py": "db.define_table('x')\n",
        "conftest.py": "db.define_table('x')\n",
    }
    service = one(repo, {**layout(), **extra})
    assert rels(repo / SVC, service.pydal_files) == ["app/models.py", "app/runtime/tables.py"]
    python = rels(repo / SVC, service.python_files)
    assert not [p for p in python if p.startswith((".venv", "node_modules"))]


def test_no_alembic_ini_is_one_service_found_by_content(repo: Path) -> None:
    files = layout(alembic_DOT_ini=None, alembic__env_DOT_py=None)
    files[".git/hooks/x.py"] = "import sqlalchemy\n"
    files["venv/pyvenv.cfg"] = "home = /usr\n"
    files["venv/lib/models.py"] = "import sqlalchemy\nBase = 1\n"
    make(repo, files)
    services = discover([repo], Config(root=repo))
    assert [s.name for s in services] == ["."]
    (service,) = services
    assert (service.alembic_ini, service.env_py, service.model_bases, service.problems) == (None, None, (), ())
    assert rels(repo, service.model_files) == ["app/db/base.py", "app/db/mixins.py", "app/db/models.py"]
    assert rels(repo, service.pydal_files) == ["app/models.py"]
    assert not [p for p in rels(repo, service.python_files) if p.startswith((".git", "venv"))]


def test_two_services_and_a_nested_one(repo: Path) -> None:
    make(repo / "services/a", layout())
    make(repo / "services/b", layout())
    make(repo / "services/b/plugins/billing", layout())
    services = discover([repo], Config(root=repo))
    assert [s.name for s in services] == ["services/a", "services/b", "services/b/plugins/billing"]
    outer = services[1]
    assert not [p for p in rels(outer.root, outer.python_files) if p.startswith("plugins/")]
    assert rels(services[2].root, services[2].model_files) == ["app/db/base.py", "app/db/mixins.py", "app/db/models.py"]
    # a path inside a service means that service; duplicates collapse
    inner = discover([repo / "services/a/app/db", repo / "services/a"], Config(root=repo))
    assert [s.name for s in inner] == ["services/a"]


def test_exclude_prunes_services_and_files(repo: Path) -> None:
    make(repo / "services/a", {**layout(), "app/db/generated/big.py": "import sqlalchemy\n"})
    make(repo / "services/legacy", layout())
    config = Config(root=repo, exclude=("legacy", "generated/"))
    services = discover([repo], config)
    assert [s.name for s in services] == ["services/a"]
    assert not [p for p in rels(services[0].root, services[0].python_files) if "generated" in p]


def test_configured_services_and_globs(repo: Path) -> None:
    make(repo / "backend", layout())
    make(repo / "other", layout())
    (repo / "pyproject.toml").write_text(
        '[tool.drift_guard]\ndialect = "sqlite"\n\n[[tool.drift_guard.services]]\npath = "backend"\nname = "api"\n'
        'models = ["app/db/models.py"]\npydal = ["app/*.py"]\ndialect = "postgres"\n',
        encoding="utf-8",
    )
    (service,) = discover([repo], load_config(repo))
    assert (service.name, service.dialect) == ("api", "postgres")
    assert rels(repo / "backend", service.model_files) == ["app/db/models.py"]
    assert rels(repo / "backend", service.pydal_files) == ["app/__init__.py", "app/models.py"]
    assert service.model_bases == ("app.db.base.Base",)
    assert discover([repo / "other"], load_config(repo)) == []


CONFIG_ERRORS = [
    ('path = "missing"\n', "service path 'missing' is not a folder"),
    (
        'path = "backend"\nmodels = ["nothing/*.py"]\n',
        "models glob 'nothing/*.py' of service 'backend' matches no Python file",
    ),
    (
        'path = "backend"\nalembic-ini = "db/alembic.ini"\n',
        "alembic-ini 'db/alembic.ini' of service 'backend' does not exist",
    ),
]


@pytest.mark.parametrize(("entry", "fragment"), CONFIG_ERRORS)
def test_configured_service_errors_are_located(repo: Path, entry: str, fragment: str) -> None:
    make(repo / "backend", layout())
    (repo / "pyproject.toml").write_text(
        f"[tool.drift_guard]\n\n[[tool.drift_guard.services]]\n{entry}", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        discover([repo], load_config(repo))
    assert info.value.location == "pyproject.toml:4:1"
    assert fragment in info.value.message


INIS = [
    # (alembic.ini [alembic] body, expected relative import roots, expected url)
    ("script_location = alembic\nprepend_sys_path = . src\n", [".", "src"], None),
    ("script_location = alembic\nprepend_sys_path = .:src\n", [".", "src"], None),
    ("script_location = alembic\npath_separator = ;\nprepend_sys_path = .;lib dir\n", [".", "lib dir"], None),
    ("script_location = alembic\npath_separator = space\nprepend_sys_path = src\n", [".", "src"], None),
    ("script_location = alembic\nsqlalchemy.url = ${DATABASE_URL}\n", ["."], None),
    ("script_location = alembic\nsqlalchemy.url = driver://user:pass@localhost/dbname\n", ["."], None),
    (
        "script_location = alembic\nsqlalchemy.url = mysql+pymysql://root@127.0.0.1/app?x=%%20\n",
        ["."],
        "mysql+pymysql://root@127.0.0.1/app?x=%20",
    ),
    # package:resource, resolved under the import roots; env.py's insert of its parent's parent adds app/
    ("script_location = app:alembic\n", [".", "app"], None),
]


@pytest.mark.parametrize(("body", "roots", "url"), INIS)
def test_alembic_ini_settings(repo: Path, body: str, roots: list, url: str | None) -> None:
    files = layout(alembic_DOT_ini="[alembic]\n" + body)
    if "app:alembic" in body:
        files = {("app/" + k if k.startswith("alembic/") else k): v for k, v in files.items()}
    service = one(repo, files)
    root = repo / SVC
    assert [p.relative_to(root).as_posix() for p in service.import_roots] == roots
    assert alembic_sqlalchemy_url(service) == url
    assert service.model_bases == ("app.db.base.Base",)
    assert service.env_py is not None and service.env_py.is_file()


def test_version_locations_and_missing_env(repo: Path) -> None:
    ini = "[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/v1 %(here)s/v2\n"
    service = one(repo, layout(alembic_DOT_ini=ini))
    assert service.env_py is None and service.model_bases == ()
    assert "env.py not found" in service.problems[0].message
    assert rels(repo / SVC, service.model_files) == ["app/db/base.py", "app/db/mixins.py", "app/db/models.py"]


def test_service_config_origin_is_not_part_of_equality() -> None:
    assert ServiceConfig("a", origin="x:1:1") == ServiceConfig("a")


def test_models_outside_the_alembic_folder_reached_from_env(repo: Path) -> None:
    """alembic.ini in services/x/db, models in services/x/app, joined by prepend_sys_path = .."""
    files = {k: v for k, v in layout().items() if k.startswith("app/")}
    files["db/alembic.ini"] = "[alembic]\nscript_location = alembic\nprepend_sys_path = ..\n"
    files["db/alembic/env.py"] = "from app.db import Base\ntarget_metadata = Base.metadata\n"
    make(repo / "services/x", files)
    (service,) = discover([repo], Config(root=repo))
    assert service.root == repo / "services/x/db"
    assert service.import_roots == (repo / "services/x/db", repo / "services/x")
    assert service.model_bases == ("app.db.base.Base",)
    assert rels(repo / "services/x", service.model_files) == ["app/db/base.py", "app/db/mixins.py", "app/db/models.py"]
