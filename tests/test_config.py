"""[tool.drift_guard]: finding the file, every key, and located errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drift_guard.config import Config, ServiceConfig, load_config, matches_globs
from drift_guard.discovery.describe import describe as describe_config
from drift_guard.errors import ConfigError
from drift_guard.findings import Severity
from drift_guard.service import Service


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_without_any_pyproject(repo: Path) -> None:
    config = load_config(repo)
    assert config == Config(root=repo)
    assert config.runtime_exclude == ("tests/**", "test_*.py", "*_test.py", "conftest.py")
    assert config.fail_on is Severity.ERROR


def test_walks_up_past_a_pyproject_without_the_table(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.drift_guard]\nexclude = ["legacy"]\n')
    # mentions drift-guard, but has no [tool.drift_guard]: the walk goes on
    write(
        repo / "services/api/pyproject.toml", '[project]\nname = "api"\ndependencies = ["drift-guard"]\n[tool.ruff]\n'
    )
    config = load_config(repo / "services/api")
    assert config.root == repo
    assert config.source == repo / "pyproject.toml"
    assert config.exclude == ("legacy",)


def test_nearest_table_wins(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.drift_guard]\nexclude = ["outer"]\n')
    write(repo / "svc/pyproject.toml", '[tool.drift_guard]\nexclude = ["inner"]\n')
    assert load_config(repo / "svc").exclude == ("inner",)


def test_walk_stops_at_the_git_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "pyproject.toml", '[tool.drift_guard]\nexclude = ["outside"]\n')
    (tmp_path / "repo/.git").mkdir(parents=True)
    (tmp_path / "repo/sub").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    config = load_config(tmp_path / "repo/sub")
    assert config.source is None
    assert config.root == tmp_path / "repo/sub"


def test_explicit_file(repo: Path) -> None:
    explicit = write(repo / "conf/custom.toml", '[tool.drift_guard]\nfail-on = "warning"\n')
    config = load_config(repo, explicit)
    assert (config.root, config.source, config.fail_on) == (repo / "conf", explicit, Severity.WARNING)
    assert load_config(repo, write(repo / "empty.toml", "")).source == repo / "empty.toml"
    with pytest.raises(ConfigError, match="not found"):
        load_config(repo, repo / "missing.toml")


def test_every_key(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        """
        [tool.drift_guard]
        exclude = ["legacy/", "*.gen.py"]
        select = ["dg1", "DG203"]
        ignore = ["DG105"]
        fail-on = "warning"
        ignore-tables = ["alembic_*"]
        type-equivalences = [["String", "text"]]
        dialect = "postgres"
        runtime-exclude = ["scripts/**"]
        schema-paths = ["app/db"]

        [[tool.drift_guard.services]]
        path = "services/api"
        name = "api"
        models = ["app/db/*.py"]
        pydal = ["app/models.py"]
        alembic-ini = "alembic.ini"
        dialect = "mysql"

        [tool.drift_guard.per-file-ignores]
        "tests/*.py" = ["DG4"]

        [tool.drift_guard.severity]
        DG101 = "info"

        [tool.drift_guard.table-map]
        auth_user = "users"
        """,
    )
    config = load_config(repo)
    assert config.exclude == ("legacy/", "*.gen.py")
    assert (config.select, config.ignore) == (("DG1", "DG203"), ("DG105",))
    assert config.per_file_ignores == (("tests/*.py", ("DG4",)),)
    assert config.severity == (("DG101", Severity.INFO),)
    assert config.fail_on is Severity.WARNING
    assert config.ignore_tables == ("alembic_*",)
    assert config.table_map == (("auth_user", "users"),)
    assert config.type_equivalences == (("String", "text"),)
    assert (config.dialect, config.runtime_exclude, config.schema_paths) == ("postgres", ("scripts/**",), ("app/db",))
    assert config.services == (
        ServiceConfig("services/api", "api", ("app/db/*.py",), ("app/models.py",), "alembic.ini", "mysql"),
    )
    assert config.services[0].origin == "pyproject.toml:13:1"


ERRORS = [
    # (pyproject text, location, message fragment)
    (
        '[project]\nname = "x"\n\n[tool.drift_guard]\nexclude = []\nservics = []\n',
        "pyproject.toml:6:1",
        "unknown key 'servics' in [tool.drift_guard] (did you mean 'services'?)",
    ),
    (
        '[tool.drift_guard]\n\n[[tool.drift_guard.services]]\npath = "a"\n\n[[tool.drift_guard.services]]\npath = "b"\n  modles = []\n',
        "pyproject.toml:8:3",
        "unknown key 'modles' in [tool.drift_guard.services] (did you mean 'models'?)",
    ),
    ('[tool.drift_guard]\nservices = [{path = "a", nme = "x"}]\n', "pyproject.toml:2:26", "unknown key 'nme'"),
    (
        '[tool.drift_guard]\nexclude = "legacy"\n',
        "pyproject.toml:2:1",
        "'exclude' in [tool.drift_guard] must be an array of strings, got a string",
    ),
    ('[tool.drift_guard]\nexclude = ["a", 3]\n', "pyproject.toml:2:1", "must be a string, got an integer (3)"),
    (
        '[tool.drift_guard]\nfail-on = "fatal"\n',
        "pyproject.toml:2:1",
        "must be one of 'error', 'warning', 'info', got 'fatal'",
    ),
    ('[tool.drift_guard]\ndialect = "postgresql"\n', "pyproject.toml:2:1", "must be one of sqlite, postgres"),
    ('[tool.drift_guard]\nselect = ["E501"]\n', "pyproject.toml:2:1", "'E501' is not a rule code or prefix"),
    ("[tool.drift_guard]\n\n[tool.drift_guard.severity]\nDG101 = 1\n", "pyproject.toml:4:1", "got an integer (1)"),
    (
        '[tool.drift_guard]\nseverity = { DG1 = "info" }\n',
        "pyproject.toml:2:14",
        "'DG1' in [tool.drift_guard.severity] is not a rule code",
    ),
    (
        '[tool.drift_guard]\ntype-equivalences = [["String"]]\n',
        "pyproject.toml:2:1",
        "item 1 must be a pair of strings",
    ),
    ('[tool.drift_guard]\n[[tool.drift_guard.services]]\nname = "x"\n', "pyproject.toml:2:1", "needs a 'path'"),
    ('[tool.drift_guard]\nservices = {path = "x"}\n', "pyproject.toml:2:1", "must be an array of tables, got a table"),
    ("[tool]\ndrift_guard = 3\n", "pyproject.toml:1:1", "[tool.drift_guard] must be a table"),
    ('[project]\nname = "x"\n\n[tool.drift-guard]\nexclude = []\n', "pyproject.toml:4:1", "not [tool.drift-guard]"),
    (
        '[tool.drift_guard]\ntype-equivalences = [\n  ["String", "text"]\n]\nselct = []\n',
        "pyproject.toml:5:1",
        "unknown key 'selct' in [tool.drift_guard] (did you mean 'select'?)",
    ),
    # TOML syntax errors keep tomllib's line and column
    ('[tool.drift_guard]\nexclude = ["a"\nselect = []\n', "pyproject.toml:3:1", "invalid TOML: Unclosed array"),
    ("[tool.drift_guard]\nfail-on = \n", "pyproject.toml:2:11", "invalid TOML: Invalid value"),
]


@pytest.mark.parametrize(("text", "location", "fragment"), ERRORS)
def test_errors_are_located(repo: Path, text: str, location: str, fragment: str) -> None:
    write(repo / "pyproject.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(repo)
    assert info.value.location == location
    assert fragment in info.value.message


GLOBS = [
    # (path relative to root, globs, matches)
    ("legacy/models.py", ["legacy/"], True),
    ("legacy/deep/models.py", ["legacy"], True),
    ("app/legacy/models.py", ["legacy"], True),  # a component, at any depth
    ("app/gen/x.py", ["app/gen/**"], True),
    ("app/db/models.py", ["*.gen.py"], False),
    ("app/models.gen.py", ["*.gen.py"], True),
    ("app/db/models.py", ["db/models.py"], False),  # a path pattern is anchored at the root
    ("app/db/models.py", ["app/db/models.py"], True),
    ("app/db/models.py", [], False),
]


@pytest.mark.parametrize(("rel", "globs", "expected"), GLOBS)
def test_matches_globs(tmp_path: Path, rel: str, globs: list[str], expected: bool) -> None:
    assert matches_globs(tmp_path / rel, tmp_path, globs) is expected


def test_describe_config_lists_services_relative_to_cwd(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.drift_guard]\nexclude = ["legacy"]\n')
    service = Service(
        name="svc",
        root=repo / "svc",
        model_files=(repo / "svc/app/db/models.py",),
        model_bases=("app.db.base.Base",),
        pydal_files=(repo / "svc/app/models.py",),
    )
    text = describe_config(load_config(repo), [service])
    assert "source: pyproject.toml" in text
    assert "exclude: legacy" in text
    assert "[svc]" in text and "model bases: app.db.base.Base" in text
    assert "    svc/app/db/models.py\n" in text and "    svc/app/models.py\n" in text
    assert str(repo) not in text


def _pathlib_parts(path: str, root: str) -> tuple[tuple[str, ...], bool]:
    """What matches_globs matched against before it split strings: pathlib's components."""
    from pathlib import PurePosixPath

    try:
        return Path(path).absolute().relative_to(Path(root).absolute()).parts, True
    except ValueError:
        return PurePosixPath(Path(path).as_posix()).parts, False


_SEGMENTS = st.lists(st.sampled_from(["app", "tests", "x.py", ".", "..", "", "a b", "é"]), max_size=5)
_PATHS = st.builds(lambda lead, parts: lead + "/".join(parts), st.sampled_from(["", "/", "//", "///"]), _SEGMENTS)


@settings(max_examples=300, deadline=None)
@given(path=_PATHS, root=_PATHS)
def test_globs_see_the_components_pathlib_sees(path: str, root: str) -> None:
    from drift_guard.config.model import _relative_parts

    parts, inside = _relative_parts(path, root)
    assert (tuple(parts), inside) == _pathlib_parts(path, root)
