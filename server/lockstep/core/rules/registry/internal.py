"""The rule that shows Lockstep's own failures instead of hiding them."""

from __future__ import annotations

from lockstep.core.rules.registry import rule

INTERNAL_ERROR = rule(
    "internal-error", "error", "internal",
    "An exception inside Lockstep (a rule check, the schema replay or a quick fix).",
    "A failing check would otherwise leave its findings out in silence, and a statement the "
    "replay cannot follow would leave the schema model wrong with no sign of it. Lockstep "
    "shows the failure on the file it happened in, and logs the traceback; please report it. "
    "The tests run in strict mode (`LOCKSTEP_STRICT=1`), where the exception fails the test.",
    "-- any input that makes a Lockstep rule raise",
    "-- the same input, after the bug is fixed",
)
