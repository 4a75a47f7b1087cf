"""Diagnostics as plain data: what the rules produce and what `check` prints."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from lockstep.core.model import Location
from lockstep.core.text import Range

SEVERITY_ORDER = {"hint": 1, "information": 2, "warning": 3, "error": 4}
STRICT_ENV = "LOCKSTEP_STRICT"


def strict_mode() -> bool:
    """Whether an exception inside a rule, the replay or a fix must propagate (the test
    suite sets LOCKSTEP_STRICT=1, also for the server processes it starts); otherwise it
    becomes an `internal-error` diagnostic and a log entry."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


@dataclass(frozen=True, slots=True)
class Related:
    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str  # relative to the workspace root, `/` separators
    range: Range
    severity: str  # error, warning, information, hint
    code: str
    message: str
    related: tuple[Related, ...] = ()
    data: dict[str, Any] | None = field(default=None, compare=False)  # for quick fixes

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.range.start.line, self.range.start.character, self.code)


def at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_ORDER.get(severity, 0) >= SEVERITY_ORDER.get(threshold, 4)
