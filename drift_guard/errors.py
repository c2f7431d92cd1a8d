"""The two expected failure types.

Anything else raised inside drift-guard is a bug and must surface as one; these
two are turned by the CLI into a located message and exit code 2.
"""

from __future__ import annotations


class DriftGuardError(Exception):
    """Base class: an expected, user-facing failure."""

    def __init__(self, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ConfigError(DriftGuardError):
    """Bad configuration or usage: unknown keys, wrong types, missing paths."""


class InputError(DriftGuardError):
    """Input that cannot be read at all (not a per-file parse problem, which is DG001)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C while a scratch database exists on a server,
    so the ``finally`` blocks that drop it run (the CLI exits with 143)."""
