"""Path display and the directories no scan ever enters."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

# Never descend into these (virtualenvs are also detected by pyvenv.cfg).
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        ".env",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "build",
        "dist",
        "site-packages",
        ".eggs",
        ".drift-guard-cache",
        ".drift_guard_cache",
    }
)


def is_skipped_dir(path: Path) -> bool:
    name = path.name
    return name in SKIP_DIRS or name.endswith(".egg-info") or is_file(path / "pyvenv.cfg")


def is_file(path: Path) -> bool:
    """``Path.is_file`` that answers False instead of raising when a folder on
    the way cannot be searched (permission denied): whoever lists that folder
    reports it."""
    try:
        return path.is_file()
    except OSError:
        return False


def is_dir(path: Path) -> bool:
    """``Path.is_dir``, False instead of raising (see :func:`is_file`)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def find_repository_root(start: Path | str) -> Path | None:
    """The nearest folder from ``start`` upwards holding ``.git`` (a folder, or a
    file in a worktree/submodule), resolved; None outside a repository.

    The folders are walked as written: a file in a symlinked folder belongs to
    the repository that holds the link, not to wherever the link points.
    The one answer to "which repository is this": the session's roots,
    canonical paths, the configuration search and the symlink checks all ask
    here."""
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        if os.path.exists(folder / ".git"):  # False, not an error, in a folder that cannot be searched
            return folder.resolve()
    return None


OUTSIDE_REPOSITORY = "symlink points outside the repository; not read"


def escapes_repository(path: Path, root: Path, realpath: Callable[[str], str] = os.path.realpath) -> bool:
    """True when ``path`` lies in the repository ``root`` (as written) but
    resolves outside it, through a symlink. A path that is outside the
    repository as written (an explicit argument, a ``prepend_sys_path`` beyond
    it) is not following a link out of it, and is not refused. ``realpath`` may
    be a memoised one (a run resolves the same folders for every file)."""
    # strings, not pathlib: this runs for every file a run reads
    real_root = realpath(os.fspath(root))
    absolute = os.path.abspath(path)
    if os.path.islink(absolute):
        resolved = os.path.realpath(absolute)
    else:  # only the folders can be links: resolve the folder, once per run
        resolved = os.path.join(realpath(os.path.dirname(absolute)), os.path.basename(absolute))
    if _inside(resolved, real_root):
        return False
    folder = os.path.dirname(absolute)
    while True:  # in the repository as written (some folder of it is the root)?
        if realpath(folder) == real_root:
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def canonical_path(path: Path | str, tree: Path, real_tree: str | None = None) -> str:
    """The one name of a file in a run: absolute, with forward slashes.

    Lexically absolute (``..`` folded, symlinks kept), except that a path that
    resolves (through a symlinked file or folder) to a file inside ``tree`` (the
    run's repository root, resolved) is named by its target: the file is then
    known by one name however it was reached. A dangling link or a link out of
    the tree keeps its own name (the file in the tree is what the reader can
    open, and the target is not disclosed). Reporters make it relative
    (:func:`relative_path`). ``real_tree``: ``tree`` resolved, if known."""
    lexical = os.path.abspath(path)
    resolved = os.path.realpath(lexical)
    if resolved == lexical:
        return lexical.replace(os.sep, "/")
    if os.path.exists(resolved) and _inside(resolved, real_tree or os.path.realpath(tree)):
        lexical = resolved
    return lexical.replace(os.sep, "/")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def relative_path(path: str, base: Path) -> str:
    """A canonical ``path`` as shown from ``base``: relative to it when inside
    it (also when ``base`` is reached through a symlink), else unchanged. A
    path that is not absolute (a service name standing for a location) is
    returned as it is."""
    if not os.path.isabs(path):
        return path
    for folder in dict.fromkeys((os.path.abspath(base), os.path.realpath(base))):
        try:
            shown = os.path.relpath(path, folder)
        except ValueError:  # other drive on Windows
            continue
        if not shown.startswith(".."):
            return shown.replace(os.sep, "/")
    return path.replace(os.sep, "/")


def display_path(path: Path | str, base: Path, tree: Path | None = None) -> str:
    """``path`` as a message or the command line shows it: canonical
    (:func:`canonical_path`, symlinks judged against ``tree``, default
    ``base``), then relative to ``base`` when inside it, else absolute."""
    return relative_path(canonical_path(path, base if tree is None else tree), base)


def iter_python_files(root: Path, excluded=None, *, unlisted=None):
    """Every ``*.py`` under ``root`` in sorted order, skipping SKIP_DIRS and
    virtualenvs; ``excluded(path) -> bool`` prunes further."""
    return iter_files(root, (".py",), excluded, unlisted=unlisted)


def iter_files(root: Path, suffixes: tuple[str, ...], excluded=None, *, unlisted=None):
    """Every file under ``root`` ending in one of ``suffixes``, as
    :func:`iter_python_files` walks.

    A folder that cannot be listed is handed to ``unlisted(folder, exc)`` (the
    run's session records it: a DG001, and a blind spot for the rules that
    report what is missing); a dangling symlink with a wanted suffix is
    yielded, for its reader to report.
    """
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name, reverse=True)
        except OSError as exc:
            if unlisted is not None and not isinstance(exc, (FileNotFoundError, NotADirectoryError)):
                unlisted(folder, exc)
            continue
        for entry in entries:
            if excluded is not None and excluded(entry):
                continue
            if entry.is_dir() and not entry.is_symlink():
                if not is_skipped_dir(entry):
                    stack.append(entry)
            elif entry.suffix in suffixes and (entry.is_file() or (entry.is_symlink() and not entry.exists())):
                yield entry
