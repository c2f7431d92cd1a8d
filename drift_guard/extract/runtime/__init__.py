"""Static scan of a service's runtime modules for what they do at run time.

Runtime modules are the service's Python files minus tests, virtualenvs, the
Alembic folder and ``runtime-exclude``: a test suite building a throwaway
``DAL("sqlite:memory", migrate=True)`` is legitimate. Each is read, parsed with
the stdlib parser and summarised in one walk
(:func:`~drift_guard.extract.runtime.summary.summarize_runtime`) once per run:
every ``DAL(...)`` call (URI and the three flags that decide whether PyDAL
migrates), every ``define_table(...)`` with its own ``migrate``/``fake_migrate``,
every ``execute``/``executesql`` call with literal SQL, SQLAlchemy used at run
time and the DAL objects' attribute chains. The summaries are pure data: rules
DG301-DG305, DG401 and DG402 judge them, and :mod:`drift_guard.dialect` reads
the URIs. Nothing here imports application code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from drift_guard.paths import is_skipped_dir
from drift_guard.schema import UNKNOWN, Location, Problem, ProblemKind
from drift_guard.session import canonical

if TYPE_CHECKING:
    from drift_guard.config import Config
    from drift_guard.context import ServiceContext
    from drift_guard.extract.runtime.summary import (
        UNSET,
        DalCall,
        DefineTable,
        RuntimeSummary,
        SqlCall,
        is_dal_name,
    )
    from drift_guard.extract.runtime.values import Value
    from drift_guard.service import Service

# The summary's records and the parser's tables are imported on first use (PEP 562):
# every run loads every rule module, and a run answered from the cache summarises nothing.
_LAZY = {
    "UNSET": "summary",
    "DalCall": "summary",
    "DefineTable": "summary",
    "RuntimeSummary": "summary",
    "SqlCall": "summary",
    "is_dal_name": "summary",
    "Value": "values",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "UNSET",
    "DalCall",
    "DefineTable",
    "RuntimeSummary",
    "SqlCall",
    "Value",
    "flag_is_unknown",
    "is_dal_name",
    "reportable_table_files",
    "runtime_files",
    "runtime_problems",
    "runtime_summaries",
]


def matches_any(path: Path, roots: Iterable[Path], globs: tuple[str, ...]) -> bool:
    """``path`` matches one of ``globs`` relative to one of ``roots``."""
    from drift_guard.config import matches_globs

    return any(matches_globs(path, root, globs) for root in roots)


def runtime_files(service: Service, config: Config, *, extra_exclude: tuple[str, ...] = ()) -> list[Path]:
    """The service's runtime modules, sorted: no tests, venvs or Alembic folder.

    Folders are resolved and judged once each, not once per file: every run
    that reads a runtime module lists them (a route edit), and per-file
    ``resolve()`` and venv probes of every parent were most of its cost."""
    import os

    roots = (service.root, config.root)
    globs = (*config.runtime_exclude, *extra_exclude)
    # the Alembic folder as written and as resolved: a revision that is a
    # symlink to elsewhere is still a revision, not runtime code
    location = service.script_location
    alembic = {str(location.absolute()), os.path.realpath(location)} if location else set()
    root = os.path.realpath(service.root)
    real_folders: dict[str, str] = {}
    skipped: dict[str, bool] = {}

    def real(path: Path) -> str:
        if os.path.islink(path):
            return os.path.realpath(path)
        folder = str(path.parent)
        if folder not in real_folders:
            real_folders[folder] = os.path.realpath(folder)
        return os.path.join(real_folders[folder], path.name)

    def in_skipped_folder(resolved: str) -> bool:
        folder = os.path.dirname(resolved)
        if folder not in skipped:
            below = folder.startswith(root + os.sep)
            skipped[folder] = below and (is_skipped_dir(Path(folder)) or in_skipped_folder(folder))
        return skipped[folder]

    chosen = []
    for path in sorted(set(service.python_files)):
        resolved = real(path)
        if any(_within(candidate, folder) for candidate in (str(path.absolute()), resolved) for folder in alembic):
            continue
        if in_skipped_folder(resolved):
            continue
        if matches_any(path, roots, globs) or config.is_excluded(path):
            continue
        chosen.append(path)
    return chosen


def _within(path: str, folder: str) -> bool:
    import os

    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def flag_is_unknown(value: Value) -> bool:
    return value.given and value.value is UNKNOWN


def runtime_summaries(ctx: ServiceContext) -> list[tuple[Path, RuntimeSummary]]:
    """Every runtime module's summary, computed once per ServiceContext (DG3xx,
    DG4xx and the dialect share it). Files that cannot be read, decoded or
    parsed have none: :func:`runtime_problems` says why (DG001)."""
    return ctx.memo("runtime", lambda: _scan(ctx))


def runtime_problems(ctx: ServiceContext) -> list[Problem]:
    """DG001 problems of the runtime modules: the scan runs here if no rule ran
    it yet (each module is summarised once per run, and cached), so DG001 does
    not depend on which rules ran before it."""
    runtime_summaries(ctx)
    return list(_problem_sink(ctx))


def _problem_sink(ctx: ServiceContext) -> list[Problem]:
    return ctx.memo("runtime-problems", list)


def _scan(ctx: ServiceContext) -> list[tuple[Path, RuntimeSummary]]:
    from drift_guard.extract.runtime.layers import module_names

    summaries = []
    problems = _problem_sink(ctx)
    roots = tuple(ctx.service.import_roots) or (ctx.service.root,)
    files = runtime_files(ctx.service, ctx.config)
    for path, (module, package) in zip(files, module_names(files, roots)):
        display = canonical(path)

        def summary(
            path: Path = path, display: str = display, module: str | None = module, package: str | None = package
        ) -> RuntimeSummary | Problem:
            data = _read(ctx, path, display)
            if isinstance(data, bytes):
                return summarize_bytes(data, display, module=module, package=package)
            return data

        # One cache entry per module, checked against its content: editing one
        # route module summarises that module again, and only that one.
        key = [str(path), display, module, package, ctx.config.max_file_size]
        result = ctx.session.cached("runtime", key, summary)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            summaries.append((path, result))
    ctx.session.spare_the_collector()  # hundreds of records, read back or built: see Session
    return summaries


def _read(ctx: ServiceContext, path: Path, display: str) -> bytes | Problem:
    """The file's content through the run's session (so cached results depend
    on it), or why not: unreadable (a folder, a FIFO, a dangling symlink, a
    symlink out of the repository, no permission), or over ``max-file-size``."""
    from drift_guard.session import OutsideRepository, unreadable

    session = ctx.session
    limit = ctx.config.max_file_size
    try:
        if session.escapes(path):
            raise OutsideRepository(path)
        size = path.stat().st_size
    except OSError as exc:
        session.note(path)  # the result depends on the file becoming readable
        return Problem(ProblemKind.SYNTAX_ERROR, unreadable(exc, path), Location(display))
    if size > limit:
        session.note(path)
        return Problem(
            ProblemKind.SYNTAX_ERROR,
            f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB parse limit, so nothing "
            "in it was checked (raise `max-file-size` in [tool.drift_guard] to parse it)",
            Location(display),
        )
    try:
        return session.read_bytes(path)
    except OSError as exc:
        return Problem(ProblemKind.SYNTAX_ERROR, unreadable(exc, path), Location(display))


def summarize_bytes(data: bytes, display: str, *, module: str | None, package: str | None) -> RuntimeSummary | Problem:
    """Decode, parse (stdlib parser) and summarise one runtime module's content;
    a located DG001 Problem when it cannot be. A pure function of its arguments,
    so its result can be stored keyed by the content's hash."""
    from drift_guard.extract.runtime.summary import summarize_runtime
    from drift_guard.source import parse_ast_bytes

    parsed = parse_ast_bytes(data, display)
    if isinstance(parsed, Problem):
        return parsed
    text, tree = parsed
    return summarize_runtime(tree, display, module=module, package=package, text=text)


