"""Every rule as one object: name, group, default severity, docs, options, payload, check, fix.

A rule is declared once, in this package (`registry/<group>.py`), and referenced everywhere
else through its object (`RLS_DISABLED`), never by a string: a misspelt constant is an
ImportError, and `named()` raises for an unknown name. The check that emits it attaches
itself with `@check(RULE)` (`rules/engine.py`); the fix builder with `@fixes(RULE)`
(`lockstep.codeactions.fixes`). `docs/rules.md` is generated from this table
(`python -m lockstep.core.rules.docs`), so the editor's link, the config key and the docs can
never drift apart.

Adding a rule: declare it in the group's module here (name, severity, docs, options and the
payload class its diagnostics carry), emit it from a check in `rules/checks/<group>.py`, add a
fixture under `tests/fixtures/rules/` with `-- expect: rule-name` lines, and regenerate the
docs. See docs/architecture.md ("Where do I add…").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lockstep.core.rules.options import Option
from lockstep.core.rules.payloads import Payload

DOCS_URL = "https://github.com/lockstep-lsp/lockstep/blob/main/docs/rules.md"
SEVERITIES = ("error", "warning", "information", "hint")
_NAME = re.compile(r"[a-z]+(-[a-z]+)+")


@dataclass(eq=False, slots=True)
class Rule:
    """One rule. Compared and hashed by identity: there is exactly one object per name."""

    name: str
    severity: str  # the default: error, warning, information, hint
    group: str
    summary: str  # one line: what it flags
    why: str  # one paragraph: why it matters
    bad: str  # an example that fires
    good: str  # the same example, fixed
    language: str = "sql"
    options: tuple[Option, ...] = ()
    payload: tuple[type[Payload], ...] = ()  # what its diagnostics' `data` may hold
    # Runs only where one of these conventions is in force (discovery); empty: everywhere.
    conventions: tuple[str, ...] = ()
    # Attached at import time by the modules that implement them (see the module docstring).
    checks: list[Callable[..., None]] = field(default_factory=list)
    fix: Callable[..., list[Any]] | None = None

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.name}"

    def __str__(self) -> str:
        return self.name


RULES: dict[str, Rule] = {}


def rule(
    name: str,
    severity: str,
    group: str,
    summary: str,
    why: str,
    bad: str,
    good: str,
    language: str = "sql",
    options: tuple[Option, ...] = (),
    payload: type[Payload] | tuple[type[Payload], ...] = (),
    convention: str | tuple[str, ...] = (),
) -> Rule:
    """Declare a rule; a bad name, a bad severity or a second rule of one name fails the
    import of the module that declares it."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"rule name {name!r} is not kebab-case")
    if severity not in SEVERITIES:
        raise ValueError(f"rule {name}: unknown default severity {severity!r}")
    if name in RULES:
        raise ValueError(f"rule {name} is declared twice")
    payloads = payload if isinstance(payload, tuple) else (payload,)
    declared = Rule(name, severity, group, summary, why, bad.strip("\n"), good.strip("\n"),
                    language, options, payloads,
                    conventions=(convention,) if isinstance(convention, str) else convention)
    RULES[name] = declared
    return declared


def named(name: str) -> Rule:
    """The rule called `name`; an unknown name is an error, never a default."""
    try:
        return RULES[name]
    except KeyError:
        raise KeyError(f"unknown rule {name!r}") from None


# The declarations (imported last: they call `rule` above).
from lockstep.core.rules.registry import (  # noqa: E402
    advisors,
    config,
    consumers,
    internal,
    migrations,
    mirror,
    safety,
    security,
    types,
)

__all__ = [
    "RULES", "Option", "Rule", "advisors", "config", "consumers", "internal", "migrations",
    "mirror", "named", "rule", "safety", "security", "types",
]
