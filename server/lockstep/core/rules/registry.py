"""Every rule as data: name, default severity, group and its documentation.

`docs/rules.md` is generated from this table (`python -m lockstep.core.rules.docs`), so the
editor's code-description link, the config key and the docs can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS_URL = "https://github.com/lockstep-lsp/lockstep/blob/main/docs/rules.md"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    severity: str  # the default: error, warning, information, hint
    group: str
    summary: str  # one line: what it flags
    why: str  # one paragraph: why it matters
    bad: str  # an example that fires
    good: str  # the same example, fixed
    language: str = "sql"

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.name}"


RULES: dict[str, Rule] = {}


def rule(
    name: str, severity: str, group: str, summary: str, why: str, bad: str, good: str,
    language: str = "sql",
) -> Rule:
    """Declare a rule (called at import time by each rule module)."""
    declared = Rule(name, severity, group, summary, why, bad.strip("\n"), good.strip("\n"),
                    language)
    RULES[name] = declared
    return declared
