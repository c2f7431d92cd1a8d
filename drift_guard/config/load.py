"""Find ``pyproject.toml`` and build the :class:`Config` from its ``[tool.drift_guard]``."""

from __future__ import annotations

import sys
from pathlib import Path

from drift_guard.config.model import Config
from drift_guard.errors import ConfigError


def load_config(start: Path, explicit: Path | None = None, *, rule_codes: frozenset[str] | None = None) -> Config:
    """The effective configuration for a run started in ``start``.

    ``explicit`` (``--config``) must exist; its ``[tool.drift_guard]`` table may
    be absent (then every default applies, rooted at the file's folder).
    ``rule_codes`` (the registered rules, handed in by the command line) make a
    configured code that matches no rule a located error.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"configuration file not found: {explicit}")
        return _from_file(explicit.absolute(), required=False, rule_codes=rule_codes)
    found = find_config_file(start.absolute())
    if found is None:
        return Config(root=start.absolute())
    return _from_file(found, required=True, rule_codes=rule_codes)


def find_config_file(start: Path) -> Path | None:
    """First pyproject.toml with ``[tool.drift_guard]`` from ``start`` upwards,
    not leaving the git repository that contains ``start``."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        text = _read_text(candidate) if candidate.is_file() else ""
        if "drift_guard" in text or "drift-guard" in text:
            if _section(_parse_toml(candidate), candidate) is not None:
                return candidate
        if (folder / ".git").exists():
            return None
    return None


def _from_file(path: Path, *, required: bool, rule_codes: frozenset[str] | None = None) -> Config:
    from drift_guard.config.validate import build_config

    data = _parse_toml(path)
    section = _section(data, path)
    if section is None:
        if required:  # find_config_file guarantees it; keep the invariant loud
            raise ConfigError("no [tool.drift_guard] table", location=_display(path))
        section = {}
    return build_config(section, root=path.parent, source=path, text=_read_text(path), rule_codes=rule_codes)


def _section(data: dict, path: Path) -> dict | None:
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None
    if "drift_guard" not in tool and "drift-guard" in tool:
        # a misspelt table would silently leave every setting at its default
        lines = _read_text(path).splitlines()
        line = next((i for i, text in enumerate(lines, 1) if "drift-guard" in text), 1)
        message = "the table is [tool.drift_guard] (underscore), not [tool.drift-guard]"
        raise ConfigError(message, location=f"{_display(path)}:{line}:1")
    return tool.get("drift_guard")


def _read_text(path: Path) -> str:
    """The configuration's text. A pyproject.toml that is a symlink out of its
    repository is not read (there is no run yet to report a finding in, so it
    is a configuration error)."""
    from drift_guard.paths import (
        OUTSIDE_REPOSITORY,
        escapes_repository,
        find_repository_root,
    )

    repository = find_repository_root(path.absolute().parent)
    if repository is not None and escapes_repository(path, repository):
        raise ConfigError(OUTSIDE_REPOSITORY, location=_display(path))
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration: {exc}", location=_display(path)) from None


def _parse_toml(path: Path) -> dict:
    """Parse with tomllib (tomli on 3.10); a syntax error keeps tomllib's line/column."""
    import re

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    text = _read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if where:
            line, col = where.group(1), where.group(2)
            message = message[: where.start()]
        else:  # "(at end of document)"
            message = re.sub(r"\s*\(at end of document\)$", " at end of document", message)
            line, col = str(text.count("\n") + 1), "1"
        raise ConfigError(f"invalid TOML: {message}", location=f"{_display(path)}:{line}:{col}") from None


def _display(path: Path) -> str:
    from drift_guard.paths import display_path

    return display_path(path, Path.cwd())  # no run yet: shown from where it was started
