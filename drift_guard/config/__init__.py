"""``[tool.drift_guard]`` in ``pyproject.toml``: the settings (:mod:`.model`),
finding and reading them (:mod:`.load`), and validating them (:mod:`.validate`)."""

from __future__ import annotations

from drift_guard.config.load import find_config_file, load_config
from drift_guard.config.model import (
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_RUNTIME_EXCLUDE,
    DIALECTS,
    Config,
    ServiceConfig,
    matches_globs,
)

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "DEFAULT_RUNTIME_EXCLUDE",
    "DIALECTS",
    "Config",
    "ServiceConfig",
    "find_config_file",
    "load_config",
    "matches_globs",
]