def pydal_table_files(root: Path) -> list[Path]:
    """``*.table`` files under ``root``, skipping VCS folders and virtualenvs."""
    found, stack = [], [root]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(current.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                if not is_skipped_dir(entry):
                    stack.append(entry)
            elif entry.suffix == ".table" and entry.is_file():
                found.append(entry)
    return sorted(found)


def reportable_table_files(service: Service, config: Config) -> list[Path]:
    """:func:`pydal_table_files` that are evidence in the repository: not under
    ``exclude`` / ``runtime-exclude`` (a test suite may legitimately migrate a
    throwaway SQLite database and leave its pickles) and not ignored by git
    (``*.table`` in .gitignore is the documented fix, so it must silence DG306)."""
    roots = (service.root, config.root)
    candidates = [
        path
        for path in pydal_table_files(service.root)
        if not (matches_any(path, roots, config.runtime_exclude) or config.is_excluded(path))
    ]
    ignored = git_ignored(candidates, service.root)
    return [path for path in candidates if path not in ignored]


def git_ignored(paths: list[Path], cwd: Path) -> set[Path]:
    """The ``paths`` git ignores; none when git is missing or ``cwd`` is not
    in a work tree (then every file counts)."""
    if not paths:
        return set()
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), "check-ignore", "-z", "--stdin"],
            input="\0".join(str(p) for p in paths),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if done.returncode not in (0, 1):  # 128: not a git repository
        return set()
    return {Path(item) for item in done.stdout.split("\0") if item}
