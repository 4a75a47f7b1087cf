"""Runs every rule over the workspace, then applies severities and suppressions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from lockstep.core.diagnostics import Diagnostic, Related
from lockstep.core.model import Location
from lockstep.core.rules.registry import RULES
from lockstep.core.text import LineIndex, Range
from lockstep.core.workspace import Workspace

LOG = logging.getLogger("lockstep.rules")
IGNORE = "lockstep-ignore"
IGNORE_FILE = "lockstep-ignore-file"


@dataclass(slots=True)
class Findings:
    """What rule checks emit into; severity and suppression are applied afterwards."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        code: str,
        location: Location,
        message: str,
        related: Iterable[Related] = (),
        data: dict[str, object] | None = None,
        severity: str | None = None,
    ) -> None:
        """Report a finding; `severity` overrides the rule's default for this one finding."""
        if severity is None:
            severity = RULES[code].severity if code in RULES else "warning"
        self.items.append(
            Diagnostic(location.path, location.range, severity, code, message, tuple(related),
                       data)
        )


Check = Callable[[Workspace, Findings], None]
CHECKS: list[Check] = []


def check(function: Check) -> Check:
    """Register a rule check; the rule modules call this at import time."""
    CHECKS.append(function)
    return function


def _directives(text: str, line: int) -> tuple[str, ...]:
    """Rule names named by a `lockstep-ignore` comment on `line`."""
    stripped = text.strip()
    for marker in ("--", "//", "#", "/*"):
        if stripped.startswith(marker):
            body = stripped[len(marker):].strip().rstrip("*/").strip()
            if body.startswith(IGNORE + " ") or body == IGNORE:
                return tuple(n.strip(",") for n in body[len(IGNORE):].split()) or ("*",)
    return ()


def _file_directives(lines: LineIndex) -> set[str]:
    names: set[str] = set()
    for number in range(lines.line_count):
        stripped = lines.line_text(number).strip().lstrip("-/#*").strip()
        if stripped.startswith(IGNORE_FILE):
            names.update(n.strip(",") for n in stripped[len(IGNORE_FILE):].split())
    return names


class _Suppressions:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._lines: dict[str, LineIndex | None] = {}

    def lines(self, path: str) -> LineIndex | None:
        if path not in self._lines:
            doc = self.workspace.migrations.get(path)
            if doc is not None:
                self._lines[path] = doc.parsed.lines
            else:
                text = self.workspace.ts_texts.get(path) or self.workspace.read(path)
                self._lines[path] = LineIndex(text) if text is not None else None
        return self._lines[path]

    def suppressed(self, diagnostic: Diagnostic, file_level: dict[str, set[str]]) -> bool:
        lines = self.lines(diagnostic.path)
        if lines is None:
            return False
        if diagnostic.path not in file_level:
            file_level[diagnostic.path] = _file_directives(lines)
        if diagnostic.code in file_level[diagnostic.path]:
            return True
        line = diagnostic.range.start.line
        for candidate in (line - 1, line):
            if 0 <= candidate < lines.line_count:
                names = _directives(lines.line_text(candidate), candidate)
                if diagnostic.code in names or "*" in names:
                    return True
        return False


def run_rules(workspace: Workspace) -> dict[str, list[Diagnostic]]:
    """Every diagnostic of the workspace, by path, sorted, with config applied."""
    from lockstep.core.rules import checks  # noqa: F401  (registers the checks)

    findings = Findings()
    for function in CHECKS:
        try:
            function(workspace, findings)
        except Exception:  # one broken check must not hide every other rule
            LOG.exception("rule check %s failed", function.__name__)
    configured = workspace.config.rules
    suppressions = _Suppressions(workspace)
    file_level: dict[str, set[str]] = {}
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in findings.items:
        severity = configured.get(diagnostic.code, diagnostic.severity)
        if severity == "off" or suppressions.suppressed(diagnostic, file_level):
            continue
        if severity != diagnostic.severity:
            diagnostic = replace(diagnostic, severity=severity)
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    for items in by_path.values():
        items.sort(key=Diagnostic.sort_key)
    return by_path


def file_start(path: str) -> Location:
    return Location(path, Range.empty())
