"""Validate a parsed ``[tool.drift_guard]`` table into a frozen Config.

Split from :mod:`drift_guard.config` so that module stays about *finding* the
configuration. Every error names the key, what was expected and what was found,
located at the key's line in the TOML text (tomllib gives values, not
positions, so a line scan finds the key; see :func:`locate`).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Callable, Sequence

from drift_guard.config.model import DIALECTS, SCRATCHES, Config, ServiceConfig
from drift_guard.errors import ConfigError
from drift_guard.findings import Severity

Key = tuple[Any, ...]  # path of segments below [tool.drift_guard]: ("services", 0, "path")
_PREFIX = re.compile(r"^DG\d{0,3}$")
_CODE = re.compile(r"^DG\d{3}$")


class _Checker:
    """Type checks that raise a located ConfigError."""

    def __init__(self, text: str, source: Path, rule_codes: frozenset[str] | None = None) -> None:
        from drift_guard.paths import display_path

        self.text = text
        self.shown = display_path(source, Path.cwd())  # no run yet: shown from where it was started
        # the registered rule codes, when the caller knows them (the rules sit
        # above the configuration, so they are handed in, not imported)
        self.rule_codes = rule_codes

    def matches_a_rule(self, prefix: str) -> bool:
        """Whether a code or prefix selects at least one rule (always, when
        the rules were not handed in)."""
        if self.rule_codes is None:
            return True
        wanted = prefix.strip().upper()
        return bool(wanted) and any(code.startswith(wanted) for code in self.rule_codes)

    def fail(self, key: Key, message: str) -> ConfigError:
        line, col = locate(self.text, key)
        return ConfigError(message, location=f"{self.shown}:{line}:{col}")

    def where(self, key: Key) -> str:
        line, col = locate(self.text, key)
        return f"{self.shown}:{line}:{col}"

    def expect(self, key: Key, value: object, kind: type, what: str) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"{_label(key)} must be {what}, got {_toml_type(value)}")
        return value

    def strings(self, key: Key, value: object, check: Callable[[str], str | None] | None = None) -> tuple[str, ...]:
        items = self.expect(key, value, list, "an array of strings")
        out = []
        for index, item in enumerate(items):
            self.expect((*key, index), item, str, "a string")
            problem = check(item) if check else None
            if problem:
                raise self.fail(key, f"{_label(key)}: {problem}")
            out.append(item)
        return tuple(out)

    def table(self, key: Key, value: object) -> dict[str, Any]:
        return self.expect(key, value, dict, "a table")

    def known(self, key: Key, table: dict[str, Any], allowed: Sequence[str]) -> None:
        for name in table:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(allowed)})"
                raise self.fail((*key, name), f"unknown key '{name}' in {_section_name(key)}{hint}")


def build_config(
    section: object, *, root: Path, source: Path, text: str, rule_codes: frozenset[str] | None = None
) -> Config:
    """The Config of ``section``; with ``rule_codes`` (the registered rules), a
    code or prefix in select, ignore, severity or per-file-ignores that matches
    no rule is a located error."""
    check = _Checker(text, source, rule_codes)
    table = check.table((), section)
    check.known((), table, tuple(_TOP))
    values: dict[str, Any] = {}
    for key, value in table.items():
        attr, convert = _TOP[key]
        values[attr] = convert(check, (key,), value)
    return Config(root=root, source=source, **values)


def _services(check: _Checker, key: Key, value: object) -> tuple[ServiceConfig, ...]:
    items = check.expect(key, value, list, "an array of tables")
    out = []
    allowed = ("path", "name", "models", "pydal", "alembic-ini", "dialect")
    for index, item in enumerate(items):
        here = (*key, index)
        entry = check.expect(here, item, dict, "a table")
        check.known(here, entry, allowed)
        if "path" not in entry:
            raise check.fail(here, f"{_label(here)} needs a 'path'")
        out.append(
            ServiceConfig(
                path=check.expect((*here, "path"), entry["path"], str, "a string"),
                name=_optional_str(check, (*here, "name"), entry.get("name")),
                models=check.strings((*here, "models"), entry.get("models", []), _inside_service),
                pydal=check.strings((*here, "pydal"), entry.get("pydal", []), _inside_service),
                alembic_ini=_optional_str(check, (*here, "alembic-ini"), entry.get("alembic-ini")),
                dialect=_dialect(check, (*here, "dialect"), entry.get("dialect")) if "dialect" in entry else None,
                origin=check.where((*here, "path")),
            )
        )
    return tuple(out)


def _inside_service(glob: str) -> str | None:
    """Service globs are matched below the service folder: an absolute one (which
    pathlib cannot even glob) or one climbing out with ``..`` is a mistake."""
    from pathlib import PurePosixPath, PureWindowsPath

    posix = PurePosixPath(glob.replace("\\", "/"))
    if posix.is_absolute() or PureWindowsPath(glob).drive or ".." in posix.parts:
        return f"'{glob}' must be a glob relative to the service folder, inside it (no absolute path, no '..')"
    return None


def _optional_str(check: _Checker, key: Key, value: object) -> str | None:
    return None if value is None else check.expect(key, value, str, "a string")


def _globs(check: _Checker, key: Key, value: object) -> tuple[str, ...]:
    return check.strings(key, value)


def _prefixes(check: _Checker, key: Key, value: object) -> tuple[str, ...]:
    def bad(code: str) -> str | None:
        if not _PREFIX.match(code.upper()):
            return f"'{code}' is not a rule code or prefix (e.g. 'DG1', 'DG103')"
        if not check.matches_a_rule(code):
            return f"'{code}' matches no rule (`drift-guard rules` lists them)"
        return None

    return tuple(c.upper() for c in check.strings(key, value, bad))


def _per_file(check: _Checker, key: Key, value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    table = check.table(key, value)
    return tuple((glob, _prefixes(check, (*key, glob), codes)) for glob, codes in table.items())


def _severity_value(check: _Checker, key: Key, value: object) -> Severity:
    text = check.expect(key, value, str, "one of 'error', 'warning', 'info'")
    try:
        return Severity.parse(text)
    except ValueError:
        raise check.fail(key, f"{_label(key)} must be one of 'error', 'warning', 'info', got '{text}'") from None


def _severities(check: _Checker, key: Key, value: object) -> tuple[tuple[str, Severity], ...]:
    out = []
    for code, level in check.table(key, value).items():
        if not _CODE.match(code.upper()):
            raise check.fail((*key, code), f"'{code}' in {_section_name(key)} is not a rule code like 'DG103'")
        if check.rule_codes is not None and code.upper() not in check.rule_codes:
            raise check.fail(
                (*key, code), f"'{code}' in {_section_name(key)} is not a rule (`drift-guard rules` lists them)"
            )
        out.append((code.upper(), _severity_value(check, (*key, code), level)))
    return tuple(out)


def _table_map(check: _Checker, key: Key, value: object) -> tuple[tuple[str, str], ...]:
    table = check.table(key, value)
    return tuple((name, check.expect((*key, name), target, str, "a table name")) for name, target in table.items())


def _pairs(check: _Checker, key: Key, value: object) -> tuple[tuple[str, str], ...]:
    items = check.expect(key, value, list, "an array of [model type, PyDAL type] pairs")
    out = []
    for index, pair in enumerate(items):
        ok = isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        if not ok:
            raise check.fail(
                key, f'{_label(key)}: item {index + 1} must be a pair of strings like ["String", "text"], got {pair!r}'
            )
        out.append((pair[0], pair[1]))
    return tuple(out)


def _boolean(check: _Checker, key: Key, value: object) -> bool:
    return check.expect(key, value, bool, "a boolean")


def _positive_int(check: _Checker, key: Key, value: object) -> int:
    number = check.expect(key, value, int, "a positive integer (bytes)")
    if isinstance(number, bool) or number <= 0:
        raise check.fail(key, f"{_label(key)} must be a positive integer (bytes), got {number!r}")
    return number


def _dialect(check: _Checker, key: Key, value: object) -> str:
    text = check.expect(key, value, str, "a string")
    if text not in DIALECTS:
        raise check.fail(key, f"{_label(key)} must be one of {', '.join(DIALECTS)}, got '{text}'")
    return text


def _scratch(check: _Checker, key: Key, value: object) -> str:
    text = check.expect(key, value, str, "a string")
    if text not in SCRATCHES:
        raise check.fail(key, f"{_label(key)} must be one of {', '.join(SCRATCHES)}, got '{text}'")
    return text


_TOP: dict[str, tuple[str, Callable[[_Checker, Key, Any], Any]]] = {
    "services": ("services", _services),
    "exclude": ("exclude", _globs),
    "select": ("select", _prefixes),
    "ignore": ("ignore", _prefixes),
    "per-file-ignores": ("per_file_ignores", _per_file),
    "severity": ("severity", _severities),
    "fail-on": ("fail_on", _severity_value),
    "ignore-tables": ("ignore_tables", _globs),
    "table-map": ("table_map", _table_map),
    "type-equivalences": ("type_equivalences", _pairs),
    "dialect": ("dialect", _dialect),
    "runtime-exclude": ("runtime_exclude", _globs),
    "schema-paths": ("schema_paths", _globs),
    "max-file-size": ("max_file_size", _positive_int),
    "cache-dir": ("cache_dir", _optional_str),
    "allow-external-migrations": ("allow_external_migrations", _boolean),
    "scratch": ("scratch", _scratch),
}


def _label(key: Key) -> str:
    names = [k for k in key if isinstance(k, str)]
    return f"'{names[-1]}' in {_section_name(tuple(names[:-1]))}" if names else "[tool.drift_guard]"


def _section_name(key: Key) -> str:
    parents = [k for k in key if isinstance(k, str)]
    return "[" + ".".join(["tool.drift_guard", *parents]) + "]"


def _toml_type(value: object) -> str:
    kinds = (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a float"),
        (str, "a string"),
        (list, "an array"),
        (dict, "a table"),
    )
    for kind, name in kinds:
        if isinstance(value, kind):
            return f"{name} ({value!r})" if kind in (bool, int, float, str) else name
    return type(value).__name__


_HEADER = re.compile(r"^\s*(\[\[?)\s*([\w.\-\"' ]+?)\s*\]\]?\s*(?:#.*)?$")


def locate(text: str, key: Key) -> tuple[int, int]:
    """1-based (line, column) of ``key`` below ``[tool.drift_guard]`` in ``text``.

    A line scan, not a TOML parser: it follows section headers
    (``[tool.drift_guard.severity]``, the n-th ``[[tool.drift_guard.services]]``)
    and ``key =`` / ``key.sub =`` / inline ``{key = ...}`` spellings, and falls
    back to the closest enclosing line it did find.
    """
    lines = text.splitlines()
    headers = [
        (i, re.sub(r"[\"'\s]", "", m.group(2)), m.group(1) == "[[")
        for i, line in enumerate(lines)
        if (m := _HEADER.match(line))
    ]
    prefix = ["tool", "drift_guard"]
    line_no, col, end = 0, 1, len(lines)
    for i, name, _ in headers:
        if name == "tool.drift_guard":
            line_no, end = i, _next_header(headers, i, len(lines))
            break
    for seg in key:
        if isinstance(seg, int):
            arrays = [i for i, name, is_array in headers if is_array and name == ".".join(prefix)]
            if len(arrays) > seg:
                line_no, col, end = arrays[seg], 1, _next_header(headers, arrays[seg], len(lines))
            continue
        prefix.append(seg)
        subs = [i for i, name, _ in headers if name == ".".join(prefix)]
        if subs:
            line_no, col, end = subs[0], 1, _next_header(headers, subs[0], len(lines))
            continue
        found = _find_key(lines, seg, line_no, end)
        if found is not None:
            line_no, col = found
    return line_no + 1, col


def _next_header(headers: list[tuple[int, str, bool]], after: int, default: int) -> int:
    return next((i for i, _, _ in headers if i > after), default)


def _find_key(lines: list[str], key: str, start: int, end: int) -> tuple[int, int] | None:
    pattern = re.compile(r"(?:^|[\s{,.])([\"']?)" + re.escape(key) + r"\1\s*[=.]")
    for index in range(start, min(end, len(lines))):
        match = pattern.search(lines[index])
        if match:
            return index, match.start(1) + 1
    return None
