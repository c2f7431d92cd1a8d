"""The HTML format: one self-contained file a tech lead can open from disk or a CI artifact.

No network: the CSS and the (vanilla) JavaScript are inlined from
``report_template.html``. Nothing from the checked code is ever written into the
markup: the run is one JSON document inside ``<script type="application/json">``
(with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so no name can close the
script element or start a comment), and the page builds its DOM from it with
``textContent``; a table called ``<script>`` is text.

The document is compact, because 1,000 tables and 5,000 findings must stay a few
MB and parse in well under a second: file paths are stored once (``paths``) and
referred to by index, a column cell is an array (see :func:`_cell`), and the
page renders a table's rows only when the table is opened.

Shape (version 1)::

    {"v": 1, "tool", "generated", "repository", "files", "paths": [...],
     "counts": {"error", "warning", "info"}, "rules": {code: [name, severity]},
     "services": [{"name", "dialects": [[scheme, source, at]], "headNote", "hasHead",
                   "tables": [{"key", "layers": {"m"|"p"|"h": [name, path, line]}, "partial",
                               "cols": [[key, model-cell, pydal-cell, head-cell]]}]}],
     "findings": [{"c" code, "s" severity, "m" message, "h" hint, "p" path, "l" line, "k" column,
                   "sv" service, "t" table, "cl" column, "st" state, "r" reason, "ra" reason-at,
                   "rel" [[path, line]], "at" [service, table, column (-1: the table), layers, aspect]}]}
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drift_guard.findings import Finding, Severity
from drift_guard.paths import relative_path
from drift_guard.schema import UNKNOWN, Column, Table

if TYPE_CHECKING:
    from drift_guard.engine import RunResult
    from drift_guard.review import Silenced
    from drift_guard.snapshot import ServiceSchemas

FORMAT_VERSION = 1
PLACEHOLDER = "__DRIFT_GUARD_REPORT_DATA__"
# Layers a finding's mark goes on (bits): model, PyDAL, migrations head.
MODEL, PYDAL, HEAD = 1, 2, 4
# The aspect of a column cell a rule is about, so the mark can point at it.
ASPECTS = {
    "DG105": "type",
    "DG112": "type",
    "DG113": "type",
    "DG106": "length",
    "DG107": "null",
    "DG108": "unique",
    "DG109": "ref",
    "DG111": "ref",
    "DG110": "key",
}
# Cross-layer codes about one layer's own text (an unknown PyDAL type): the other cell is not wrong.
PYDAL_ONLY = frozenset({"DG113"})
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def embed_json(document: object) -> str:
    """``document`` as JSON that is inert inside a ``<script>`` element: no
    ``</script>``, ``<!--`` or ``]]>`` can be formed, and JavaScript's line
    terminators U+2028/U+2029 are escaped (they are only ever inside strings)."""
    text = json.dumps(document, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    for char, escaped in _ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def render_html(result: RunResult, *, now: datetime | None = None) -> str:
    """The page for ``result`` (its ``schemas`` filled by ``run(collect_schemas=True)``
    for the side-by-side tables; without them the page lists the findings only)."""
    template = resources.files("drift_guard.report").joinpath("report_template.html").read_text(encoding="utf-8")
    before, after = template.split(PLACEHOLDER)
    return before + embed_json(report_data(result, now=now)) + after


def report_data(result: RunResult, *, now: datetime | None = None) -> dict[str, Any]:
    import drift_guard

    paths = _Paths(result.run_dir)
    services = [_service(view, paths) for view in result.schemas]
    index = _TableIndex(result.schemas, services)
    findings = [_finding(item, "active", "", None, paths, index) for item in result.findings]
    for silenced in result.silenced:
        findings.append(_silenced(silenced, paths, index, result.run_dir))
    rules: dict[str, list[str]] = {}
    for item in (*result.findings, *(s.finding for s in result.silenced)):
        rules.setdefault(item.code, [item.name, item.severity.value])
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "v": FORMAT_VERSION,
        "tool": f"drift-guard {drift_guard.__version__}",
        "generated": moment.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "repository": str(result.repository_root) if result.repository_root is not None else "",
        "runDir": str(result.run_dir),
        "files": result.files_scanned,
        "serviceNames": list(result.services),
        "counts": {s.value: result.count(s) for s in Severity},
        "rules": dict(sorted(rules.items())),
        "services": services,
        "findings": findings,
        "paths": paths.names,
    }


class _Paths:
    """Each file path once, shown relative to the run directory ``base`` (as
    the text report shows it); records refer to it by index."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.names: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, path: str) -> int:
        found = self._index.get(path)
        if found is None:
            found = self._index[path] = len(self.names)
            self.names.append(relative_path(path, self.base))
        return found


def _value(value: object) -> object:
    """JSON for a maybe-unknown value: ``"?"`` for UNKNOWN, 1/0 for booleans."""
    if value is UNKNOWN:
        return "?"
    if isinstance(value, bool):
        return int(value)
    return value


def _cell(column: Column | None, paths: _Paths) -> list | None:
    """``[type, length, nullable, default, unique, key, reference, path, line]``."""
    if column is None:
        return None
    ctype = column.type
    length: object = ctype.length
    if length is None and ctype.precision is not None:
        precision, scale = _value(ctype.precision), _value(ctype.scale)
        length = precision if scale is None else f"{precision},{scale}"
    default = column.server_default if column.server_default is not None else column.default
    if column.server_default is not None and column.default is not None:
        default = f"{column.default} (server: {column.server_default})"
    fk = column.foreign_key
    reference = None
    if fk is not None:
        reference = f"{fk.table}.{fk.column or 'id'}"
        if fk.ondelete:
            reference += f" ON DELETE {fk.ondelete}"
        if fk.onupdate:
            reference += f" ON UPDATE {fk.onupdate}"
    return [
        ctype.spelled,
        _value(length),
        _value(column.nullable),
        default,
        _value(column.unique),
        int(column.primary_key),
        reference,
        paths(column.location.path),
        column.location.line,
    ]


