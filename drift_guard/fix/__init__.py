"""``drift-guard fix``: bring the PyDAL layer in line with the models.

For each service: the fixable rules run (their findings, after inline
suppressions, say what differs), :mod:`.plan` turns them into edits read from
the schemas, :mod:`.transform` applies them with libcst, :mod:`.write` writes
each changed file atomically (or, with ``diff``, only shows it). Nothing here is
imported by the rules or the engine; only the command line uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from drift_guard.fix.plan import FIXABLE, REMOVABLE, Edit, HandEdit, RemoveField, RemoveTable, plan_service

if TYPE_CHECKING:
    from drift_guard.config import Config
    from drift_guard.context import ServiceContext
    from drift_guard.findings import Finding
    from drift_guard.session import RunOptions, Session


@dataclass
class FileChange:
    path: Path
    shown: str
    before: str
    after: str
    edits: list[Edit]
    encoding: str = "utf-8"


@dataclass
class FixResult:
    changes: list[FileChange] = field(default_factory=list)
    hand: list[HandEdit] = field(default_factory=list)
    written: bool = False
    # where the run started: the report shows locations relative to it
    run_dir: Path = field(default_factory=Path.cwd)

    @property
    def changed(self) -> bool:
        return any(c.before != c.after for c in self.changes)


def selected_codes(select: Sequence[str], ignore: Sequence[str]) -> list[str]:
    """The cross-layer (DG1xx) codes ``select``/``ignore`` leave (longest matching
    prefix wins, as in check). Those ``fix`` cannot act on are still run, so
    what is left for a hand edit is listed."""
    from drift_guard.rules import selected_rules

    return [info.code for info in selected_rules(select, ignore) if info.code.startswith("DG1")]


def fix(
    paths: Sequence[Path],
    config: Config,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    remove: bool = False,
    write: bool = True,
    options: RunOptions | None = None,
) -> FixResult:
    """Plan and apply the fixes for every service under ``paths``; write the
    changed files when ``write`` (else the result only carries the diffs)."""
    from drift_guard.session import Session

    session = Session(config, options)
    codes = selected_codes(tuple(select) or config.select, (*config.ignore, *ignore))
    with session.active():
        return _fix(paths, session, codes, remove, write)


def _fix(paths: Sequence[Path], session: Session, codes: list[str], remove: bool, write: bool) -> FixResult:
    from drift_guard.context import ServiceContext
    from drift_guard.discovery import discover_cached
    from drift_guard.fix.plan import edits_by_file

    result = FixResult(run_dir=session.run_dir)
    for service in discover_cached(paths, session):
        _refuse_conflicts(service.pydal_files)
        ctx = ServiceContext(service, session)
        _unreadable(ctx, result)
        findings = _findings(ctx, codes)
        wanted = {(f.code, f.table, f.column) for f in findings if f.code in (*FIXABLE, *REMOVABLE)}
        plan = plan_service(ctx, wanted)
        if not remove:  # PyDAL-only fields and tables are reported, not deleted
            kept: list[Edit] = [e for e in plan.edits if not isinstance(e, (RemoveField, RemoveTable))]
            plan.hand.extend(_hand(e, "PyDAL-only: `--remove` deletes it") for e in plan.edits if e not in kept)
            plan.edits = kept
        result.hand.extend(plan.hand)
        files = {session.canonical(p): p for p in service.pydal_files}
        applied: list[Edit] = []
        for where, edits in sorted(edits_by_file(plan.edits).items()):
            path = files.get(where)
            if path is None:
                for edit in edits:
                    result.hand.append(_hand(edit, "it is in a file that is not one of the service's PyDAL files"))
                continue
            change, refused = _rewrite(path, _shown(path), edits)
            result.hand.extend(_hand(edit, why) for edit, why in refused)
            applied.extend(change.edits)
            if change.before != change.after:
                result.changes.append(change)
        _unplanned(result, findings, plan.hand, applied)
    if write:
        from drift_guard.fix.write import write_atomically

        for change in result.changes:
            write_atomically(change.path, change.after, change.encoding)
        result.written = bool(result.changes)
    return result


def _rewrite(path: Path, shown: str, edits: list[Edit]) -> tuple[FileChange, list[tuple[Edit, str]]]:
    from drift_guard.fix.transform import apply_edits
    from drift_guard.fix.write import read_source
    from drift_guard.schema import Problem
    from drift_guard.source import SourceFile, parse_ast, parse_bytes

    data, text, encoding = read_source(path, shown)
    parsed = parse_bytes(data, shown)
    if not isinstance(parsed, SourceFile):
        return FileChange(path, shown, text, text, [], encoding), [(e, "the file does not parse") for e in edits]
    outcome = apply_edits(parsed, edits)
    after = outcome.code
    if after != text and isinstance(parse_ast(after, shown), Problem):  # never write what does not parse
        return FileChange(path, shown, text, text, [], encoding), [(e, "the rewrite would not parse") for e in edits]
    return FileChange(path, shown, text, after, outcome.applied, encoding), outcome.refused


def _unreadable(ctx: ServiceContext, result: FixResult) -> None:
    """A layer file that cannot be read (DG001) hides what would be fixed: the
    rules stay silent on the tables it may hold, so ``fix`` says why it did less."""
    from drift_guard.schema import ProblemKind

    for schema in (ctx.pydal, ctx.models):
        for problem in schema.problems:
            if problem.kind is ProblemKind.SYNTAX_ERROR:
                why = f"{problem.message}: the tables of this layer are not fully known, so their drift is not fixed"
                result.hand.append(HandEdit("DG001", None, None, problem.location, why))


def _refuse_conflicts(files: Sequence[Path]) -> None:
    """A PyDAL file with merge-conflict markers stops the run: it does not parse,
    so its tables are unknown and fixing the other files would be a guess."""
    from drift_guard.fix.write import read_source

    for path in files:
        read_source(path, _shown(path))


def _findings(ctx: ServiceContext, codes: list[str]) -> list[Finding]:
    """The fixable rules' findings for one service, minus the suppressed ones."""
    from drift_guard.rules import load_rules
    from drift_guard.suppressions import match_suppressions

    rules = load_rules()
    found: list[Finding] = []
    for code in codes:
        check = rules[code].check
        if check is not None:
            found.extend(check(ctx))
    service = ctx.service
    kept, _ = match_suppressions(found, sorted({*service.pydal_files, *service.model_files}))
    return [item for item in kept if not _file_ignored(item, ctx.config.per_file_ignores, ctx.session.run_dir)]


