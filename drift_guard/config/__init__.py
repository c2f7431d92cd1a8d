"""``[tool.drift_guard]`` in ``pyproject.toml``: the settings (:mod:`.model`),
finding and reading them (:mod:`.load`), and validating them (:mod:`.validate`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from drift_guard.config.load import find_config_file, load_config
from drift_guard.config.model import (
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_RUNTIME_EXCLUDE,
    DIALECTS,
    Config,
    ServiceConfig,
    matches_globs,
)

if TYPE_CHECKING:
    from drift_guard.service import Service

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "DEFAULT_RUNTIME_EXCLUDE",
    "DIALECTS",
    "Config",
    "ServiceConfig",
    "describe_config",
    "find_config_file",
    "load_config",
    "matches_globs",
]


def describe_config(config: Config, services: Sequence[Service]) -> str:
    """The effective configuration and what discovery found, for ``drift-guard config``."""
    from drift_guard.discovery.describe import describe

    return describe(config, services)
