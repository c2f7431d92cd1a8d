"""DG306's evidence: PyDAL migration state files (``*.table``) in the tree.

Kept apart from :mod:`drift_guard.extract.runtime` (which reads code with
libcst): DG306 runs on every check, also when everything else is answered from
the cache, and listing files must not import a parser.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from drift_guard.config import matches_globs
from drift_guard.paths import is_skipped_dir

if TYPE_CHECKING:
    from drift_guard.config import Config
    from drift_guard.service import Service


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
        path for path in pydal_table_files(service.root)
        if not (any(matches_globs(path, root, config.runtime_exclude) for root in roots) or config.is_excluded(path))
    ]
    ignored = git_ignored(candidates, service.root)
    return [path for path in candidates if path not in ignored]


def git_ignored(paths: list[Path], cwd: Path) -> set[Path]:
    """The ``paths`` git ignores; none when git is missing or ``cwd`` is not
    in a work tree (then every file counts)."""
    import subprocess

    if not paths:
        return set()
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), "check-ignore", "-z", "--stdin"],
            input="\0".join(str(p) for p in paths), capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if done.returncode not in (0, 1):  # 128: not a git repository
        return set()
    return {Path(item) for item in done.stdout.split("\0") if item}
