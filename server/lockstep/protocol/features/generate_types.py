"""`lockstep.generateTypes` — arguments `[{"path": str, "schemas"?: [str]}]`: write Supabase's
generated `Database` types for the migrations into `path` (relative to the workspace root).

A new file is created (never over an existing one); an existing generated types file is
replaced as a whole through workspace/applyEdit, so the editor can undo it; any other file
is left alone. Answers the file's URI, or None when nothing was written.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp

from lockstep.cli.gen import exposed_schemas
from lockstep.codeactions.edits import CreateFile, Edit, TextEdit
from lockstep.core.gen.declarations import read_declarations
from lockstep.core.gen.eras import types_era
from lockstep.core.gen.from_model import metadata
from lockstep.core.gen.stale import looks_generated
from lockstep.core.gen.typescript import generate_typescript
from lockstep.core.text import LineIndex
from lockstep.protocol import convert
from lockstep.protocol.features.commands import (
    command_project,
    create_file,
    ready_index,
    safe_relative,
    workspace_edit,
)
from lockstep.protocol.features.diagnostics import schedule_publish
from lockstep.protocol.projects import ProjectState
from lockstep.protocol.server import LockstepServer, safe

GENERATE_TYPES = "lockstep.generateTypes"


def _message(ls: LockstepServer, text: str) -> None:
    ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error,
                                                 message=f"Lockstep: {text}"))


def _project_for_path(ls: LockstepServer, path: str) -> ProjectState | None:
    """The project that owns `path` (relative to a served root), in folder order."""
    for state in ls.projects.states:
        if state.index is not None and state.owns(path):
            return state
    return None


async def generate_types(ls: LockstepServer, spec: Any) -> str | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
        _message(ls, 'lockstep.generateTypes expects [{"path": str, "schemas"?: [str], '
                 '"uri"?: str}]')
        return None
    path = spec["path"]
    if not safe_relative(path):
        _message(ls, f"refusing to write {path!r} outside the workspace")
        return None
    state = _project_for_path(ls, path) if "uri" not in spec else None
    if state is None:
        state = await command_project(ls, spec, GENERATE_TYPES)
    index = ready_index(state) if state is not None else None
    if state is None or index is None:
        return None
    root = state.root
    current = index.read(path) if (root / path).exists() else None
    if current is not None and not looks_generated(current):
        _message(ls, f"{path} is not a generated types file; it was not replaced")
        return None
    committed = read_declarations(path, current) if current is not None else None
    schemas = spec.get("schemas")
    if not (isinstance(schemas, list) and all(isinstance(s, str) for s in schemas)):
        schemas = committed.schemas if committed else exposed_schemas(
            root, index.config.migration_paths)
    text = generate_typescript(metadata(index.replay.schema, list(schemas)),
                               postgrest_version=committed.postgrest_version if committed
                               else None, era=types_era(index.read, current))
    if current is None:
        return await create_file(ls, state, CreateFile(path, text), "Generate types")
    uri = convert.uri_for(root, path)
    if current == text:
        return uri
    whole = TextEdit(path, LineIndex(current).range(0, len(current)), text)
    edit = workspace_edit(ls, root, Edit("Regenerate types", "source", (whole,)))
    result = await ls.workspace_apply_edit_async(
        lsp.ApplyWorkspaceEditParams(edit=edit, label="Regenerate types"))
    if not (result and result.applied):
        return None
    on_disk = (root / path).read_text(encoding="utf-8", errors="replace")
    if on_disk == text:  # the client saved it: index the file
        index.refresh(path)
    else:  # the client holds it in a buffer (it sends didOpen/didChange for it)
        index.set_overlay(path, text)
    schedule_publish(state)
    return uri


def register(server: LockstepServer) -> None:
    @server.command(GENERATE_TYPES)
    @safe()
    async def generate_types_command(ls: LockstepServer, *args: Any) -> str | None:
        return await generate_types(ls, args[0] if args else None)
