"""The deployment reminder (workflow step 8): Lockstep reminds, the person applies.

The protocol sends it as a message (with one button per configured Supabase project that
opens its SQL editor); the CLI prints the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lockstep.core.config import DeployTarget

NEXT_STEPS = (
    "update the row type in packages/types/src/ (and its export in index.ts)",
    "update every consumer of the table (API routes, hooks, ToneyContext, admin queries, "
    "packages/coaching, after() callbacks)",
    "update the simulator clone route (apps/admin/src/app/api/simulator/personas/clone/"
    "route.ts) so it SELECTs and INSERTs every column",
    "run `pnpm build` to catch type errors",
)


@dataclass(frozen=True, slots=True)
class ReminderAction:
    title: str  # the button
    url: str  # the project's SQL editor


def _purpose(name: str) -> str:
    lowered = name.lower()
    if "prod" in lowered:
        return "apply when deploying to production"
    if "dev" in lowered or "stag" in lowered:
        return "apply now for testing"
    return "apply it there too"


def reminder_text(migration: str, targets: Sequence[DeployTarget] = ()) -> str:
    """What to tell the person after `migration` was created (a path or file name)."""
    lines = [f"{migration} needs to be applied to both Supabase projects:"]
    if targets:
        lines += [f"- {t.name}: {t.project_ref}.supabase.co — {_purpose(t.name)}" for t in targets]
    else:
        lines += ["- DEV — apply now for testing", "- PROD — apply when deploying to production"]
    lines += [
        "Run the SQL in each project's SQL Editor (Supabase Dashboard → SQL Editor → paste → Run).",
        "Lockstep did not apply this migration and never will: you must apply it yourself.",
        "Still to do: " + "; ".join(NEXT_STEPS) + ".",
    ]
    return "\n".join(lines)


def reminder_actions(targets: Sequence[DeployTarget]) -> list[ReminderAction]:
    return [ReminderAction(f"Open {t.name} SQL Editor", t.sql_editor_url) for t in targets]
