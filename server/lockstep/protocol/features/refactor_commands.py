"""`lockstep.addColumn`: the migration with its mirror, the row-type field and the clone's
keys in one workspace/applyEdit, then the deployment reminder (as for every new migration).

Clients that cannot create files through an edit get the text edits as plain `changes`
first, and the migration written by the server (exclusively, never overwriting) only once
the editor applied them: declining leaves nothing on disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from lockstep.codeactions.edits import Edit
from lockstep.codeactions.migration.new import write_exclusive
from lockstep.core.ide.rename import RefactorRefused
from lockstep.protocol import convert
from lockstep.protocol.features import commands
from lockstep.protocol.features.rename import annotated_edit, remind_later
from lockstep.protocol.projects import ProjectState
from lockstep.protocol.server import LockstepServer, safe

if TYPE_CHECKING:
    from lockstep.codeactions.refactor.rename import RenameEdit

ADD_COLUMN = "lockstep.addColumn"


def _error(ls: LockstepServer, message: str) -> None:
    ls.window_show_message(
        lsp.ShowMessageParams(type=lsp.MessageType.Error, message=f"Lockstep: {message}")
    )


async def _apply(ls: LockstepServer, edit: lsp.WorkspaceEdit, label: str) -> bool:
    try:
        result = await ls.workspace_apply_edit_async(
            lsp.ApplyWorkspaceEditParams(edit=edit, label=label)
        )
    except Exception as error:  # noqa: BLE001 - a client error means "not applied"
        ls.log(f"workspace/applyEdit failed: {error}")
        return False
    return bool(result and result.applied)


async def apply_refactor(ls: LockstepServer, state: ProjectState,
                         result: RenameEdit) -> str | None:
    """Apply the whole edit; the new migration's URI, or None when nothing was applied."""
    title = result.edit.title
    uri = convert.uri_for(state.root, result.migration.path)
    if commands.can_create_files(ls):
        if not await _apply(ls, annotated_edit(ls, state, result.edit, title), title):
            _error(ls, f"{title}: the editor did not apply the edit; nothing was created.")
            return None
    else:
        # The text edits first: the migration is written only once the editor applied them,
        # so declining leaves nothing on disk (as for a rename).
        if (state.root / result.migration.path).exists():  # checked again when written
            _error(ls, f"{result.migration.path} already exists; it was not overwritten.")
            return None
        rest = Edit(title, "refactor", result.edit.edits)
        if rest.edits and not await _apply(ls, commands.workspace_edit(ls, state.root, rest),
                                           title):
            _error(ls, f"{title}: the editor did not apply the edit; nothing was created.")
            return None
        try:
            write_exclusive(state.root, result.migration)
        except FileExistsError:
            _error(ls, f"{result.migration.path} already exists; it was not overwritten.")
            return None
    commands.index_created(state, result.migration.path, result.migration.content)
    await commands.show_document(ls, uri)
    remind_later(ls, state, result.migration.path)
    return uri


async def add_column(ls: LockstepServer, value: Any) -> str | None:
    # Imported on first use: the builders (and the fixes they reuse) are not needed to start.
    from lockstep.codeactions.refactor.add_column import ColumnSpec, build_add_column

    try:
        spec = ColumnSpec.from_json(value)
    except ValueError as error:
        _error(ls, str(error))
        return None
    state = await commands.command_project(ls, value, ADD_COLUMN)
    index = commands.ready_index(state) if state is not None else None
    if state is None or index is None:
        return None
    try:
        result = build_add_column(index, spec)
    except (RefactorRefused, ValueError) as error:
        _error(ls, str(error))
        return None
    return await apply_refactor(ls, state, result)


def register(server: LockstepServer) -> None:
    @server.command(ADD_COLUMN)
    @safe()
    async def add_column_command(ls: LockstepServer, *args: Any) -> str | None:
        return await add_column(ls, args[0] if args else None)
