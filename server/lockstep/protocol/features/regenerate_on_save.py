"""`types.regenerate = "on-save"` (lockstep.toml): saving a migration regenerates the
generated types files it made stale.

Lockstep never writes them itself: the whole-file edit goes to the client through
workspace/applyEdit (labelled, so the editor shows it and can undo it), and a message says
which files changed. Nothing happens while a migration does not parse or the migrations do
not create every table the file describes (the regenerated file would lose them).
"""

from __future__ import annotations

from lsprotocol import types as lsp

from lockstep.codeactions.edits import Edit
from lockstep.core.workspace import Kind
from lockstep.protocol.features.commands import workspace_edit
from lockstep.protocol.features.diagnostics import schedule_publish
from lockstep.protocol.server import LockstepServer

LABEL = "Regenerate types (types.regenerate = \"on-save\")"


async def regenerate_on_save(ls: LockstepServer, uri: str) -> list[str]:
    """The types files the client rewrote (paths relative to the saved file's project)."""
    routed = ls.project_at(uri)
    if routed is None:
        return []
    state, relative = routed
    if state.index is None or state.index.config.types_regenerate != "on-save":
        return []
    if state.index.classify(relative) != Kind.MIGRATION:
        return []
    await state.scheduler.snapshot_for(relative)
    workspace = state.index
    if workspace is None:
        return []
    from lockstep.codeactions.fixes.generated import regenerated_types  # not needed to start

    edits = regenerated_types(workspace)
    if not edits:
        return []
    result = await ls.workspace_apply_edit_async(lsp.ApplyWorkspaceEditParams(
        edit=workspace_edit(ls, state.root, Edit(LABEL, "source", tuple(edits))), label=LABEL))
    if not (result and result.applied):
        return []
    paths = [e.path for e in edits]
    for edit in edits:
        on_disk = (state.root / edit.path).read_text(encoding="utf-8", errors="replace")
        if on_disk == edit.new_text:  # the client saved it
            workspace.refresh(edit.path)
        else:  # held in a buffer: didOpen/didChange follow
            workspace.set_overlay(edit.path, edit.new_text)
    ls.window_show_message(lsp.ShowMessageParams(
        type=lsp.MessageType.Info,
        message=f"Lockstep regenerated {', '.join(paths)} from the migrations "
                "(types.regenerate = \"on-save\" in lockstep.toml)"))
    schedule_publish(state)
    return paths
