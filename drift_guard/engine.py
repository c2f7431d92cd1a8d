"""Run the selected rules over every discovered service.

Wiring only: discovery gives services, each gets a lazy ServiceContext, each
selected rule reads what it needs from it. Selection, severity overrides and
per-file ignores are applied here, once, for every output format.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from drift_guard.config import Config
from drift_guard.findings import Finding, Severity
from drift_guard.paths import is_dir, relative_path
from drift_guard.rules import Phase, Rule, selected_rules
from drift_guard.schema import Problem
from drift_guard.session import RunOptions

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext
    from drift_guard.review import Silenced
    from drift_guard.service import Service
    from drift_guard.session import Session
    from drift_guard.snapshot import ServiceSchemas


@dataclass
class RunResult:
    findings: list[Finding]
    files_scanned: int = 0
    services: list[str] = field(default_factory=list)
    # Codes that actually ran: a suppression or baseline entry for a code that
    # did not run (--select, --no-migrations) is not called unused or stale.
    active_codes: list[str] = field(default_factory=list)
    # Findings carry canonical absolute paths. Text, JSON and HTML show them
    # relative to ``run_dir``; GitHub, SARIF and baselines relative to
    # ``repository_root`` (the session's): the reporters never ask for the
    # current directory.
    repository_root: Path | None = None
    run_dir: Path = field(default_factory=Path.cwd)
    # What directives and the baseline kept out of ``findings``, with why: the
    # HTML report shows them apart (the other formats show what is left).
    silenced: list[Silenced] = field(default_factory=list)
    # Each service's layers side by side, only with ``run(collect_schemas=True)``
    # (the HTML report): the default path never builds them.
    schemas: list[ServiceSchemas] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.repository_root is None:
            from drift_guard.session import tree_root

            self.repository_root = tree_root(self.run_dir)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


def code_matches(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(p.strip().upper()) for p in prefixes if p.strip())


def run(
    paths: Sequence[Path],
    config: Config,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    options: RunOptions | None = None,
    collect_schemas: bool = False,
) -> RunResult:
    """``collect_schemas`` also keeps what each service's layers define (models,
    PyDAL, the migrated head) on ``RunResult.schemas``, for the HTML report."""
    from drift_guard.session import Session

    session = Session(config, options)
    with session.active(), session.sparing_the_collector():
        return _run(paths, session, select, ignore, collect_schemas)


def _run(
    paths: Sequence[Path], session: Session, select: Sequence[str], ignore: Sequence[str], collect_schemas: bool = False
) -> RunResult:
    from drift_guard.context import ServiceContext
    from drift_guard.discovery import discover_cached
    from drift_guard.suppressions import apply_suppressions

    config = session.config
    rules = selected_rules(tuple(select) or config.select, (*config.ignore, *ignore))
    if session.options.no_migrations:
        rules = [r for r in rules if "migrations" not in r.needs]
    early = _EarlyReplay.wanted(session, rules)
    services = discover_cached(paths, session, early)
    findings: list[Finding] = []
    scanned: set[Path] = set()
    schemas: list[ServiceSchemas] = []
    for service in services:
        ctx = ServiceContext(service, session)
        scanned.update(service.python_files)
        scanned.update(service.model_files)
        scanned.update(service.pydal_files)
        for item in _service_findings(ctx, rules, early):
            findings.append(replace(item, service=service.name))
        if collect_schemas:
            from drift_guard.snapshot import service_schemas

            schemas.append(service_schemas(ctx, migrations_ran=any("migrations" in r.needs for r in rules)))
    # Suppressions first, so a directive is judged on what the rules found, before
    # per-file ignores drop anything and with severity overrides applying to DG003.
    active = [r.code for r in rules]
    silenced: list[Silenced] = []
    findings = apply_suppressions(findings, sorted(scanned), active_codes=active, silenced=silenced)
    findings = _apply_config(findings, config, session.run_dir)
    unique = {(_identity(f)): f for f in findings}
    ordered = sorted(unique.values(), key=lambda f: f.sort_key)
    silenced = _silenced_with_config(silenced, config, session.run_dir)
    return RunResult(
        ordered,
        len(scanned),
        [s.name for s in services],
        active,
        session.repository_root,
        session.run_dir,
        silenced=silenced,
        schemas=schemas,
    )


def _service_findings(ctx: ServiceContext, rules: list[Rule], early: _EarlyReplay | None = None) -> list[Finding]:
    """The rules' findings for one service. Rules that read only file contents
    are answered from the cache while none of the files they read changed: one
    entry per group of rules that read the same layers (:func:`_rule_groups`),
    so editing a route module recomputes the runtime rules only, and a model
    edit leaves the runtime rules alone."""
    # In any order: each rule reads what it reports on (DG001 reads every input
    # itself), so no rule depends on another having run before it.
    ordered = [r for r in rules if r.check is not None and r.phase is Phase.CHECK]
    groups = _rule_groups([r for r in ordered if r.cacheable])
    base = [ctx.key(), [str(p) for p in ctx.blind_folders]]
    keys = [[*base, [r.code for r in group]] for group in groups]
    pending = [group for group, key in zip(groups, keys) if not ctx.session.is_cached("findings", key)]
    if any(_needs_migrations(group) for group in pending):
        _start_replay(ctx)  # in a worker, while the other groups read the models
    elif early is not None and early.started == ctx.service.root:
        early.withdraw()  # started during discovery, but the migration rules' findings are kept
    if _reads(pending, "pydal") and ctx.prefetch_pydal() and _reads(pending, "models"):
        ctx.models  # noqa: B018 - read here, while the worker reads the PyDAL layer
    by_code: dict[str, list[Finding]] = {}
    for group, key in zip(groups, keys):
        by_code.update(_group_findings(ctx, group, key))
    found = [item for info in ordered if info.code in by_code for item in by_code[info.code]]
    for info in ordered:
        if not info.cacheable:
            found.extend(info.check(ctx))  # type: ignore[misc]
    return found


def _rule_groups(rules: list[Rule]) -> list[list[Rule]]:
    """Rules grouped by what they read (``needs``): the rules of a group are
    computed and cached together. The migration rules come after the others
    (the replay runs in a worker meanwhile); the order is otherwise free."""
    groups: dict[tuple[bool, frozenset[str]], list[Rule]] = {}
    for info in rules:
        groups.setdefault((_needs_migrations([info]), info.needs), []).append(info)
    return [groups[k] for k in sorted(groups, key=lambda k: (k[0], sorted(k[1])))]


def _reads(groups: list[list[Rule]], layer: str) -> bool:
    return any(layer in r.needs for group in groups for r in group)


def _needs_migrations(group: list[Rule]) -> bool:
    return any("migrations" in r.needs for r in group)


def _group_findings(ctx: ServiceContext, group: list[Rule], key: list[object]) -> dict[str, list[Finding]]:
    """One group's findings per code, from the cache while the files its rules
    read are unchanged. The files that could not be read while computing them
    (DG001) are kept with them and reported to the session again on a hit, so
    the session's failures are the same whether or not a group was cached."""
    session = ctx.session

    def compute() -> tuple[list[list[Finding]], list[tuple[str, Problem]]]:
        before = dict(session.failures)
        _note_files_read_by_others(ctx, _needs_migrations(group))
        layers = frozenset().union(*(info.needs for info in group))
        if layers and layers <= _SCHEMAS:
            results = _from_schemas(ctx, group, key, sorted(layers))
        else:
            results = [list(info.check(ctx)) for info in group]  # type: ignore[misc]
        failed = [(str(path), problem) for path, problem in session.failures.items() if before.get(path) != problem]
        return results, failed

    keep = (lambda _: not _interrupted(ctx)) if _needs_migrations(group) else None
    results, failed = session.cached("findings", key, compute, keep=keep)
    for path, problem in failed:
        session.failures.setdefault(Path(path), problem)
    return {info.code: items for info, items in zip(group, results)}