def _file_ignored(item: Finding, per_file: Sequence[tuple[str, Sequence[str]]], run_dir: Path) -> bool:
    """``per-file-ignores`` as check applies them: what check does not report is not fixed."""
    from fnmatch import fnmatchcase

    from drift_guard.paths import relative_path

    path = relative_path(item.location.path, run_dir)
    for pattern, codes in per_file:
        if fnmatchcase(path, pattern) or fnmatchcase(Path(path).name, pattern):
            if any(item.code.startswith(code.strip().upper()) for code in codes if code.strip()):
                return True
    return False


def _unplanned(result: FixResult, findings: list[Finding], planned: list[HandEdit], applied: list[Edit]) -> None:
    """A finding neither fixed nor already explained gets a note of its own."""
    covered = {(h.code, h.table, h.column) for h in (*planned, *result.hand)}
    for edit in applied:
        for code in edit.codes:
            covered.add((code, edit.table, edit.column))
    for item in findings:
        if (item.code, item.table, item.column) not in covered:
            covered.add((item.code, item.table, item.column))
            result.hand.append(HandEdit(item.code, item.table, item.column, item.location, item.hint))


def _hand(edit: Edit, why: str) -> HandEdit:
    from drift_guard.fix.plan import AddTable

    location = edit.after if isinstance(edit, AddTable) else edit.location
    return HandEdit(edit.codes[0], edit.table, edit.column, location, why)


def _shown(path: Path) -> str:
    """A file as the diff and the messages of ``fix`` name it (relative to the run directory)."""
    from drift_guard.session import shown

    return shown(path)
