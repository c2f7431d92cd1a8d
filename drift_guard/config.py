"""``[tool.drift_guard]`` in ``pyproject.toml``: find it, validate it, freeze it.

Finding the file: walk up from the run directory and take the first
``pyproject.toml`` that has a ``[tool.drift_guard]`` table, like ruff does. A
``pyproject.toml`` *without* that table does not stop the walk (a monorepo's
service folders often carry their own pyproject for packaging while the lint
configuration lives at the repository root), but the walk never leaves the git
repository: it stops after the first directory that holds ``.git``. With no
configuration the run directory is the root and every setting has its default.

Validation is strict (a typo in a key silently disabling a setting is the worst
failure for a linter): unknown keys and wrong types raise
:class:`~drift_guard.errors.ConfigError` located at the offending key's line.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Sequence

from drift_guard.errors import ConfigError
from drift_guard.findings import Severity

if TYPE_CHECKING:
    from drift_guard.service import Service

DIALECTS = ("sqlite", "postgres", "postgres2", "postgres3", "mysql", "mssql")
DEFAULT_RUNTIME_EXCLUDE = ("tests/**", "test_*.py", "*_test.py", "conftest.py")
# libcst needs about 800 MB and many seconds per MB of source; past this size a
# file is reported (DG001) instead of parsed, so one generated file cannot stall
# a pre-commit hook or exhaust a CI runner's memory.
DEFAULT_MAX_FILE_SIZE = 1_000_000


@dataclass(frozen=True)
class ServiceConfig:
    path: str  # service folder, relative to the config root
    name: str | None = None
    models: tuple[str, ...] = ()  # globs relative to the service folder; empty = discover
    pydal: tuple[str, ...] = ()  # globs of PyDAL files; empty = discover
    alembic_ini: str | None = None  # relative to the service folder
    dialect: str | None = None
    # "pyproject.toml:LINE:COL" of this entry, so discovery can locate its errors.
    origin: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Config:
    root: Path  # directory of the pyproject.toml (or the run directory when none)
    source: Path | None = None  # the pyproject.toml read, if any
    services: tuple[ServiceConfig, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity = Severity.ERROR
    ignore_tables: tuple[str, ...] = ()
    table_map: tuple[tuple[str, str], ...] = ()
    type_equivalences: tuple[tuple[str, str], ...] = ()
    dialect: str | None = None
    runtime_exclude: tuple[str, ...] = DEFAULT_RUNTIME_EXCLUDE
    schema_paths: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; larger files are reported (DG001), not parsed
    cache_dir: str | None = None  # relative to ``root``; default ``.drift_guard_cache``

    def fingerprint(self) -> str:
        """Everything in the configuration that can change a result, as one
        string (part of every cache key: any setting change is a miss)."""
        return repr(self)

    @property
    def cache_path(self) -> Path | None:
        return (self.root / self.cache_dir) if self.cache_dir else None

    def is_excluded(self, path: Path) -> bool:
        """True when ``path`` (or one of its folders) matches ``exclude``."""
        return matches_globs(path, self.root, self.exclude)

    def table_ignored(self, name: str) -> bool:
        return any(fnmatchcase(name.lower(), pat.lower()) for pat in self.ignore_tables)


def matches_globs(path: Path, root: Path, globs: Sequence[str]) -> bool:
    """Gitignore-ish matching: each glob is tried (fnmatch) against the path
    relative to ``root``, against every ancestor folder of it relative to
    ``root``, and against each single path component. ``dir/`` means ``dir``."""
    if not globs:
        return False
    try:
        rel = PurePosixPath(Path(path).absolute().relative_to(Path(root).absolute()).as_posix())
        prefixes = [str(PurePosixPath(*rel.parts[: i + 1])) for i in range(len(rel.parts))]
    except ValueError:  # outside the root: only the components can match
        rel = PurePosixPath(Path(path).as_posix())
        prefixes = []
    for raw in globs:
        pattern = raw.rstrip("/").removeprefix("./") or raw
        if any(fnmatchcase(p, pattern) for p in prefixes):
            return True
        if "/" not in pattern and any(fnmatchcase(part, pattern) for part in rel.parts):
            return True
    return False


def load_config(start: Path, explicit: Path | None = None) -> Config:
    """The effective configuration for a run started in ``start``.

    ``explicit`` (``--config``) must exist; its ``[tool.drift_guard]`` table may
    be absent (then every default applies, rooted at the file's folder).
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"configuration file not found: {explicit}")
        return _from_file(explicit.absolute(), required=False)
    found = find_config_file(start.absolute())
    if found is None:
        return Config(root=start.absolute())
    return _from_file(found, required=True)


def find_config_file(start: Path) -> Path | None:
    """First pyproject.toml with ``[tool.drift_guard]`` from ``start`` upwards,
    not leaving the git repository that contains ``start``."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        text = _read_text(candidate) if candidate.is_file() else ""
        if "drift_guard" in text or "drift-guard" in text:
            if _section(_parse_toml(candidate), candidate) is not None:
                return candidate
        if (folder / ".git").exists():
            return None
    return None


def _from_file(path: Path, *, required: bool) -> Config:
    from drift_guard.discovery_config import build_config

    data = _parse_toml(path)
    section = _section(data, path)
    if section is None:
        if required:  # find_config_file guarantees it; keep the invariant loud
            raise ConfigError("no [tool.drift_guard] table", location=_display(path))
        section = {}
    return build_config(section, root=path.parent, source=path, text=_read_text(path))


def _section(data: dict, path: Path) -> dict | None:
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None
    if "drift_guard" not in tool and "drift-guard" in tool:
        # a misspelt table would silently leave every setting at its default
        lines = _read_text(path).splitlines()
        line = next((i for i, text in enumerate(lines, 1) if "drift-guard" in text), 1)
        message = "the table is [tool.drift_guard] (underscore), not [tool.drift-guard]"
        raise ConfigError(message, location=f"{_display(path)}:{line}:1")
    return tool.get("drift_guard")


def _read_text(path: Path) -> str:
    """The configuration's text. A pyproject.toml that is a symlink out of its
    repository is not read (there is no run yet to report a finding in, so it
    is a configuration error)."""
    from drift_guard.session import OUTSIDE_REPOSITORY, enclosing_repository, escapes_repository

    repository = enclosing_repository(path.absolute().parent)
    if repository is not None and escapes_repository(path, repository):
        raise ConfigError(OUTSIDE_REPOSITORY, location=_display(path))
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration: {exc}", location=_display(path)) from None


def _parse_toml(path: Path) -> dict:
    """Parse with tomllib (tomli on 3.10); a syntax error keeps tomllib's line/column."""
    import re

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    text = _read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if where:
            line, col = where.group(1), where.group(2)
            message = message[: where.start()]
        else:  # "(at end of document)"
            message = re.sub(r"\s*\(at end of document\)$", " at end of document", message)
            line, col = str(text.count("\n") + 1), "1"
        raise ConfigError(f"invalid TOML: {message}", location=f"{_display(path)}:{line}:{col}") from None


def _display(path: Path) -> str:
    from drift_guard.paths import display_path

    return display_path(path)


def describe_config(config: Config, services: Sequence[Service]) -> str:
    """The effective configuration and what discovery found, for ``drift-guard config``."""
    from drift_guard.discovery_describe import describe

    return describe(config, services)