_SCHEMAS = frozenset(("models", "pydal"))


def _from_schemas(ctx: ServiceContext, group: list[Rule], key: list[object], layers: list[str]) -> list[list[Finding]]:
    """The findings of rules that read schema layers only (``layers``), kept
    under the digests of the schemas (:func:`~drift_guard.context.schema_digest`)
    rather than the files they were read from: an edit of a layer's files that
    extracts the same schema (a comment, a method body) keeps them."""
    from drift_guard.context import schema_digest

    covered = ctx.layer_reads(*layers)
    digests = [schema_digest(getattr(ctx, layer), ctx.session) for layer in layers]
    compute = lambda: [list(info.check(ctx)) for info in group]  # type: ignore[misc]  # noqa: E731
    return ctx.session.cached("schema-findings", [*key, digests], compute, covered=covered)


def _interrupted(ctx: ServiceContext) -> bool:
    """Whether this run's replay timed out or died, or fell back to SQLite
    because the embedded PostgreSQL could not be used (DG210): its findings hold
    for this run only, so they are not kept."""
    report = ctx.computed("migrations")
    return bool(getattr(report, "interrupted", False) or getattr(report, "scratch_fallback", None))


class _EarlyReplay:
    """What discovery calls once it knows where a service's revisions are
    (:func:`~drift_guard.discovery.service.build_service`): the replay of the
    first service starts there, before its models are parsed. Only when
    discovery itself runs (a cold run, a file added): otherwise it is read back
    at once and :func:`_start_replay` starts the replay as early."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.asked = False
        self.started: Path | None = None  # the service whose replay started here
        self.withdraw: Callable[[], None] = lambda: None  # withdraws it (nothing once it was taken)

    @classmethod
    def wanted(cls, session: Session, rules: list[Rule]) -> _EarlyReplay | None:
        return cls(session) if any("migrations" in r.needs for r in rules) else None

    def __call__(self, service: Service) -> None:
        if self.asked:
            return  # one replay at a time: the next service's starts when its turn comes
        self.asked = True
        with self.session.untracked():  # what starting it reads is no input of discovery
            withdraw = _prefetch_replay(service, self.session)
        if withdraw is not None:
            self.started, self.withdraw = service.root, withdraw


def _start_replay(ctx: ServiceContext) -> None:
    """Start the default SQLite replay in a worker while the rules read the models."""
    # Started before the target dialect is known: that takes a scan of every
    # runtime module (2 s at 1,000 tables), and the replay is the longest part
    # of a cold run. For a PostgreSQL target it is withdrawn once that is known.
    withdraw = _prefetch_replay(ctx.service, ctx.session)
    if withdraw is not None and ctx.embedded_target() is not None:
        from drift_guard.migrations.embedded import missing

        if missing() is None:
            withdraw()  # replayed on the embedded PostgreSQL, not SQLite (a failed start replays SQLite then)


def _prefetch_replay(service: Service, session: Session) -> Callable[[], None] | None:
    """:func:`~drift_guard.migrations.head.prefetch` when the SQLite replay is
    the one this run may need; how to withdraw it, or None."""
    options = session.options
    if options.no_migrations or options.database_url or options.alembic_env:
        return None
    if service.alembic_ini is None or service.script_location is None or not is_dir(service.script_location):
        return None
    from drift_guard.discovery.revision_folders import external_migrations, version_locations
    from drift_guard.migrations.head import prefetch

    dirs, recursive = version_locations(service)
    if external_migrations(service, dirs) is not None:
        return None  # never run revisions from outside the repository (DG203 says why)
    return prefetch(service, dirs, recursive, session)


def _note_files_read_by_others(ctx: ServiceContext, migrations: bool = True) -> None:
    """Files that Alembic or configparser read (not through the session): the
    findings depend on them, so their content is part of what the cache checks
    (the history only for the rules that read it)."""
    service = ctx.service
    session = ctx.session
    for path in (service.alembic_ini, service.env_py):
        if path is not None:
            session.note(path)
    if migrations and service.alembic_ini is not None and not ctx.options.no_migrations:
        from drift_guard.discovery.revision_folders import version_locations
        from drift_guard.migrations.head import migration_inputs

        dirs, recursive = version_locations(service)
        for path in migration_inputs(service, dirs, recursive):
            session.note(path)


def _identity(item: Finding) -> tuple:
    return (item.code, item.location, item.table, item.column, item.message)


def _apply_config(findings: list[Finding], config: Config, run_dir: Path) -> list[Finding]:
    overrides = dict(config.severity)
    kept = []
    for item in findings:
        if _file_ignored(item, config.per_file_ignores, run_dir):
            continue
        if item.code in overrides:
            item = item.with_severity(overrides[item.code])
        kept.append(item)
    return kept


def _silenced_with_config(silenced: list[Silenced], config: Config, run_dir: Path) -> list[Silenced]:
    """Silenced findings as the report would have shown them: per-file ignores
    and severity overrides apply to them as to the others, once each."""
    kept = {(_identity(s.finding)): s for s in silenced}
    found = []
    for item in kept.values():
        shown = _apply_config([item.finding], config, run_dir)
        if shown:
            found.append(replace(item, finding=shown[0]))
    return sorted(found, key=lambda s: s.finding.sort_key)


def _file_ignored(item: Finding, per_file: Sequence[tuple[str, Sequence[str]]], run_dir: Path) -> bool:
    path = relative_path(item.location.path, run_dir)  # patterns are written as text shows paths
    for pattern, codes in per_file:
        if (fnmatchcase(path, pattern) or fnmatchcase(Path(path).name, pattern)) and code_matches(item.code, codes):
            return True
    return False


def failing(findings: Iterable[Finding], fail_on: Severity) -> bool:
    return any(f.severity.rank >= fail_on.rank for f in findings)
