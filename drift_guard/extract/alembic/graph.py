"""The checks of the revision graph (DG203) and its heads (DG202).

Split from :mod:`drift_guard.extract.alembic`, which reads the headers: these
functions only look at the records it produced (plus one scan for revision
files Alembic would never load).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from drift_guard.extract.alembic.headers import (
    REVISION_FILE,
    GraphIssue,
    RevisionHeader,
    _unlisted,
    list_revision_files,
    read_revision_header,
)
from drift_guard.schema import Problem
from drift_guard.session import shown


def check_graph(
    headers: list[RevisionHeader], strays: list[RevisionHeader]
) -> tuple[list[GraphIssue], list[RevisionHeader]]:
    """Graph issues (sorted by location) and the heads, as Alembic defines them:
    revisions no other revision names as ``down_revision`` (``depends_on`` does
    not join branches)."""
    issues: list[GraphIssue] = []
    known: dict[str, RevisionHeader] = {}
    for header in headers:
        if header.revision is None:
            if header.literal:
                issues.append(GraphIssue("missing-revision", "file has no `revision` identifier", header.location))
            continue
        first = known.setdefault(header.revision, header)
        if first is not header:
            issues.append(
                GraphIssue(
                    "duplicate-revision",
                    f"revision `{header.revision}` is also defined in {shown(first.location.path)}:{first.location.line}",
                    header.location,
                    header.revision,
                )
            )
    labels = {label for h in headers for label in h.branch_labels}
    stray_ids = {h.revision: h for h in strays if h.revision}
    for header in headers:
        issues.extend(_reference_issues(header, known, labels, stray_ids))
    issues.extend(_cycle_issues(known))
    for stray in strays:
        issues.append(
            GraphIssue(
                "outside-versions",
                f"revision `{stray.revision}` is outside the versions folder; Alembic never loads it",
                stray.location,
                stray.revision,
            )
        )
    named = {down for h in known.values() for down in h.down_revisions}
    heads = [h for rev, h in sorted(known.items()) if rev not in named]
    return sorted(issues, key=lambda i: (i.location, i.kind)), heads


def _reference_issues(header, known, labels, stray_ids) -> Iterable[GraphIssue]:
    if header.revision is not None and header.down_location is None and header.literal:
        yield GraphIssue(
            "missing-down-revision",
            f"revision `{header.revision}` has no `down_revision`",
            header.location,
            header.revision,
        )
    for down in header.down_revisions:
        if down not in known:
            yield _missing(header, down, "down_revision", header.down_location, stray_ids)
    for dep in header.depends_on:
        if dep not in known and dep not in labels:
            yield _missing(header, dep, "depends_on", header.location, stray_ids)


def _missing(header, target, field, location, stray_ids) -> GraphIssue:
    where = ""
    if target in stray_ids:
        where = f" (it is in {shown(stray_ids[target].location.path)}, outside the versions folder)"
    return GraphIssue(
        "missing-down-revision",
        f"`{field}` of revision `{header.revision}` names `{target}`, which does not exist{where}",
        location or header.location,
        header.revision,
    )


def _cycle_issues(known: dict[str, RevisionHeader]) -> list[GraphIssue]:
    """One issue per cycle (reported at its smallest revision id), found by an
    iterative depth-first search over down_revision and depends_on edges."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    issues: list[GraphIssue] = []
    for start in sorted(known):
        if start in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(_edges(known[start], known)))]
        state[start] = 1
        path = [start]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                cycle = path[path.index(child) :]
                first = known[min(cycle)]
                shown = " -> ".join([*cycle, child])
                issues.append(GraphIssue("cycle", f"revision cycle: {shown}", first.location, first.revision))
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(_edges(known[child], known))))
    return issues


def _edges(header: RevisionHeader, known: dict[str, RevisionHeader]) -> list[str]:
    return sorted({r for r in (*header.down_revisions, *header.depends_on) if r in known})


def stray_revision_files(script_location: Path, loaded: set[Path]) -> list[RevisionHeader]:
    """Revision files under ``script_location`` that no version location loads
    (a revision saved next to env.py, or in a misspelled folder)."""
    strays = []
    for path in sorted(script_location.rglob("*.py")):
        ignored = path.name == "env.py" or not REVISION_FILE.match(path.name) or "__pycache__" in path.parts
        if ignored or path.resolve() in loaded:
            continue
        result = read_revision_header(path)
        if isinstance(result, RevisionHeader) and result.revision and result.down_location is not None:
            strays.append(result)
    return strays


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
        try:
            paths = list_revision_files(directory, recursive=recursive)
        except OSError as exc:
            problems.append(_unlisted(directory, exc))
            continue
        for path in paths:
            if path.resolve() in loaded:
                continue
            loaded.add(path.resolve())
            result = read_revision_header(path)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                headers.append(result)

    strays = stray_revision_files(script_location, loaded) if script_location else []
    issues, heads = check_graph(headers, strays)
    return RevisionGraph(tuple(headers), tuple(heads), tuple(issues), tuple(problems))
