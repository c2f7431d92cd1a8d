"""Rule registry.

A rule is a small function decorated with :func:`rule`; its docstring *is* the
user documentation printed by ``drift-guard rule CODE`` and must use the
headings "What it does", "Why is this bad?", "Example", "How to fix".
A rule reads a :class:`~drift_guard.context.ServiceContext` and yields findings
built with :func:`finding`, which fills in name and severity from the registry so
they can never disagree with the documentation.

Rule modules are imported lazily by :func:`load_rules` so that ``drift-guard
--version`` and friends do not pay for them.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from drift_guard.findings import Finding, Severity
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext

CheckFn = Callable[["ServiceContext"], Iterable[Finding]]

# Modules that register rules, in code order. Each is imported by load_rules().
RULE_MODULES = (
    "drift_guard.rules.inputs",  # DG0xx
    "drift_guard.rules.cross_layer",  # DG101-DG104, DG113, DG114
    "drift_guard.rules.column_aspects",  # DG105-DG108
    "drift_guard.rules.keys",  # DG109-DG111
    "drift_guard.rules.representation",  # DG112
    "drift_guard.rules.migrations",  # DG2xx
    "drift_guard.rules.runtime_safety",  # DG3xx
    "drift_guard.rules.layer_discipline",  # DG4xx
    "drift_guard.suppressions",  # DG003 (produced by the engine)
    "drift_guard.baseline",  # DG004 (produced by --baseline)
)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    doc: str
    check: CheckFn | None
    # False for rules that read more than file contents (DG306 lists *.table
    # files and asks git): they run every time, never answered from the cache.
    cacheable: bool = True

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, *, cacheable: bool = True) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as the check for ``code``."""

    def register(fn: CheckFn) -> CheckFn:
        if code in RULES:
            raise RuntimeError(f"rule {code} registered twice")
        RULES[code] = Rule(code, name, severity, inspect.cleandoc(fn.__doc__ or ""), fn, cacheable)
        return fn

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


def matches_a_rule(prefix: str) -> bool:
    """Whether a code or code prefix (``DG1``, ``DG103``, any case) selects at
    least one registered rule: ``--select DG9`` selecting nothing is a mistake."""
    wanted = prefix.strip().upper()
    return bool(wanted) and any(code.startswith(wanted) for code in load_rules())


_loaded = False


def load_rules() -> dict[str, Rule]:
    global _loaded
    if not _loaded:
        for module in RULE_MODULES:
            importlib.import_module(module)
        _loaded = True
    return RULES
