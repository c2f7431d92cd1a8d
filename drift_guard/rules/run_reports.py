"""DG003 and DG004: post-phase rules, reports about the run itself.

Suppression directives (:mod:`drift_guard.suppressions`) and baselines
(:mod:`drift_guard.baseline`) are applied to what the check-phase rules found;
each step records what it matched in a :class:`~drift_guard.review.RunReview`.
These rules read that review and report what was left over: a directive that
silenced nothing, a baseline entry that no longer occurs.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, Phase, load_rules, rule

if TYPE_CHECKING:
    from drift_guard.review import DirectiveUse, RunReview, StaleEntry


@rule("DG003", "unused-suppression", Severity.WARNING, group=Group.INPUTS, phase=Phase.POST)
def unused_suppression(review: RunReview) -> Iterator[Finding]:
    """A `# drift-guard: ignore` comment that silences nothing.

    ## What it does
    Reports each suppression directive (or each code listed in one) that did not
    match any finding on its line, neither as the reported line nor as a related
    line of a finding.

    ## Why is this bad?
    A stale suppression hides the next real drift on that line: once the
    original problem is fixed, the comment silently swallows whatever comes next.

    ## Example
    ```python
    Field("email", "string", length=255),  # drift-guard: ignore[DG104] -- fixed long ago
    ```

    ## Use instead
    ```python
    Field("email", "string", length=255),  # the drift it silenced is fixed: no comment
    ```

    ## How to fix
    Delete the comment, or remove the codes that no longer fire from its list.
    """
    active = review.active_codes
    for usage in review.directives:
        found = _unused(usage, active)
        if found is not None:
            yield found


def _checkable_codes() -> set[str]:
    """Codes a service check can produce (not the post-phase reports themselves)."""
    return {code for code, info in load_rules().items() if info.phase is Phase.CHECK}


def _unused(usage: DirectiveUse, active: frozenset[str] | None) -> Finding | None:
    directive = usage.suppression
    if directive.codes is None:
        # A bare directive covers every code: it is only provably unused when
        # every rule ran (not under --select/ignore), else we would guess.
        if usage.used or (active is not None and not active.issuperset(_checkable_codes())):
            return None
        message = "unused suppression: `# drift-guard: ignore` silences no finding on this line"
    else:
        unknown = [c for c in directive.codes if c not in load_rules()]
        if unknown:  # a typo (DG1O3) silences nothing, whatever ran
            message = f"unknown rule code {', '.join(unknown)} in suppression (`drift-guard rules` lists them)"
            return unused_suppression.finding(message, "fix the code, or delete the comment", directive.location)
        unused = [c for c in directive.codes if c not in usage.used and (active is None or c in active)]
        if not unused:
            return None
        message = f"unused suppression: no {', '.join(unused)} finding on this line"
    return unused_suppression.finding(
        message, "delete the comment, or remove the codes that no longer fire", directive.location
    )


@rule("DG004", "stale-baseline-entry", Severity.INFO, group=Group.INPUTS, phase=Phase.POST)
def stale_baseline_entry(review: RunReview) -> Iterator[Finding]:
    """A baseline entry whose finding no longer occurs.

    ## What it does
    With `drift-guard check --baseline FILE`, reports each entry of the baseline
    file that matched no current finding, at the entry's line in the file.

    ## Why is this bad?
    A baseline should only shrink. An entry for drift that was fixed would hide
    the same drift if it came back later.

    ## Example
    ```json
    {"code": "DG103", "column": "email", "count": 1, "service": "services/api", "table": "users"}
    ```
    after `users.email` was added to the PyDAL table.

    ## Use instead
    ```text
    drift-guard baseline baseline.json     # re-written: the fixed entry is gone
    ```

    ## How to fix
    Re-write the baseline with `drift-guard baseline FILE` (review the diff: it
    should only remove entries).
    """
    for entry in review.stale_entries:
        yield _stale(entry)


def _stale(entry: StaleEntry) -> Finding:
    subject = ".".join(part for part in (entry.table, entry.column) if part) or repr(entry.message)
    scope = f" in {entry.service}" if entry.service else ""
    times = f" ({entry.unused} of {entry.count} recorded occurrences)" if entry.count > 1 else ""
    return stale_baseline_entry.finding(
        f"baseline entry no longer occurs: {entry.code} {subject}{scope}{times}",
        f"re-run `drift-guard baseline {shlex.quote(entry.shown or entry.location.path)}` to drop fixed entries",
        entry.location,
    )
