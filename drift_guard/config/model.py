"""The settings of ``[tool.drift_guard]``, frozen: what every other module reads.

Finding the file is :mod:`drift_guard.config.load` (walk up from the run
directory to the first ``pyproject.toml`` with a ``[tool.drift_guard]`` table,
never leaving the git repository, like ruff); strict validation, located at the
offending key, is :mod:`drift_guard.config.validate`.
"""

from __future__ import annotations

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
