"""What rules yield: frozen, sortable findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from drift_guard.schema import Location


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    hint: str
    location: Location
    table: str | None = None
    column: str | None = None
    related: tuple[Location, ...] = ()
    service: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def with_severity(self, severity: Severity) -> Finding:
        from dataclasses import replace

        return replace(self, severity=severity)
