"""DG206: model tables whose module ``env.py``'s imports never reach.

Autogenerate only sees the tables registered on ``target_metadata`` by the
time env.py runs, i.e. the tables of modules env.py's imports reach. A models
module nobody imports makes ``alembic revision --autogenerate`` propose
dropping its tables. Discovery records the reached files; this compares.
"""

from __future__ import annotations

import os
from pathlib import Path

from drift_guard.migrations.report import UnreachedTable
from drift_guard.schema import Schema
from drift_guard.service import Service


def unreached_model_tables(service: Service, models: Schema) -> tuple[UnreachedTable, ...]:
    """Only meaningful when discovery resolved env.py's target metadata
    (``model_bases``); in fallback mode we cannot know what env.py reaches."""
    if not service.model_bases:
        return ()
    reached = {os.path.realpath(p) for p in service.env_reached_files}
    found = []
    for table in models.tables:
        path = Path(table.location.path)
        candidates = [path] if path.is_absolute() else [Path.cwd() / path, service.root / path]
        if not any(os.path.realpath(c) in reached for c in candidates):
            found.append(UnreachedTable(table.name, table.location))
    return tuple(sorted(found, key=lambda t: (t.location, t.table)))
