"""The JSON format: a stable shape that other tools read (``"version": 1``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from drift_guard.findings import Finding, Severity
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.engine import RunResult


def _location(loc: Location) -> dict:
    return {"path": loc.path, "line": loc.line, "column": loc.column}


def finding_to_dict(item: Finding) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "severity": item.severity.value,
        "message": item.message,
        "hint": item.hint,
        "table": item.table,
        "column": item.column,
        "location": _location(item.location),
        "related": [_location(r) for r in item.related],
    }


def render_json(result: RunResult) -> str:
    from drift_guard.report.shown import shown_from

    document = {
        "version": 1,
        "findings": [finding_to_dict(f) for f in shown_from(result.findings, result.run_dir)],
        "summary": {
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
            "infos": result.count(Severity.INFO),
            "files_scanned": result.files_scanned,
            "services": len(result.services),
        },
    }
    return json.dumps(document, indent=2) + "\n"
