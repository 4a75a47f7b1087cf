"""Problems in lockstep.toml or the editor's Lockstep settings."""

from __future__ import annotations

from collections.abc import Iterator

from lockstep.core.config import CONFIG_FILE
from lockstep.core.model import Location
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.payloads import ConfigKey
from lockstep.core.rules.registry import RULES
from lockstep.core.rules.registry.config import INVALID_CONFIG
from lockstep.core.text import LineIndex, Position, Range
from lockstep.core.workspace import Workspace


@check(INVALID_CONFIG)
def config_problems(workspace: Workspace, findings: Findings) -> None:
    for problem in workspace.config_problems:
        findings.add(INVALID_CONFIG, Location(CONFIG_FILE, problem.range), problem.message,
                     data=ConfigKey(problem.section, problem.key))
    text = workspace.read(CONFIG_FILE)
    for name, where in _rule_keys(LineIndex(text) if text else None):
        if name not in RULES:
            findings.add(INVALID_CONFIG, Location(CONFIG_FILE, where),
                         f"Unknown rule `{name}` in `[rules]`", data=ConfigKey("rules", name))


def _rule_keys(lines: LineIndex | None) -> Iterator[tuple[str, Range]]:
    """Each key of the `[rules]` table with the range of its name (a misspelt rule would
    otherwise be configured in silence)."""
    section: str | None = None
    for number in range(lines.line_count if lines else 0):
        assert lines is not None
        line = lines.line_text(number)
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[] ").split("]", 1)[0].strip()
        elif section == "rules" and "=" in stripped and not stripped.startswith("#"):
            key = stripped.split("=", 1)[0].strip()
            name = key.strip('"')
            start = line.index(key)
            yield name, Range(Position(number, start), Position(number, start + len(key)))
