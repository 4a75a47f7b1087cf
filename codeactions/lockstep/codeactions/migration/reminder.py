"""The deployment reminder (workflow step 8): Lockstep reminds, the person applies.

What it says follows the repository's conventions (core/discovery.py): Toney's workflow
pastes each migration into the DEV and PROD SQL editors; a Supabase CLI project applies it with
`supabase migration up` / `supabase db push`, which also record the migration history (pasting
it would not). The protocol sends it as a message (with one button per configured Supabase
project that opens its SQL editor); the CLI prints the same text.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from lockstep.core.config import DeployTarget
from lockstep.core.discovery import SUPABASE_CLI, TONEY, conventions
from lockstep.core.workspace import Workspace

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


CLI_NEXT_STEPS = (
    "regenerate the types (`supabase gen types typescript --local`)",
    "update the code that reads or writes the table",
)


def reminder_text(
    migration: str, targets: Sequence[DeployTarget] = (), in_force: Collection[str] = (TONEY,)
) -> str:
    """What to tell the person after `migration` was created (a path or file name)."""
    if TONEY not in in_force:
        return _cli_text(migration, targets, SUPABASE_CLI in in_force)
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


def _cli_text(migration: str, targets: Sequence[DeployTarget], cli: bool) -> str:
    lines = [f"{migration} is not applied yet."]
    if cli:
        lines += [
            "- local database: `supabase migration up`",
            "- linked project: `supabase db push`"
            + (f" (projects: {', '.join(t.name for t in targets)})" if targets else ""),
            "Apply it with the CLI, not the SQL editor: the CLI records it in the migration "
            "history (supabase_migrations.schema_migrations).",
        ]
    else:
        lines += ["Apply it with the tool that runs this repository's migrations."]
    lines += [
        "Lockstep did not apply this migration and never will: you must apply it yourself.",
        "Still to do: " + "; ".join(CLI_NEXT_STEPS) + ".",
    ]
    return "\n".join(lines)


def workspace_reminder(workspace: Workspace, migration: str) -> str:
    """The reminder for `migration` in this workspace's conventions."""
    return reminder_text(migration, workspace.config.deploy_targets, conventions(workspace))


def reminder_actions(targets: Sequence[DeployTarget]) -> list[ReminderAction]:
    return [ReminderAction(f"Open {t.name} SQL Editor", t.sql_editor_url) for t in targets]
