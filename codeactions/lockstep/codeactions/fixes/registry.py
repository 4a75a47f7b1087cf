"""Quick fixes by rule: `fixes_for(workspace, diagnostic)` → edits (plain data).

Each builder attaches itself to the rule it fixes with `@fixes(RULE)` (the rule object then
owns it) and receives the diagnostic's typed payload (`lockstep.core.rules.payloads`); a
payload that does not decode (an old or odd `data` sent back by the client) yields no fix.
Builders live in `sql` (mirror), `foreign_keys`, `rls` (row level security), `names`
(misspelt names in migrations), `files` (header, renumbering, config keys), `clone` (the clone
route), `generated` (regenerate Supabase types), `safety` (BEGIN/COMMIT in a migration) and
`ts` (row types and consumers); a builder that cannot fix a particular instance returns no
edit rather than a wrong one. The suppression
fixes every rule gets are in `suppress`. An exception in a builder fails the test in strict
mode and is otherwise shown as an `internal-error` diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lockstep.codeactions.edits import Edit
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import report_internal_error
from lockstep.core.rules.payloads import decode
from lockstep.core.rules.registry import RULES, Rule
from lockstep.core.workspace import Workspace

Builder = Callable[[Workspace, Diagnostic, Any], list[Edit]]
B = TypeVar("B", bound=Builder)


def fixes(*rules: Rule) -> Callable[[B], B]:
    """Attach a fix builder to the rules it fixes (one builder per rule)."""

    def attach(builder: B) -> B:
        for rule in rules:
            if rule.fix is not None:
                raise ValueError(f"{rule.name} already has a fix builder")
            rule.fix = builder
        return builder

    return attach


def _payload(rule: Rule, data: dict[str, Any] | None) -> tuple[bool, Any]:
    """(usable, payload): a rule without a payload type gets None."""
    if not rule.payload:
        return True, None
    for kind in rule.payload:
        found = decode(kind, data)
        if found is not None:
            return True, found
    return False, None


def fixes_for(workspace: Workspace, diagnostic: Diagnostic) -> list[Edit]:
    """The rule's own fixes for one diagnostic (see `suppress` for the suppressions)."""
    rule = RULES.get(diagnostic.code)
    if rule is None:
        return []
    found: list[Edit] = []
    usable, payload = _payload(rule, diagnostic.data)
    if rule.fix is not None and usable:
        try:
            found = rule.fix(workspace, diagnostic, payload)
        except Exception as error:  # noqa: BLE001 - raised in strict mode, else shown
            report_internal_error(workspace, diagnostic.path, diagnostic.range,
                                  f"the quick fix for `{rule.name}`", error)
    return found


def _load() -> None:
    """Import every builder module: each attaches its builders to its rules."""
    from lockstep.codeactions.fixes import (  # noqa: F401
        advisors,
        clone,
        files,
        foreign_keys,
        generated,
        names,
        rls,
        safety,
        sql,
        ts,
    )


def fixable() -> dict[str, Builder]:
    """Rule name → its fix builder. Asked at call time, never snapshotted at import: a builder
    module that imported this one first is still attaching its builders then."""
    return {name: rule.fix for name, rule in RULES.items() if rule.fix is not None}


_load()
