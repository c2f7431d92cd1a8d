"""Where an Alembic project keeps its revisions, as alembic.ini says, and whether
drift-guard may run them: read by the migration check, by DG001 (every revision
file must be readable) and by the engine before it starts the replay.

Kept apart from :mod:`drift_guard.migrations`, whose import brings the replay's
records and helpers: a run that only needs to know where the revisions are
(DG001 after a route edit) does not pay for them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drift_guard.service import Service


def external_migrations(service: Service, dirs: list[Path]) -> Path | None:
    """The first migrations folder (``script_location`` or a version location)
    that lies outside the repository, unless the configuration allows that:
    revision scripts are executed, and a pull request must not be able to point
    drift-guard at code elsewhere on the machine (``../..``, an absolute path)."""
    from drift_guard.session import current, tree_root

    session = current()
    if session is not None and session.config.allow_external_migrations:
        return None
    root = session.repository_root if session is not None else tree_root(service.root)
    root = Path(os.path.realpath(root))
    for folder in (service.script_location, *dirs):
        if folder is None:
            continue
        resolved = Path(os.path.realpath(folder))
        if resolved != root and root not in resolved.parents:
            return Path(folder)
    return None


def version_locations(service: Service) -> tuple[list[Path], bool]:
    """The folders Alembic loads revisions from (``version_locations`` or
    ``<script_location>/versions``) and whether it descends into sub-folders."""
    import configparser

    from drift_guard.discovery.alembic_ini import raw_ini, read_alembic_ini

    dirs: list[Path] = []
    recursive = False
    if service.alembic_ini is not None and service.alembic_ini.is_file():
        dirs = list(read_alembic_ini(service.alembic_ini).version_locations)
        parser = raw_ini(service.alembic_ini)
        try:
            flag = parser.get("alembic", "recursive_version_locations", fallback="false") if parser else "false"
        except configparser.Error:
            flag = "false"
        recursive = flag.strip().lower() in ("true", "1", "yes", "on")
    return (dirs or list(service.versions_dirs)), recursive
