"""SQLAlchemy used outside the schema layer (DG401): what counts, and module names.

The facts come from :func:`drift_guard.extract.runtime.summary.summarize_runtime`,
which records per module: imports (to be matched against the model modules and
their ``Base``), calls that open ORM sessions or engines, SQLAlchemy statement
constructors (``select(User)``), whether anything is queried through a
session/connection (``.query(``, ``.execute(``, ``.scalars(`` ...), and
declarative bases defined on the spot with how many classes subclass them.
Matching against the service's model files happens in the rule.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from drift_guard.extract.runtime.summary import RuntimeSummary, SqlaUse


def module_name(path: Path, roots: Iterable[Path]) -> str | None:
    """Dotted module name of ``path`` under the first import root containing it
    (strings, not pathlib: asked for every runtime module of every run)."""
    return _dotted(os.path.realpath(path), [os.path.realpath(root) for root in roots])


def module_names(paths: Iterable[Path], roots: Sequence[Path]) -> list[tuple[str | None, str | None]]:
    """(:func:`module_name`, its package) of each of ``paths``, with the roots
    resolved once (a run that reads the runtime modules asks for all of them)."""
    real_roots = [os.path.realpath(root) for root in roots]
    found = []
    for path in paths:
        name = _dotted(os.path.realpath(path), real_roots)
        found.append((name, _package(path, name)))
    return found


def _dotted(resolved: str, real_roots: list[str]) -> str | None:
    for base in real_roots:
        if resolved == base or not resolved.startswith(base.rstrip(os.sep) + os.sep):
            continue  # outside it (the root itself names no module)
        parts = os.path.splitext(resolved[len(base.rstrip(os.sep)) + 1 :])[0].split(os.sep)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts) if parts else None
    return None


def _package(path: Path, name: str | None) -> str | None:
    if name is None:
        return None
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def layer_uses(summary: RuntimeSummary) -> list[SqlaUse]:
    """The module's SQLAlchemy uses in source order: sessions, engines and
    statements, and each declarative base with its number of model classes."""
    from drift_guard.extract.runtime.summary import SqlaUse

    uses = list(summary.sqla_uses)
    for base in summary.declarative_bases:
        count = base.subclasses
        uses.append(SqlaUse("base", base.location, f"{base.spelled} ({count} model class{'es' if count != 1 else ''})"))
    uses.sort(key=lambda u: (u.location.line, u.location.column))
    return uses
