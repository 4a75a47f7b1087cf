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
from lockstep.protocol.features.commands import create_file, safe_relative, workspace_edit
from lockstep.protocol.features.diagnostics import schedule_publish
from lockstep.protocol.server import LockstepServer, safe

GENERATE_TYPES = "lockstep.generateTypes"


def _message(ls: LockstepServer, text: str) -> None:
    ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error,
                                                 message=f"Lockstep: {text}"))


async def generate_types(ls: LockstepServer, spec: Any) -> str | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
        _message(ls, 'lockstep.generateTypes expects [{"path": str, "schemas"?: [str]}]')
        return None
    path = spec["path"]
    if ls.index is None or not safe_relative(path):
        _message(ls, f"refusing to write {path!r} outside the workspace")
        return None
    if not ls.index.migrations:
        ls.index.load()  # the command may arrive before `initialized` finished indexing
    current = ls.index.read(path) if (ls.root / path).exists() else None
    if current is not None and not looks_generated(current):
        _message(ls, f"{path} is not a generated types file; it was not replaced")
        return None
    committed = read_declarations(path, current) if current is not None else None
    schemas = spec.get("schemas")
    if not (isinstance(schemas, list) and all(isinstance(s, str) for s in schemas)):
        schemas = committed.schemas if committed else exposed_schemas(
            ls.root, ls.index.config.migration_paths)
    text = generate_typescript(metadata(ls.index.replay.schema, list(schemas)),
                               postgrest_version=committed.postgrest_version if committed
                               else None, era=types_era(ls.index.read, current))
    if current is None:
        return await create_file(ls, CreateFile(path, text), "Generate types")
    uri = convert.uri_for(ls.root, path)
    if current == text:
        return uri
    whole = TextEdit(path, LineIndex(current).range(0, len(current)), text)
    edit = workspace_edit(ls, Edit("Regenerate types", "source", (whole,)))
    result = await ls.workspace_apply_edit_async(
        lsp.ApplyWorkspaceEditParams(edit=edit, label="Regenerate types"))
    if not (result and result.applied):
        return None
    on_disk = (ls.root / path).read_text(encoding="utf-8", errors="replace")
    if on_disk == text:  # the client saved it: index the file
        ls.index.refresh(path)
    else:  # the client holds it in a buffer (it sends didOpen/didChange for it)
        ls.index.set_overlay(path, text)
    schedule_publish(ls)
    return uri


def register(server: LockstepServer) -> None:
    @server.command(GENERATE_TYPES)
    @safe()
    async def generate_types_command(ls: LockstepServer, *args: Any) -> str | None:
        return await generate_types(ls, args[0] if args else None)
