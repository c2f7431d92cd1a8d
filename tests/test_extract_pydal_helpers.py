"""Shared helpers for the PyDAL extractor tests (no tests here): write sources, extract, summarise."""

from __future__ import annotations

import textwrap
from pathlib import Path

from drift_guard.extract.pydal import extract_pydal
from drift_guard.schema import Schema, Table

HEADER = "from pydal import DAL, Field\ndb = DAL('sqlite:memory', migrate=False)\n"


def write(tmp_path: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        paths.append(path)
    return paths


def extract(tmp_path: Path, files: dict[str, str], only: list[str] | None = None) -> Schema:
    """Write ``files`` and extract the ones named in ``only`` (default: all)."""
    paths = write(tmp_path, files)
    chosen = [p for p in paths if only is None or p.relative_to(tmp_path).as_posix() in only]
    return extract_pydal(chosen)


def one_table(tmp_path: Path, body: str) -> tuple[Table, Schema]:
    """Extract ``HEADER + body`` and return its single table."""
    schema = extract(tmp_path, {"app/models.py": HEADER + textwrap.dedent(body)})
    assert len(schema.tables) == 1, schema
    return schema.tables[0], schema


def summary(table: Table) -> list[tuple]:
    """(name, pydal type, length, nullable, primary key, unique) per column."""
    return [(c.name, c.type.pydal_type, c.type.length, c.nullable, c.primary_key, c.unique) for c in table.columns]


def messages(schema: Schema) -> list[str]:
    return [p.message for p in schema.problems]
