"""What the post-phase rules read: the run's own bookkeeping, once the checks are done.

DG003 (a suppression that silenced nothing) and DG004 (a baseline entry that
matched nothing) report on the run itself. The suppression and baseline steps
only record what they matched, in a :class:`RunReview`; the post-phase rules
read it and report, so their logic lives in rules like every other rule's
instead of being a side effect of the steps that silence findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from drift_guard.findings import Finding
from drift_guard.schema import Location


@dataclass(frozen=True)
class Suppression:
    """One ``# drift-guard: ignore`` directive. ``codes`` is None for a bare
    ``ignore`` (every code)."""

    location: Location
    codes: tuple[str, ...] | None
    reason: str = ""

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


@dataclass(frozen=True)
class DirectiveUse:
    """A directive of a scanned file and the codes it silenced in this run."""

    suppression: Suppression
    used: frozenset[str]


@dataclass(frozen=True)
class StaleEntry:
    """A baseline entry (or part of its count) that matched no finding of this run."""

    code: str
    service: str | None
    table: str | None
    column: str | None
    message: str | None
    unused: int
    count: int
    location: Location  # the entry's line in the baseline file
    shown: str = ""  # the baseline file as the command line names it (relative to the run directory)


@dataclass(frozen=True)
class RunReview:
    """What one step of the run recorded for the post-phase rules.

    ``active_codes`` are the codes that ran (None: every rule): a directive or
    entry for a code that did not run is neither used nor unused."""

    directives: tuple[DirectiveUse, ...] = ()
    stale_entries: tuple[StaleEntry, ...] = ()
    active_codes: frozenset[str] | None = None


@dataclass(frozen=True)
class Silenced:
    """A finding that a directive or the baseline kept out of the results, and
    why: the HTML report shows these apart, so a reviewer sees what was accepted
    and on whose word (the directive's reason text, the baseline file)."""

    finding: Finding
    how: str  # "suppressed" | "baselined"
    reason: str  # the directive's text after ``--`` (may be empty), or "in baseline FILE"
    where: Location | None = None  # the directive's or the baseline entry's line
