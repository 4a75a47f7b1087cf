"""The "did you mean" and "dropped in" hints shared by the type and consumer rules.

A name that matches no column is most often a column a migration dropped or renamed, or a
typo; both the row-type rules and the `.from()` reference rules say which, the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from lockstep.core.diagnostics import Related
from lockstep.core.model import Table
from lockstep.core.spelling import closest
from lockstep.core.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Hint:
    """Why a name matches no column: the tail of the message, where it went, a suggestion."""

    text: str
    related: list[Related]
    suggestion: str | None


def missing_column_hint(
    workspace: Workspace, table: Table, name: str, candidates: list[str]
) -> Hint:
    """` (dropped in 014_….sql). Did you mean `x`?` for a name that is not a column."""
    removed = removed_column(workspace, table, name)
    suggestion = removed[1] if removed and removed[1] else closest(name, candidates)
    text = f" ({removed[0].message})" if removed is not None else ""
    if suggestion:
        text += f". Did you mean `{suggestion}`?"
    return Hint(text, [removed[0]] if removed is not None else [], suggestion)


def removed_column(
    workspace: Workspace, table: Table, name: str
) -> tuple[Related, str | None] | None:
    """The migration that dropped or renamed `table.name` (the last one), and the new name."""
    found: tuple[Related, str | None] | None = None
    renamed = f"rename column {table.name}.{name} to "
    for path, events in workspace.replay.events.items():
        file = path.rpartition("/")[2]
        for event in events:
            if event.table != (table.schema, table.name):
                continue
            if event.kind == "drop-column" and name in event.columns:
                found = (Related(event.location, f"dropped in {file}"), None)
            elif event.kind == "rename-column" and event.action.startswith(renamed):
                new = event.columns[0] if event.columns else None
                found = (Related(event.location, f"renamed to `{new}` in {file}"), new)
    return found