def _where(table: Table, paths: _Paths) -> list:
    return [table.name, paths(table.location.path), table.location.line]


def _service(view: ServiceSchemas, paths: _Paths) -> dict[str, Any]:
    head = {t.key: t for t in view.head.tables} if view.head is not None else {}
    tables = []
    seen = set()
    for pair in view.pairs:
        seen.add(pair.key)
        tables.append(_table(pair.key, pair.model, pair.pydal, head.get(pair.key), paths))
    for key in sorted(set(head) - seen):
        tables.append(_table(key, None, None, head[key], paths))
    return {
        "name": view.name,
        "dialects": [[t.scheme, t.source, str(t.location) if t.location is not None else ""] for t in view.dialects],
        "hasHead": view.head is not None,
        "headNote": view.head_note,
        "tables": tables,
    }


def _table(key: str, model: Table | None, pydal: Table | None, head: Table | None, paths: _Paths) -> dict[str, Any]:
    layers = {}
    columns: dict[str, list] = {}
    for slot, table in ((1, model), (2, pydal), (3, head)):
        if table is None:
            continue
        layers["mph"[slot - 1]] = _where(table, paths)
        for column in table.columns:
            row = columns.setdefault(column.key, [column.name, None, None, None])
            if row[slot] is None:  # the first definition, as pairing does
                row[slot] = _cell(column, paths)
    ordered = _column_order(columns, model, pydal, head)
    return {
        "key": key,
        "layers": layers,
        "partial": any(t is not None and t.partial for t in (model, pydal)),
        "cols": [columns[k] for k in ordered],
    }


def _column_order(columns: dict[str, list], *tables: Table | None) -> list[str]:
    """Source order: the model's, then columns the others add, as they define them."""
    ordered: dict[str, None] = {}
    for table in tables:
        if table is not None:
            for column in table.columns:
                ordered.setdefault(column.key)
    return [k for k in ordered if k in columns]


class _TableIndex:
    """Where a finding's table and column are shown: (service, table, column) indexes."""

    def __init__(self, views: list[ServiceSchemas], services: list[dict[str, Any]]) -> None:
        self.services = {view.name: n for n, view in enumerate(views)}
        self.views = views
        self.tables: list[dict[str, int]] = []
        self.columns: list[list[dict[str, int]]] = []
        for view, service in zip(views, services):
            names: dict[str, int] = {}
            for n, table in enumerate(service["tables"]):
                names.setdefault(table["key"], n)
                for name, _, _ in table["layers"].values():
                    names.setdefault(name.lower(), n)
            for pair in view.pairs:  # a PyDAL table mapped onto a model table (table-map)
                if pair.pydal is not None and pair.pydal.symbol:
                    names.setdefault(pair.pydal.symbol.lower(), names[pair.key])
            self.tables.append(names)
            self.columns.append([{col[0].lower(): c for c, col in enumerate(t["cols"])} for t in service["tables"]])

    def place(self, item: Finding) -> list | None:
        service = self.services.get(item.service or "")
        if service is None or item.table is None:
            return None
        table = self.tables[service].get(item.table.lower())
        if table is None:
            return None
        column = -1
        if item.column is not None:
            column = self.columns[service][table].get(item.column.lower(), -1)
        return [service, table, column, self._layers(item, self.views[service]), ASPECTS.get(item.code, "")]

    @staticmethod
    def _layers(item: Finding, view: ServiceSchemas) -> int:
        """The cells that disagree: both sides of a cross-layer rule, the model
        and the head for a migration rule, else the layers its locations are in."""
        if item.code in PYDAL_ONLY:
            return PYDAL
        if item.code.startswith("DG1") and item.code != "DG114":
            return MODEL | PYDAL
        if item.code.startswith("DG2"):
            return MODEL | HEAD
        bits = 0
        for loc in (item.location, *item.related):
            if loc.path in view.model_files:
                bits |= MODEL
            elif loc.path in view.pydal_files:
                bits |= PYDAL
            elif any(loc.path.startswith(folder.rstrip("/") + "/") for folder in view.migration_dirs):
                bits |= HEAD
        return bits or MODEL | PYDAL


def _finding(
    item: Finding, state: str, reason: str, reason_at: str | None, paths: _Paths, index: _TableIndex
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "c": item.code,
        "s": item.severity.value,
        "m": item.message,
        "h": item.hint,
        "p": paths(item.location.path),
        "l": item.location.line,
        "k": item.location.column,
        "sv": item.service or "",
        "t": item.table,
        "cl": item.column,
        "st": state,
    }
    if reason or reason_at:
        record["r"] = reason
        record["ra"] = reason_at
    if item.related:
        record["rel"] = [[paths(r.path), r.line] for r in item.related]
    place = index.place(item)
    if place is not None:
        record["at"] = place
    return record


def _silenced(silenced: Silenced, paths: _Paths, index: _TableIndex, base: Path) -> dict[str, Any]:
    where = str(silenced.where.shown_from(base)) if silenced.where is not None else None
    return _finding(silenced.finding, silenced.how, silenced.reason, where, paths, index)
