"""Path display and the directories no scan ever enters."""

from __future__ import annotations

import os
from pathlib import Path

# Never descend into these (virtualenvs are also detected by pyvenv.cfg).
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", ".tox", ".nox",
        "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        "build", "dist", "site-packages", ".eggs", ".drift-guard-cache", ".drift_guard_cache",
    }
)


def is_skipped_dir(path: Path) -> bool:
    name = path.name
    return (
        name in SKIP_DIRS
        or name.endswith(".egg-info")
        or (path / "pyvenv.cfg").is_file()
    )


def display_path(path: Path | str, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the current directory) when it is
    inside it, else absolute; always with forward slashes."""
    path = Path(path)
    base = base or Path.cwd()
    try:
        shown = os.path.relpath(path.resolve(), base.resolve())
    except ValueError:  # other drive on Windows
        shown = str(path.resolve())
    if shown.startswith(".."):
        shown = str(path.resolve())
    return shown.replace(os.sep, "/")


def iter_python_files(root: Path, excluded=None):
    """Every ``*.py`` under ``root`` in sorted order, skipping SKIP_DIRS and
    virtualenvs; ``excluded(path) -> bool`` prunes further."""
    return iter_files(root, (".py",), excluded)


def iter_files(root: Path, suffixes: tuple[str, ...], excluded=None):
    """Every file under ``root`` ending in one of ``suffixes``, as
    :func:`iter_python_files` walks."""
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(current.iterdir(), key=lambda p: p.name, reverse=True)
        except OSError:
            continue
        for entry in entries:
            if excluded is not None and excluded(entry):
                continue
            if entry.is_dir() and not entry.is_symlink():
                if not is_skipped_dir(entry):
                    stack.append(entry)
            elif entry.suffix in suffixes and entry.is_file():
                yield entry
