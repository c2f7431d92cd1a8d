"""Render the effective configuration and the discovered services (``drift-guard config``).

Plain text meant for a human checking "did it find my models?": every path is
shown relative to the current directory, every list in sorted order, and a
setting left at its default says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from drift_guard.session import shown as display_path

if TYPE_CHECKING:
    from pathlib import Path

    from drift_guard.config import Config
    from drift_guard.service import Service


def describe(config: Config, services: Sequence[Service]) -> str:
    lines = ["# configuration", f"root: {display_path(config.root)}"]
    lines.append(f"source: {display_path(config.source) if config.source else '(none: defaults)'}")
    lines += _settings(config)
    lines.append("")
    lines.append(f"# services ({len(services)})")
    for service in services:
        lines += _service(service)
    return "\n".join(lines) + "\n"


def _settings(config: Config) -> list[str]:
    rows = [
        ("exclude", _list(config.exclude)),
        ("select", _list(config.select) if config.select else "(all rules)"),
        ("ignore", _list(config.ignore)),
        ("per-file-ignores", _pairs((glob, ", ".join(codes)) for glob, codes in config.per_file_ignores)),
        ("severity", _pairs((code, level.value) for code, level in config.severity)),
        ("fail-on", config.fail_on.value),
        ("ignore-tables", _list(config.ignore_tables)),
        ("table-map", _pairs(config.table_map)),
        ("type-equivalences", _pairs(config.type_equivalences)),
        ("dialect", config.dialect or "(from the database URL)"),
        ("runtime-exclude", _list(config.runtime_exclude)),
        ("schema-paths", _list(config.schema_paths)),
        ("services", f"{len(config.services)} configured" if config.services else "(discovered)"),
    ]
    return [f"{key}: {value}" for key, value in rows]


def _service(service: Service) -> list[str]:
    lines = ["", f"[{service.name}]", f"  root: {display_path(service.root)}"]
    for label, value in (
        ("alembic.ini", service.alembic_ini),
        ("script_location", service.script_location),
        ("env.py", service.env_py),
    ):
        lines.append(f"  {label}: {display_path(value) if value else '(none)'}")
    lines.append(f"  model bases: {', '.join(service.model_bases) or '(none: found by content)'}")
    lines.append(f"  dialect: {service.dialect or '(from the database URL)'}")
    lines += _files("import roots", service.import_roots)
    lines += _files("model files", service.model_files)
    lines += _files("pydal files", service.pydal_files)
    lines += _files("reached from env.py", service.env_reached_files)
    lines.append(f"  python files: {len(service.python_files)}")
    if service.not_application:
        lines += _files("left out (not the application's code)", service.not_application)
    from drift_guard.credentials import mask_credentials

    for problem in service.problems:
        message = mask_credentials(problem.message)
        lines.append(f"  problem: {display_path(problem.location.path)}:{problem.location.line}: {message}")
    return lines


def _files(label: str, paths: Iterable[Path]) -> list[str]:
    shown = sorted(display_path(p) for p in paths)
    return [f"  {label}: {'(none)' if not shown else ''}".rstrip()] + [f"    {p}" for p in shown]


def _list(values: Iterable[str]) -> str:
    values = list(values)
    return ", ".join(values) if values else "(none)"


def _pairs(values: Iterable[tuple[str, str]]) -> str:
    values = list(values)
    return ", ".join(f"{a} = {b}" for a, b in values) if values else "(none)"
