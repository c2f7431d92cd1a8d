"""What ``drift-guard fix`` prints: the diffs (``--diff``) or the files it
changed, then every finding it left for a hand edit, with the reason. The
command line escapes control characters in the whole text, as for ``config``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drift_guard.fix import FixResult


def render_fix(result: FixResult, *, diff: bool) -> str:
    from drift_guard.fix.write import unified_diff

    out: list[str] = []
    for change in result.changes:
        if diff:
            out.append(unified_diff(change.before, change.after, change.shown))
        else:
            out.append(f"fixed {change.shown} ({sum(len(e.codes) for e in change.edits)} finding(s))\n")
    shown = {h.location: h.location.shown_from(result.run_dir) for h in result.hand}
    for hand in sorted(result.hand, key=lambda h: (shown[h.location], h.code)):
        what = ".".join(filter(None, (hand.table, hand.column)))
        subject = f"{hand.code} {what}" if what else hand.code
        out.append(f"{shown[hand.location]}: {subject}: needs a hand edit: {hand.why}\n")
    verb = "would fix" if diff else "fixed"
    fixed = sum(len(edit.codes) for c in result.changes for edit in c.edits)
    out.append(f"drift-guard: {verb} {fixed} finding(s) in {len(result.changes)} file(s), {len(result.hand)} left\n")
    return "".join(out)
