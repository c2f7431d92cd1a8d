"""Baselines: adopt drift-guard on a drifted codebase and fail only on new drift.

``drift-guard baseline FILE`` records the current findings; ``drift-guard check
--baseline FILE`` drops findings recorded there. An entry is keyed by *what*
the finding is about, ``(code, service, table, column)`` (plus the message
when the finding is not about a table), never by a line number, so editing a
file does not invalidate the baseline. Each entry has a ``count``: two
findings with the same key need two recorded occurrences, so a second copy of
a known problem is still reported as new.

Entries that no longer occur are reported as DG004 ``stale-baseline-entry``
(info, pointing at the entry's line in the baseline file) so the baseline
shrinks as drift is fixed: re-run ``drift-guard baseline FILE`` to drop them.
"""

from __future__ import annotations

import json
import shlex
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Collection

import drift_guard
from drift_guard.errors import InputError
from drift_guard.findings import Finding
from drift_guard.paths import canonical_path, display_path
from drift_guard.review import RunReview, Silenced, StaleEntry
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.engine import RunResult

FORMAT_VERSION = 1
Key = tuple  # (code, service, table, column, message-or-None)


def finding_key(item: Finding) -> Key:
    """The identity of a finding across edits (shared with SARIF fingerprints)."""
    message = item.message if item.table is None else None
    return (item.code, item.service, item.table, item.column, message)


def service_key(service: str | None, root: Path | None, base: Path | None = None) -> str | None:
    """A service folder relative to ``root`` (the run's repository root, or
    its configuration root outside a repository) instead of the run directory
    ``base``, so a baseline written at the root still matches a run in a
    service folder (and the other way round). Configured names that are not
    folders stay as the engine named them."""
    if service is None or root is None:
        return service
    folder = Path(service)
    if not folder.is_absolute():
        folder = (base or root) / folder
    if not folder.is_dir():
        return service
    return display_path(folder, root)


def _key(item: Finding, repo: Path | None, run_dir: Path) -> Key:
    code, service, table, column, message = finding_key(item)
    return (code, service_key(service, repo, run_dir), table, column, message)


def _entry(key: Key, count: int, sample: Finding, run_dir: Path) -> dict:
    code, service, table, column, message = key
    return {
        "code": code,
        "service": service,
        "table": table,
        "column": column,
        # Matched only when table is null; otherwise kept so a reader knows what it was.
        "message": message if message is not None else sample.message,
        "count": count,
        "location": str(sample.location.shown_from(run_dir)),  # informational: never matched
    }


def write_baseline(result: RunResult, path: Path) -> int:
    """Write every finding of ``result`` to ``path``; return how many findings
    were recorded. One entry per line so DG004 can point at a line."""
    counts: Counter = Counter()
    samples: dict[Key, Finding] = {}
    repo = result.repository_root
    for item in result.findings:
        if item.code == "DG004":
            continue
        key = _key(item, repo, result.run_dir)
        counts[key] += 1
        samples.setdefault(key, item)
    keys = sorted(counts, key=lambda k: tuple("" if part is None else part for part in k))
    lines = [json.dumps(_entry(k, counts[k], samples[k], result.run_dir), sort_keys=True) for k in keys]
    body = ",\n    ".join(lines)
    text = (
        "{\n"
        f'  "version": {FORMAT_VERSION},\n'
        f'  "tool": "drift-guard {drift_guard.__version__}",\n'
        f'  "entries": [{chr(10) + "    " + body + chr(10) + "  " if lines else ""}]\n'
        "}\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return sum(counts.values())


def _load(path: Path, run_dir: Path) -> list[tuple[Key, int, int]]:
    """``(key, count, line)`` per entry; a missing or malformed file is an
    InputError (exit 2), never an empty baseline that would hide nothing."""
    shown = display_path(path, run_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"baseline file not found; create it with `drift-guard baseline {shlex.quote(shown)}`", shown
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read baseline file: {exc}", shown) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", f"{shown}:{exc.lineno}:{exc.colno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise InputError('not a drift-guard baseline (expected an object with an "entries" list)', shown)
    lines = _entry_lines(text, len(data["entries"]))
    return [_parse_entry(raw, shown, line) for raw, line in zip(data["entries"], lines)]


def _entry_lines(text: str, count: int) -> list[int]:
    """Line of each entry when the file is one entry per line (as written);
    line 1 for all when it was reformatted."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith('{"')]
    return found if len(found) == count else [1] * count


def _parse_entry(raw: object, shown: str, line: int) -> tuple[Key, int, int]:
    if not isinstance(raw, dict) or not isinstance(raw.get("code"), str):
        raise InputError('baseline entry without a "code"', f"{shown}:{line}")
    fields = [raw.get(name) for name in ("service", "table", "column", "message")]
    if not all(value is None or isinstance(value, str) for value in fields):
        raise InputError("baseline entry fields must be strings or null", f"{shown}:{line}")
    service, table, column, message = fields
    count = raw.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise InputError('baseline "count" must be a positive integer', f"{shown}:{line}")
    key = (raw["code"].upper(), service, table, column, message if table is None else None)
    return key, count, line


def apply_baseline(result: RunResult, path: Path, *, active_codes: Collection[str] | None = None) -> RunResult:
    """Drop findings recorded in the baseline at ``path``; add what the
    post-phase rules report on the entries (DG004: one info finding for every
    entry, or part of a count, that no longer occurs, when DG004 ran).

    "No longer occurs" is only known for what this run checked: an entry of a
    service outside the run (``check services/a`` with a repository-wide
    baseline) or of a rule that did not run (``active_codes``, from
    ``--select``/``--ignore``/``--no-migrations``) is neither used nor stale.
    """
    repo = result.repository_root
    services = {service_key(name, repo, result.run_dir) for name in result.services} | set(result.services)
    entries = [entry for entry in _load(path, result.run_dir) if _checked(entry[0], services, active_codes)]
    remaining: Counter = Counter()
    for key, count, _ in entries:
        remaining[key] += count
    shown = display_path(path, result.run_dir)  # in prose
    where_file = canonical_path(path, repo or result.run_dir)  # in locations
    entry_line: dict[Key, int] = {}
    for key, _, line in entries:
        entry_line.setdefault(key, line)
    kept: list[Finding] = []
    dropped: list[Silenced] = []
    for item in result.findings:
        # The repository-relative key, else the run-directory one that
        # baselines written before (or outside a repository) recorded.
        for key in (_key(item, repo, result.run_dir), finding_key(item)):
            if remaining[key] > 0:
                remaining[key] -= 1
                dropped.append(
                    Silenced(item, "baselined", f"in baseline {shown}", Location(where_file, entry_line[key]))
                )
                break
        else:
            kept.append(item)
    stale = []
    for key, count, line in entries:
        unused = min(remaining[key], count)
        if unused > 0:
            remaining[key] -= unused
            code, service, table, column, message = key
            where = Location(where_file, line, 1)
            stale.append(StaleEntry(code, service, table, column, message, unused, count, where, shown))
    from drift_guard.rules import post_findings

    active = None if active_codes is None else frozenset(active_codes)
    kept.extend(post_findings(RunReview(stale_entries=tuple(stale), active_codes=active)))
    kept.sort(key=lambda f: f.sort_key)
    # Kept, with the file they are recorded in, for the reports that show what was accepted (HTML).
    return replace(result, findings=kept, silenced=[*result.silenced, *dropped])


def _checked(key: Key, services: set[str | None], active_codes: Collection[str] | None) -> bool:
    code, service = key[0], key[1]
    if active_codes is not None and code not in active_codes:
        return False
    return service is None or not services or service in services
