"""Per-service state shared by the rules, computed lazily and at most once.

A run that only selects DG1xx never pays for the migration replay; a run that
selects only DG3xx never parses a model file.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from drift_guard.schema import Schema

if TYPE_CHECKING:
    from drift_guard.config import Config
    from drift_guard.service import Service


class ServiceContext:
    def __init__(self, service: Service, config: Config, options: dict[str, Any] | None = None) -> None:
        self.service = service
        self.config = config
        # Run options from the CLI (e.g. database_url, no_migrations, alembic_env).
        self.options = options or {}

    @cached_property
    def models(self) -> Schema:
        from drift_guard.extract.sqlalchemy import extract_models

        return extract_models(
            self.service.model_files,
            import_roots=self.service.import_roots,
            bases=self.service.model_bases,
        )

    @cached_property
    def pydal(self) -> Schema:
        from drift_guard.extract.pydal import extract_pydal

        return extract_pydal(self.service.pydal_files)

    def table_map(self) -> dict[str, str]:
        """PyDAL table name -> model table name, lower case (config ``table-map``)."""
        return {k.lower(): v.lower() for k, v in getattr(self.config, "table_map", {}).items()}
