"""The files that define the column types model files import.

``from app.db.types import UTCDateTime, Money`` in a models module: the
extractor reads a TypeDecorator by its ``impl`` and an alias by its value, but
only in the files it is given, so the defining file joins the model files. A
definition counts as a column type when it is a class whose bases lead to a
``sqlalchemy`` class (``TypeDecorator``, ``String``, another local type class)
or a module-level value built from one (``Money = sa.Numeric(12, 2)``,
``JSONVariant = sa.JSON().with_variant(JSONB(), "postgresql")``), asked of
SQLAlchemy itself (:func:`is_sa_type_class`): a declarative base, a session
factory or an engine imported by a models module is not a column type, and
its file stays out. The application's files are only read, never imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import libcst as cst

from drift_guard.discovery.modules import Definition, Module, ModuleIndex

_MAX_DEPTH = 12


def type_files(index: ModuleIndex, model_files: Iterable[Path]) -> set[Path]:
    """Files (with the re-exporting files passed through) defining column types
    that ``model_files`` import, followed transitively (a type file importing
    another's decorator)."""
    found: set[Path] = set()
    queue = list(model_files)
    seen = set(queue)
    while queue:
        module = index.load(queue.pop())
        if module is None:
            continue
        for local in module.imports.names:
            definition, hops = index.resolve_traced(module, cst.Name(local))
            if definition is None or not _is_type(index, definition, 0):
                continue
            for path in (*hops, definition.path):
                found.add(path)
                if path not in seen:
                    seen.add(path)
                    queue.append(path)
    return found


def _is_type(index: ModuleIndex, d: Definition, depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if d.kind == "class":
        return any(
            _leads_to_sqlalchemy(index, d.module, arg.value, depth)
            for arg in d.module.classes[d.name].bases
            if arg.keyword is None
        )
    if d.kind == "value":
        value = d.module.values.get(d.name)
        return value is not None and _leads_to_sqlalchemy(index, d.module, _callee(value), depth)
    return False


def _leads_to_sqlalchemy(index: ModuleIndex, module: Module, expr: cst.BaseExpression | None, depth: int) -> bool:
    if expr is None:
        return False
    name = index.qualify(module, expr)
    if name is None:
        return False
    if name.startswith("sqlalchemy."):
        from drift_guard.extract.sqlalchemy.known import is_sa_type_class

        return is_sa_type_class(name)
    local = index.resolve_in(module, expr)
    return local is not None and _is_type(index, local, depth + 1)


def _callee(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The type a value is built from: ``sa.Numeric`` in ``sa.Numeric(12, 2)``,
    ``sa.JSON`` in ``sa.JSON().with_variant(...)``, the name in an alias."""
    while True:
        if isinstance(value, cst.Call):
            value = value.func
        elif isinstance(value, cst.Attribute) and isinstance(value.value, cst.Call):
            value = value.value  # sa.JSON().with_variant -> sa.JSON()
        elif isinstance(value, (cst.Name, cst.Attribute)):
            return value
        else:
            return None
