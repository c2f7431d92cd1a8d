"""Alembic revision files read statically: headers (:mod:`.headers`) and the
revision graph Alembic would build from them (:mod:`.graph`)."""

from __future__ import annotations

from drift_guard.extract.alembic.graph import (
    RevisionGraph,
    build_revision_graph,
    check_graph,
    stray_revision_files,
)
from drift_guard.extract.alembic.headers import (
    REVISION_FILE,
    GraphIssue,
    RevisionHeader,
    body_is_empty,
    list_revision_files,
    read_revision_header,
    unreadable_revision_files,
)

__all__ = [
    "REVISION_FILE",
    "GraphIssue",
    "RevisionGraph",
    "RevisionHeader",
    "body_is_empty",
    "build_revision_graph",
    "check_graph",
    "list_revision_files",
    "read_revision_header",
    "stray_revision_files",
    "unreadable_revision_files",
]
