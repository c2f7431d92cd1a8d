"""SARIF 2.1.0 for GitHub code scanning and any other SARIF viewer.

Shape decisions, each for a viewer that reads it:

* every registered rule is listed (not only those that fired), so a viewer can
  show the documentation of a rule whose alerts were all fixed;
* artifact URIs are relative to the repository root (the nearest folder up
  from the run directory holding ``.git``; the run directory when there is
  none) with ``uriBaseId: "%SRCROOT%"``, so GitHub maps them to files in the
  repository also when the gate runs in a service folder
  (``working-directory: services/api``);
* ``relatedLocations`` carry the other layer's definition (the model column
  for a PyDAL finding and the other way round);
* ``partialFingerprints`` hash what the finding is *about* (the same key as the
  baseline: code, service, table, column, plus the message for table-less
  findings), never a line number, so moving code does not open a new alert.

The output validates against the official OASIS schema (tests/data/sarif).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import drift_guard
from drift_guard.findings import Finding, Severity
from drift_guard.paths import relative_path
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.engine import RunResult
    from drift_guard.rules import Rule

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "driftGuardFinding/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_HEADING = re.compile(r"^#+\s*(.+?)\s*$")


def render_sarif(result: RunResult) -> str:
    root, base = result.repository_root, result.run_dir
    rules = _all_rules(result.findings)
    index = {info.code: i for i, info in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "drift-guard",
                "version": drift_guard.__version__,
                "semanticVersion": drift_guard.__version__,
                "rules": [rule_descriptor(info) for info in rules],
            }
        },
        "invocations": [{"executionSuccessful": True}],
        "columnKind": "unicodeCodePoints",
        "results": [sarif_result(item, index[item.code], root, base) for item in result.findings],
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def _all_rules(findings: list[Finding]) -> list[Rule]:
    """Every registered rule in code order, plus any code a finding carries that
    is not registered (so ``ruleIndex`` can never point nowhere)."""
    from drift_guard.rules import Rule, load_rules

    rules = dict(load_rules())
    for item in findings:
        if item.code not in rules:
            rules[item.code] = Rule(item.code, item.name, item.severity, "", None)
    return [rules[code] for code in sorted(rules)]


def rule_descriptor(info: Rule) -> dict:
    doc = info.doc.strip() or info.name
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": _section(doc, "What it does") or info.summary},
        "help": {"text": doc, "markdown": f"# {info.code} {info.name}\n\n{doc}"},
        "defaultConfiguration": {"level": LEVELS[info.severity]},
        "properties": {"tags": ["schema-drift", info.group]},
    }


def _section(doc: str, heading: str) -> str:
    """The text under a Markdown ``heading`` of a rule docstring, joined into
    one paragraph (a full description is shown as plain text)."""
    body: list[str] = []
    inside = False
    for line in doc.splitlines():
        match = _HEADING.match(line)
        if match:
            if inside:
                break
            inside = match.group(1).lower() == heading.lower()
            continue
        if inside and line.strip():
            body.append(line.strip())
    return " ".join(body)


def artifact_uri(path: str, root: Path | None = None, base: Path | None = None) -> dict:
    """A location's canonical path inside ``root`` (the repository root)
    becomes relative to it with ``%SRCROOT%``; a path outside becomes a
    ``file:`` URI. ``base`` (the run directory) places a location that names
    no file but a folder relative to it (a service name)."""
    posix = path.replace("\\", "/")
    if root is not None:
        # canonical paths are absolute already (a symlink decided once); a
        # name standing for a location is taken from the run directory
        absolute = path if os.path.isabs(path) else str(((base or root) / path).resolve())
        posix = relative_path(absolute, root)
    if posix.startswith("/") or re.match(r"^[A-Za-z]:/", posix):
        return {"uri": "file://" + quote(posix if posix.startswith("/") else "/" + posix)}
    return {"uri": quote(posix), "uriBaseId": SRCROOT}


def _physical(loc: Location, root: Path | None, base: Path | None = None) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": artifact_uri(loc.path, root, base),
            "region": {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)},
        }
    }


def fingerprint(item: Finding, root: Path | None = None, base: Path | None = None) -> str:
    """Hash of the baseline key; with ``root`` the service folder in it is
    relative to the repository root, so the run directory does not change it."""
    from drift_guard.baseline import finding_key, service_key

    code, service, table, column, message = finding_key(item)
    key = (code, service_key(service, root, base), table, column, message)
    text = "\x1f".join("" if part is None else str(part) for part in key)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sarif_result(item: Finding, rule_index: int, root: Path | None = None, base: Path | None = None) -> dict:
    text = item.message if not item.hint else f"{item.message}\nHint: {item.hint}"
    result: dict = {
        "ruleId": item.code,
        "ruleIndex": rule_index,
        "level": LEVELS[item.severity],
        "message": {"text": text},
        "locations": [_physical(item.location, root, base)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(item, root, base)},
        "properties": {
            key: value
            for key, value in (("service", item.service), ("table", item.table), ("column", item.column))
            if value is not None
        },
    }
    related: list[dict] = []
    for loc in dict.fromkeys(item.related):  # relatedLocations must be unique
        if loc == item.location:
            continue
        entry = _physical(loc, root, base)
        entry["id"] = len(related) + 1
        entry["message"] = {"text": "related definition (the other layer)"}
        related.append(entry)
    if related:
        result["relatedLocations"] = related
    return result
