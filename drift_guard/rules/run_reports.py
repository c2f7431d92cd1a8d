"""DG003 and DG004: reports about the run itself, produced after the checks.

The engine applies suppression directives (:mod:`drift_guard.suppressions`) and
baselines (:mod:`drift_guard.baseline`) to what the rules found; what those
leave over (a directive that silenced nothing, a baseline entry that no longer
occurs) is reported under these codes, registered here with the other rules so
their documentation, severity and metadata live in one registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, Phase, rule

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext


@rule("DG003", "unused-suppression", Severity.WARNING, group=Group.INPUTS, phase=Phase.RUN)
def unused_suppression(ctx: ServiceContext) -> Iterator[Finding]:
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
    return iter(())  # produced by apply_suppressions after all rules ran


@rule("DG004", "stale-baseline-entry", Severity.INFO, group=Group.INPUTS, phase=Phase.RUN)
def stale_baseline_entry(ctx: ServiceContext) -> Iterator[Finding]:
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
    return iter(())  # produced by apply_baseline, not by a service check
