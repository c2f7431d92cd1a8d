"""Per-service state shared by the rules, computed lazily and at most once.

A run that only selects DG1xx never pays for the migration replay; a run that
selects only DG3xx never parses a model file.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from drift_guard.schema import Schema

if TYPE_CHECKING:
    from drift_guard.config import Config
    from drift_guard.pairing import TablePair
    from drift_guard.service import Service


T = TypeVar("T")


class ServiceContext:
    def __init__(self, service: Service, config: Config, options: dict[str, Any] | None = None) -> None:
        self.service = service
        self.config = config
        # Run options from the CLI: database_url (str|None), no_migrations (bool),
        # alembic_env (bool).
        self.options = options or {}
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per context under ``key`` (shared results such as
        the runtime scan, which DG3xx, DG4xx and the dialect all read)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

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

    @cached_property
    def table_pairs(self) -> list[TablePair]:
        """Model/PyDAL table pairs after ``table-map`` and ``ignore-tables``."""
        from drift_guard.pairing import pair_tables

        return pair_tables(
            self.models,
            self.pydal,
            dict(self.config.table_map),
            self.config.ignore_tables,
        )

    @cached_property
    def migrations(self) -> Any:
        """The migration check's report (DG2xx); only computed when a DG2xx rule runs."""
        from drift_guard.migrations import check_migrations

        return check_migrations(
            self.service,
            self.models,
            database_url=self.options.get("database_url"),
            alembic_env=bool(self.options.get("alembic_env")),
        )

    def table_map(self) -> dict[str, str]:
        """PyDAL table name -> model table name, lower case (config ``table-map``)."""
        return {k.lower(): v.lower() for k, v in self.config.table_map}

    @property
    def migrations_enabled(self) -> bool:
        return not self.options.get("no_migrations")
