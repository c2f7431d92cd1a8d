"""Alembic revision headers and the revision graph, read statically with libcst.

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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from drift_guard.paths import display_path
from drift_guard.schema import Location, Problem, ProblemKind

if TYPE_CHECKING:
    import libcst as cst

    from drift_guard.parsing import SourceFile

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


@dataclass(frozen=True)
class RevisionGraph:
    revisions: tuple[RevisionHeader, ...] = ()
    heads: tuple[RevisionHeader, ...] = ()
    issues: tuple[GraphIssue, ...] = ()
    problems: tuple[Problem, ...] = ()  # files that do not parse (DG001)

    @property
    def broken(self) -> bool:
        return bool(self.issues) or bool(self.problems)

    def by_id(self) -> dict[str, RevisionHeader]:
        return {h.revision: h for h in self.revisions if h.revision}


# --------------------------------------------------------------------------- files


def list_revision_files(directory: Path, *, recursive: bool = False) -> list[Path]:
    """The files Alembic would load from one version location, sorted."""
    if not directory.is_dir():
        return []
    pattern = directory.rglob("*.py") if recursive else directory.glob("*.py")
    found = [p for p in pattern if p.is_file() and REVISION_FILE.match(p.name)]
    if recursive:
        found = [p for p in found if "__pycache__" not in p.parts]
    return sorted(found)


# --------------------------------------------------------------------------- headers


def read_revision_header(path: Path) -> RevisionHeader | Problem:
    """The header of one revision file, or a DG001 Problem if it does not parse.

    Parsed with ``parse_bytes``, not the cached ``parse_file``: that cache is
    keyed by file, not by display path, and a revision is read once per run.
    """
    from drift_guard.parsing import parse_bytes

    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Problem(ProblemKind.SYNTAX_ERROR, f"cannot read file: {exc.strerror}", Location(shown))
    source = parse_bytes(data, shown)
    if isinstance(source, Problem):
        return source
    values: dict[str, tuple[object, Location]] = {}
    functions: dict[str, cst.FunctionDef] = {}
    lines = _top_level_lines(source.text)
    for statement in source.module.body:
        _collect(statement, source, lines, values, functions)
    return _header(path, source, lines, values, functions)


def _top_level_lines(text: str) -> dict[str, int]:
    """Line of each module-level assignment (``name``) and def (``def name``).

    libcst's PositionProvider regenerates the whole module to compute
    positions (~4 ms a file, most of the time on a 200-revision history); the
    compiler's parser gives module-level line numbers for a fraction of that.
    ``ast.parse`` compiles, it never executes.
    """
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    lines: dict[str, int] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            lines[node.targets[0].id] = node.lineno
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            lines[node.target.id] = node.lineno
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines[f"def {node.name}"] = node.lineno
    return lines


def _collect(statement, source: SourceFile, lines: dict[str, int], values: dict, functions: dict) -> None:
    import libcst as cst

    if isinstance(statement, cst.FunctionDef):
        functions[statement.name.value] = statement
        return
    if not isinstance(statement, cst.SimpleStatementLine):
        return
    for small in statement.body:
        target, value = _assignment(small)
        if target in _HEADER_NAMES and value is not None:
            values[target] = (_literal(value), Location(source.path, lines.get(target, 1)))


def _assignment(small) -> tuple[str | None, object]:
    import libcst as cst

    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        value = small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None, None
    return (target.value if isinstance(target, cst.Name) else None), value


class _NotLiteral:
    pass


_NOT_LITERAL = _NotLiteral()


def _literal(node) -> object:
    """str, None, or a tuple of str; _NOT_LITERAL for anything else."""
    import libcst as cst

    if isinstance(node, cst.Name) and node.value == "None":
        return None
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else _NOT_LITERAL
    if isinstance(node, (cst.Tuple, cst.List)):
        items = tuple(_literal(el.value) for el in node.elements)
        return items if all(isinstance(i, str) for i in items) else _NOT_LITERAL
    return _NOT_LITERAL


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None or value is _NOT_LITERAL:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _header(path: Path, source: SourceFile, lines: dict[str, int], values: dict, functions: dict) -> RevisionHeader:
    rev_value, rev_loc = values.get("revision", (None, Location(source.path)))
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
        downgrade_location=Location(source.path, lines.get("def downgrade", 1)) if downgrade is not None else None,
        downgrade_empty=downgrade is not None and body_is_empty(downgrade),
        literal=literal,
    )


def body_is_empty(function: cst.FunctionDef) -> bool:
    """True when a function body is only ``pass``, docstrings and ``...``."""
    import libcst as cst

    body = function.body
    lines = body.body if isinstance(body, cst.IndentedBlock) else [body]
    for line in lines:
        if not isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return False
        for small in line.body:
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Expr) and isinstance(
                small.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis)
            ):
                continue
            return False
    return True


# --------------------------------------------------------------------------- graph


def build_revision_graph(
    version_dirs: Iterable[Path],
    script_location: Path | None = None,
    *,
    recursive: bool = False,
) -> RevisionGraph:
    """Read every revision file in ``version_dirs`` and check the graph Alembic
    would build from them; stray revision files elsewhere under
    ``script_location`` are reported because Alembic silently ignores them."""
    headers: list[RevisionHeader] = []
    problems: list[Problem] = []
    loaded: set[Path] = set()
    for directory in version_dirs:
        for path in list_revision_files(directory, recursive=recursive):
            if path.resolve() in loaded:
                continue
            loaded.add(path.resolve())
            result = read_revision_header(path)
            (problems if isinstance(result, Problem) else headers).append(result)
    from drift_guard.migrations.graph import check_graph, stray_revision_files

    strays = stray_revision_files(script_location, loaded) if script_location else []
    issues, heads = check_graph(headers, strays)
    return RevisionGraph(tuple(headers), tuple(heads), tuple(issues), tuple(problems))
