"""Rule registry.

A rule is a small function decorated with :func:`rule`; its docstring *is* the
user documentation printed by ``drift-guard rule CODE`` and must use the
headings "What it does", "Why is this bad?", "Example", "How to fix".
A check-phase rule reads a :class:`~drift_guard.context.ServiceContext` and yields
findings built with its own ``finding`` constructor, which fills in code, name and
severity from the registry so they can never disagree with the documentation. A
post-phase rule reads a :class:`~drift_guard.review.RunReview` instead: what the
suppression and baseline steps matched once every service was checked.

Rule modules (every module of this package, found by :func:`rule_modules`) are
imported lazily by :func:`load_rules` so that ``drift-guard --version`` and
friends do not pay for them. A rule declares what it is about (``group``), what
it reads (``needs``) and when it runs (``phase``); the engine, ``--no-migrations``,
SARIF's rule families and suppressions read that metadata, never code prefixes.
"""

from __future__ import annotations

import enum
import functools
import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext
    from drift_guard.review import RunReview

# A check-phase rule reads a ServiceContext, a post-phase rule a RunReview.
CheckFn = Callable[[Any], Iterable[Finding]]


class Group:
    """What a rule is about: SARIF's rule families and the docs read it (instead
    of reading meaning into code prefixes). A group is any kebab-case name, so a
    new group of rules is a new module and nothing else; these are today's."""

    INPUTS = "inputs"  # files or constructs that could not be read
    CROSS_LAYER = "cross-layer"  # SQLAlchemy models vs PyDAL tables
    MIGRATIONS = "migrations"  # models vs Alembic history, the revision graph
    RUNTIME = "runtime"  # what PyDAL will do at run time
    LAYERING = "layering"  # which layer does what


class Phase(str, enum.Enum):
    CHECK = "check"  # reads one service and reports; the rules of a service run in any order
    POST = "post"  # reads the run's review once every service is checked (DG003, DG004)


# What a rule reads; a run that cannot provide one (``--no-migrations``) leaves
# the rules that need it out.
NEEDS = frozenset({"models", "pydal", "migrations", "runtime"})
_KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    doc: str
    check: CheckFn | None
    group: str = Group.INPUTS
    needs: frozenset[str] = frozenset()
    phase: Phase = Phase.CHECK
    # False for rules that read more than file contents (DG306 lists *.table
    # files and asks git): they run every time, never answered from the cache.
    cacheable: bool = True

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name


RULES: dict[str, Rule] = {}


class RuleCheck:
    """A registered rule's check function, with its own finding constructor:
    ``yield column_type_mismatch.finding(message, hint, location, ...)``. The
    code, name and severity come from the registration, so a rule body never
    repeats its own code (and can never report under another rule's)."""

    def __init__(self, code: str, fn: CheckFn) -> None:
        self.code = code
        self._fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, ctx: ServiceContext | RunReview) -> Iterable[Finding]:
        return self._fn(ctx)

    def finding(
        self,
        message: str,
        hint: str,
        location: Location,
        *,
        table: str | None = None,
        column: str | None = None,
        related: Iterable[Location | None] = (),
        severity: Severity | None = None,
    ) -> Finding:
        return finding(
            self.code, message, hint, location, table=table, column=column, related=related, severity=severity
        )


FindingMaker = Callable[..., Finding]  # a RuleCheck's ``finding``, handed to shared helpers


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    group: str,
    needs: Iterable[str] = (),
    phase: Phase = Phase.CHECK,
    cacheable: bool = True,
) -> Callable[[CheckFn], RuleCheck]:
    """Register ``fn`` as the check for ``code``, with the metadata the engine,
    selection and the reports read."""
    wanted = frozenset(needs)
    if not _KEBAB.fullmatch(group):
        raise ValueError(f"rule {code}: group {group!r} is not a kebab-case name")
    if wanted - NEEDS:
        raise ValueError(f"rule {code}: unknown needs {sorted(wanted - NEEDS)}")

    def register(fn: CheckFn) -> RuleCheck:
        if code in RULES:
            raise RuntimeError(f"rule {code} registered twice")
        doc = inspect.cleandoc(fn.__doc__ or "")
        check = RuleCheck(code, fn)
        RULES[code] = Rule(
            code, name, severity, doc, check, group=group, needs=wanted, phase=Phase(phase), cacheable=cacheable
        )
        return check

    return register


def finding(
    code: str,
    message: str,
    hint: str,
    location: Location,
    *,
    table: str | None = None,
    column: str | None = None,
    related: Iterable[Location | None] = (),
    severity: Severity | None = None,
) -> Finding:
    """Build a finding for a registered rule (``severity`` overrides the default,
    for rules whose severity depends on the case, e.g. DG114). Credentials in
    URLs the message or hint quotes are masked here, once for every format."""
    from drift_guard.credentials import mask_credentials

    info = RULES[code]
    return Finding(
        code=code,
        name=info.name,
        severity=severity or info.severity,
        message=mask_credentials(message),
        hint=mask_credentials(hint),
        location=location,
        table=table.lower() if table else None,
        column=column.lower() if column else None,
        related=tuple(loc for loc in related if loc is not None),
    )


def rule_modules() -> list[str]:
    """Every module of this package: adding a rule, or a group of rules, is
    adding a module here (and its ``tests/rules/<CODE>/`` cases), nothing else."""
    return sorted(f"{__name__}.{info.name}" for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def matches_a_rule(prefix: str) -> bool:
    """Whether a code or code prefix (``DG1``, ``DG103``, any case) selects at
    least one registered rule: ``--select DG9`` selecting nothing is a mistake."""
    wanted = prefix.strip().upper()
    return bool(wanted) and any(code.startswith(wanted) for code in load_rules())


def selected_rules(select: Iterable[str], ignore: Iterable[str]) -> list[Rule]:
    """Rules whose code starts with a ``select`` prefix (all when empty) and no
    ``ignore`` prefix; the longer matching prefix wins, as in ruff."""
    select, ignore = list(select), list(ignore)
    chosen = []
    for code, info in sorted(load_rules().items()):
        sel = max((len(p) for p in select if code.startswith(p.upper())), default=0 if select else 1)
        ign = max((len(p) for p in ignore if code.startswith(p.upper())), default=0)
        if sel and sel > ign:
            chosen.append(info)
    return chosen


def post_findings(review: RunReview) -> Iterator[Finding]:
    """The post-phase rules' findings on one step's review, for the rules that
    ran (``review.active_codes``; all when None), in code order."""
    active = review.active_codes
    for code, info in sorted(load_rules().items()):
        if info.phase is Phase.POST and info.check is not None and (active is None or code in active):
            yield from info.check(review)


_loaded = False


def load_rules() -> dict[str, Rule]:
    global _loaded
    if not _loaded:
        for module in rule_modules():
            importlib.import_module(module)
        _loaded = True
    return RULES
