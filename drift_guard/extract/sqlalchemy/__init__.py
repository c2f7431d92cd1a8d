"""The SQLAlchemy layer of one service, read statically into a :class:`Schema`.

Reads declarative classes (``declarative_base()``, ``DeclarativeBase``,
registries, mixins and abstract bases across the given files), ``Column`` /
``mapped_column`` / ``Mapped[...]`` attributes, ``__table_args__`` and
imperative ``Table(...)`` objects, with libcst only: application code is never
imported, so a models file that would fail or exit at import is still read.

The work is split by purpose: module graph and name resolution
(``modules``, over the shared :mod:`drift_guard.extract.names`), class bodies (``sqlalchemy_body``), bases and MRO
(``sqlalchemy_roots`` / ``sqlalchemy_classes``), types (``sqlalchemy_types`` /
``sqlalchemy_annotations``), columns, constraints, table drafts, and the final
layer filter / foreign-key type pass (``sqlalchemy_layer``). This module wires
them and walks each file's module-level statements once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from drift_guard.schema import Layer, Problem, Schema


def extract_models(files: Sequence[Path], *, import_roots: Sequence[Path] = (), bases: Sequence[str] = ()) -> Schema:
    """Every table the given SQLAlchemy-layer files define (only those on ``bases``'
    metadata when ``bases`` is given), plus what could not be read as Problems."""
    from drift_guard.extract.sqlalchemy.modules import build_module, module_names
    from drift_guard.extract.sqlalchemy.scan import Extraction
    from drift_guard.parsing import parse_files

    batch = parse_files(files)
    problems: list[Problem] = list(batch.problems)
    modules = [build_module(parsed, path, module_names(path, import_roots)) for path, parsed in batch.sources]
    tables = Extraction(modules).run(bases, batch.shown[0] if batch.shown else None, problems)
    return Schema(layer=Layer.MODELS, tables=tuple(tables), problems=tuple(problems), files=tuple(batch.shown))
