"""Alembic revision headers and the revision graph, read statically.

The graph rules (DG202 multiple heads, DG203 broken graph, DG204 empty
downgrade) must work even when the replay cannot run (a revision that imports
application code, a cycle that would make Alembic itself raise), so nothing
here executes a revision: the module-level ``revision`` / ``down_revision`` /
``depends_on`` / ``branch_labels`` assignments are read from the syntax tree,
in the plain and the annotated form current templates write
(``down_revision: Union[str, None] = "abc"``), tuples for merges included.

Files are listed the way Alembic lists them (``*.py`` except ``__init__.py``
and editor lock files ``.#*``; sub-folders only with
``recursive_version_locations``), so the static graph is the graph Alembic
would load.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path

from drift_guard.schema import Location, Problem, ProblemKind
from drift_guard.session import canonical

REVISION_FILE = re.compile(r"^(?!\.#|__init__)(.*\.py)$")  # Alembic's _only_source_rev_file
_HEADER_NAMES = ("revision", "down_revision", "depends_on", "branch_labels")


@dataclass(frozen=True)
class RevisionHeader:
    """One revision file as Alembic would see it, without executing it."""

    path: Path
    location: Location  # the ``revision = ...`` line (the file start if absent)
    revision: str | None
    down_revisions: tuple[str, ...] = ()
    down_location: Location | None = None  # None: the file has no down_revision at all
    depends_on: tuple[str, ...] = ()
    branch_labels: tuple[str, ...] = ()
    upgrade_does_something: bool = False
    downgrade_location: Location | None = None  # the ``def downgrade`` line, if defined
    downgrade_empty: bool = False  # defined and only pass / docstring / ``...``
    literal: bool = True  # False when a header value is not a literal we can read

    @property
    def is_merge(self) -> bool:
        return len(self.down_revisions) > 1


@dataclass(frozen=True)
class GraphIssue:
    """Why the revision graph is broken (DG203)."""

    kind: str  # missing-revision | missing-down-revision | duplicate-revision | cycle | outside-versions
    message: str
    location: Location
    revision: str | None = None


# --------------------------------------------------------------------------- files


def list_revision_files(directory: Path, *, recursive: bool = False) -> list[Path]:
    """The files Alembic would load from one version location, sorted (a
    dangling symlink too: Alembic would fail on it, so it is reported).
    Raises OSError when a folder cannot be listed (Alembic would fail too)."""
    try:
        if not stat.S_ISDIR(directory.stat().st_mode):
            return []
    except (FileNotFoundError, NotADirectoryError):
        return []
    found: list[Path] = []
    folders = [directory]
    while folders:
        folder = folders.pop()
        for entry in sorted(folder.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                if recursive and entry.name != "__pycache__":
                    folders.append(entry)
            elif REVISION_FILE.match(entry.name) and (entry.is_file() or (entry.is_symlink() and not entry.exists())):
                found.append(entry)
    return sorted(found)


# --------------------------------------------------------------------------- headers


def read_revision_header(path: Path) -> RevisionHeader | Problem:
    """The header of one revision file, or a DG001 Problem if it does not parse.

    Read with the compiler's parser (``ast.parse`` compiles, it never executes):
    the header is module-level names and literals, and on a long history this is
    most of the static work, so the C parser beats libcst several times over.
    """
    import ast

    from drift_guard.source import parse_ast_bytes

    shown = canonical(path)
    data = read_revision_bytes(path, shown)
    if isinstance(data, Problem):
        return data
    parsed = parse_ast_bytes(data, shown)
    if isinstance(parsed, Problem):
        return parsed
    _, tree = parsed
    values: dict[str, tuple[object, Location]] = {}
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = node
            continue
        target, value = _assignment(node)
        if target in _HEADER_NAMES and value is not None:
            values[target] = (_literal(value), Location(shown, node.lineno))
    return _header(path, shown, values, functions)


def read_revision_bytes(path: Path, shown: str | None = None) -> bytes | Problem:
    """The content of a revision file, or the DG001 Problem of a file that
    cannot be read (recorded on the run's session, as for any other file)."""
    from drift_guard.session import current, read_file, unreadable

    try:
        return read_file(path)
    except OSError as exc:
        problem = Problem(ProblemKind.SYNTAX_ERROR, unreadable(exc, path), Location(shown or canonical(path)))
        session = current()
        if session is not None:
            session.record_failure(path, problem)
        return problem


def unreadable_revision_files(directories: list[Path], *, recursive: bool = False) -> list[Problem]:
    """DG001 Problems of the revision files that cannot be read (and of the
    version folders that cannot be listed), without parsing any: what DG001
    reports whether or not the migration check has read the history yet."""
    found = []
    for directory in directories:
        try:
            files = list_revision_files(directory, recursive=recursive)
        except OSError:
            continue  # reported by the migration check (Alembic cannot load the folder either)
        for path in files:
            data = read_revision_bytes(path)
            if isinstance(data, Problem):
                found.append(data)
    return found


def _assignment(node: object) -> tuple[str | None, object]:
    import ast

    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        value = node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    else:
        return None, None
    return (target.id if isinstance(target, ast.Name) else None), value


class _NotLiteral:
    pass


_NOT_LITERAL = _NotLiteral()


def _literal(node: object) -> object:
    """str, None, or a tuple of str; _NOT_LITERAL for anything else."""
    import ast

    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        items = tuple(_literal(el) for el in node.elts)
        return items if all(isinstance(i, str) for i in items) else _NOT_LITERAL
    return _NOT_LITERAL


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None or value is _NOT_LITERAL:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _header(path: Path, shown: str, values: dict, functions: dict) -> RevisionHeader:
    rev_value, rev_loc = values.get("revision", (None, Location(shown)))
    down = values.get("down_revision")
    literal = all(v is not _NOT_LITERAL for v, _ in values.values())
    upgrade = functions.get("upgrade")
    downgrade = functions.get("downgrade")
    return RevisionHeader(
        path=path,
        location=rev_loc,
        revision=rev_value if isinstance(rev_value, str) else None,
        down_revisions=_as_tuple(down[0]) if down else (),
        down_location=down[1] if down else None,
        depends_on=_as_tuple(values.get("depends_on", (None,))[0]),
        branch_labels=_as_tuple(values.get("branch_labels", (None,))[0]),
        upgrade_does_something=upgrade is not None and not body_is_empty(upgrade),
        downgrade_location=Location(shown, downgrade.lineno) if downgrade is not None else None,
        downgrade_empty=downgrade is not None and body_is_empty(downgrade),
        literal=literal,
    )


def _unlisted(directory: Path, exc: OSError) -> Problem:
    """A version folder that cannot be listed: a DG001 for the folder (Alembic
    cannot load the history either, so the graph counts as broken)."""
    from drift_guard.session import current

    session = current()
    if session is not None:
        session.record_unlisted(directory, exc)
        return session.unlisted[directory.absolute()]
    message = f"cannot list folder: {exc.strerror or exc}; nothing in it was checked"
    return Problem(ProblemKind.SYNTAX_ERROR, message, Location(canonical(directory)))


def body_is_empty(function: object) -> bool:
    """True when a function body is only ``pass``, docstrings and ``...``."""
    import ast

    for stmt in function.body:  # type: ignore[attr-defined]
        if isinstance(stmt, ast.Pass):
            continue
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and (isinstance(stmt.value.value, str) or stmt.value.value is Ellipsis)
        ):
            continue
        return False
    return True
