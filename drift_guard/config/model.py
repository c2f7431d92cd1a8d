"""The settings of ``[tool.drift_guard]``, frozen: what every other module reads.

Finding the file is :mod:`drift_guard.config.load` (walk up from the run
directory to the first ``pyproject.toml`` with a ``[tool.drift_guard]`` table,
never leaving the git repository, like ruff); strict validation, located at the
offending key, is :mod:`drift_guard.config.validate`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Sequence

from drift_guard.findings import Severity

DIALECTS = ("sqlite", "postgres", "postgres2", "postgres3", "mysql", "mssql")
# The scratch database of the migration check without --database-url: "auto" replays a
# PostgreSQL service on an embedded PostgreSQL when pgserver is installed, "sqlite" never does.
SCRATCHES = ("auto", "sqlite")
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
    # Run revisions whose folder (script_location / version_locations) lies outside
    # the repository: off by default, a pull request must not make drift-guard
    # execute code from elsewhere on the machine.
    allow_external_migrations: bool = False
    scratch: str = "auto"  # one of SCRATCHES

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
    parts, inside = _relative_parts(path, root)
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))] if inside else []
    for raw in globs:
        pattern = raw.rstrip("/").removeprefix("./") or raw
        if any(fnmatchcase(p, pattern) for p in prefixes):
            return True
        if "/" not in pattern and any(fnmatchcase(part, pattern) for part in parts):
            return True
    return False


def _relative_parts(path: Path | str, root: Path | str) -> tuple[Sequence[str], bool]:
    """The components of ``path`` relative to ``root`` and True, or, outside
    it, the components of ``path`` as given and False; as pathlib gives them
    (``Path.absolute``, ``relative_to``, ``parts``). Every runtime module is
    matched against the exclusion globs on every run that reads them, and the
    pathlib objects were most of a route edit's listing: on POSIX the same
    components are split from the strings."""
    text, base = os.fspath(path), os.fspath(root)
    if os.sep != "/" or text.startswith("//") or base.startswith("//"):  # pathlib's rules for "//" and drives
        try:
            return Path(text).absolute().relative_to(Path(base).absolute()).parts, True
        except ValueError:
            return PurePosixPath(Path(text).as_posix()).parts, False
    full = _components(text if text.startswith("/") else os.path.join(os.getcwd(), text))
    top = _components(base if base.startswith("/") else os.path.join(os.getcwd(), base))
    if full[: len(top)] == top:
        return full[len(top) :], True
    return (("/", *_components(text)) if text.startswith("/") else tuple(_components(text))), False


def _components(text: str) -> list[str]:
    return [part for part in text.split("/") if part and part != "."]
