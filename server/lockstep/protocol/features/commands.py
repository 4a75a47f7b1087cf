"""`lockstep.newMigration` (and `lockstep.createFile`): new files, created the safe way.

The client creates the file through workspace/applyEdit (CreateFile, never overwriting) when
it can; otherwise, or when it declines, the server creates it itself with an exclusive open.
Either way the editor is asked to show it and the deployment reminder goes out as a task, so
the command answers without waiting for the person to read it. Every file created or renamed
into, by the client or by the server, must resolve inside the workspace root (core/fs.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types as lsp

from lockstep.codeactions.edits import CreateFile, Edit
from lockstep.codeactions.migration.new import NewMigration, plan_new_migration, write_exclusive
from lockstep.codeactions.migration.reminder import (
    reminder_actions,
    reminder_text,
    workspace_reminder,
)
from lockstep.core.fs import Boundary, OutsideWorkspace
from lockstep.protocol import convert
from lockstep.protocol.features.diagnostics import schedule_publish
from lockstep.protocol.server import LockstepServer, safe

NEW_MIGRATION = "lockstep.newMigration"
CREATE_FILE = "lockstep.createFile"
_TASKS: set[asyncio.Task[None]] = set()


def _can(ls: LockstepServer, operation: lsp.ResourceOperationKind) -> bool:
    """applyEdit, documentChanges, and `operation` among the client's resourceOperations."""
    workspace = ls.client_capabilities.workspace if ls.client_capabilities else None
    if workspace is None or not workspace.apply_edit:
        return False
    edit = workspace.workspace_edit
    if edit is None or not edit.document_changes:
        return False
    return operation in (edit.resource_operations or ())


def can_create_files(ls: LockstepServer) -> bool:
    return _can(ls, lsp.ResourceOperationKind.Create)


def can_rename_files(ls: LockstepServer) -> bool:
    return _can(ls, lsp.ResourceOperationKind.Rename)


def _document_version(ls: LockstepServer, uri: str) -> int | None:
    document = ls.workspace.text_documents.get(uri)
    return document.version if document is not None else None


def confine(ls: LockstepServer, relative: str) -> None:
    """OutsideWorkspace unless a file created at `relative` stays inside the root (its folder
    resolved, links included): no edit of ours may make the editor write elsewhere."""
    Boundary(ls.root).creatable(relative)


def workspace_edit(ls: LockstepServer, edit: Edit) -> lsp.WorkspaceEdit:
    """documentChanges (creates first, renames last) when the client can create or rename
    files, else `changes` (an edit with renames is only built for clients that can rename:
    see `code_actions`). OutsideWorkspace if a create or rename would leave the root."""
    for path in [c.path for c in edit.creates] + [r.new_path for r in edit.renames]:
        confine(ls, path)
    by_uri: dict[str, list[lsp.TextEdit]] = {}
    for text_edit in edit.edits:
        uri = convert.uri_for(ls.root, text_edit.path)
        by_uri.setdefault(uri, []).append(
            lsp.TextEdit(range=convert.range_(text_edit.range), new_text=text_edit.new_text)
        )
    if not can_create_files(ls) and not (edit.renames and can_rename_files(ls)):
        return lsp.WorkspaceEdit(changes=by_uri)
    changes: list[Any] = []
    for create in edit.creates:
        uri = convert.uri_for(ls.root, create.path)
        changes += _create_changes(uri, create.content)
    for uri, edits in by_uri.items():
        identifier = lsp.OptionalVersionedTextDocumentIdentifier(
            uri=uri, version=_document_version(ls, uri)
        )
        changes.append(lsp.TextDocumentEdit(text_document=identifier, edits=edits))
    for rename in edit.renames:
        changes.append(
            lsp.RenameFile(
                old_uri=convert.uri_for(ls.root, rename.old_path),
                new_uri=convert.uri_for(ls.root, rename.new_path),
                options=lsp.RenameFileOptions(overwrite=False, ignore_if_exists=False),
            )
        )
    return lsp.WorkspaceEdit(document_changes=changes)


def _create_changes(uri: str, content: str) -> list[Any]:
    start = lsp.Position(line=0, character=0)
    return [
        lsp.CreateFile(
            uri=uri, options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=False)
        ),
        lsp.TextDocumentEdit(
            text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
            edits=[lsp.TextEdit(range=lsp.Range(start=start, end=start), new_text=content)],
        ),
    ]


async def create_file(ls: LockstepServer, create: CreateFile, label: str) -> str | None:
    """Create one new file (client first, then exclusive create); its URI, or None if taken
    or outside the workspace."""
    try:
        confine(ls, create.path)
    except OutsideWorkspace as error:
        _error(ls, f"refusing to create a file outside the workspace: {error}")
        return None
    uri = convert.uri_for(ls.root, create.path)
    applied = False
    if can_create_files(ls):
        edit = lsp.WorkspaceEdit(document_changes=_create_changes(uri, create.content))
        try:
            result = await ls.workspace_apply_edit_async(
                lsp.ApplyWorkspaceEditParams(edit=edit, label=label)
            )
            applied = bool(result and result.applied)
        except Exception as error:  # noqa: BLE001 - a client error means "not applied"
            ls.log(f"workspace/applyEdit failed ({error}); creating {create.path} on disk")
    if not applied:
        try:
            write_exclusive(ls.root, NewMigration(create.path, create.content, ()))
        except OutsideWorkspace as error:  # the folder was swapped for a link meanwhile
            _error(ls, f"refusing to create a file outside the workspace: {error}")
            return None
        except FileExistsError:
            ls.window_show_message(
                lsp.ShowMessageParams(
                    type=lsp.MessageType.Error,
                    message=f"Lockstep: {create.path} already exists; it was not overwritten.",
                )
            )
            return None
    _index(ls, create)
    await show_document(ls, uri)
    return uri


def _index(ls: LockstepServer, create: CreateFile) -> None:
    """Index the new file now (the editor may keep it as an unsaved buffer for a while)."""
    if ls.index is None:
        return
    if (ls.root / create.path).exists():
        ls.index.refresh(create.path)
    else:
        ls.index.set_overlay(create.path, create.content)
    schedule_publish(ls)


def safe_relative(path: str) -> bool:
    """A workspace-relative path that stays inside the workspace."""
    parts = path.replace("\\", "/").split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and ":" not in path


async def show_document(ls: LockstepServer, uri: str) -> None:
    window = ls.client_capabilities.window if ls.client_capabilities else None
    if not (window and window.show_document and window.show_document.support):
        return
    try:
        await ls.window_show_document_async(lsp.ShowDocumentParams(uri=uri, take_focus=True))
    except Exception as error:  # noqa: BLE001 - showing is a courtesy
        ls.log(f"window/showDocument failed: {error}")


async def remind(ls: LockstepServer, migration: str) -> None:
    """Step 8: apply it to DEV and PROD by hand; buttons open each project's SQL editor."""
    targets = ls.index.config.deploy_targets if ls.index else ()
    text = workspace_reminder(ls.index, migration) if ls.index else reminder_text(migration)
    actions = reminder_actions(targets)
    if not actions:
        ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=text))
        return
    choice = await ls.window_show_message_request_async(
        lsp.ShowMessageRequestParams(
            type=lsp.MessageType.Warning,
            message=text,
            actions=[lsp.MessageActionItem(title=a.title) for a in actions],
        )
    )
    url = next((a.url for a in actions if choice and a.title == choice.title), None)
    if url is not None:
        await ls.window_show_document_async(lsp.ShowDocumentParams(uri=url, external=True))


def _fire(ls: LockstepServer, coroutine: Any) -> None:
    async def guarded() -> None:
        try:
            await coroutine
        except Exception as error:  # noqa: BLE001
            ls.log(f"Deployment reminder failed: {error}", lsp.MessageType.Error)

    task = asyncio.get_running_loop().create_task(guarded())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


def _error(ls: LockstepServer, message: str) -> None:
    ls.window_show_message(
        lsp.ShowMessageParams(type=lsp.MessageType.Error, message=f"Lockstep: {message}")
    )


async def new_migration(ls: LockstepServer, spec: Any) -> str | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("description"), str):
        _error(ls, 'lockstep.newMigration expects [{"description": str, "sql"?: str}]')
        return None
    sql = spec.get("sql")
    if ls.index is None:
        _error(ls, "the workspace is not indexed yet")
        return None
    if not ls.index.migrations:
        # A command that arrives while `initialized` still awaits the client must not number
        # and mirror against an empty index (loading is cheap when there is nothing to load).
        ls.index.load()
    try:
        plan = plan_new_migration(
            ls.index, spec["description"], sql if isinstance(sql, str) else None
        )
    except ValueError as error:
        _error(ls, str(error))
        return None
    uri = await create_file(ls, CreateFile(plan.path, plan.content), f"Create {plan.file_name}")
    if uri is not None:
        _fire(ls, remind(ls, plan.path))
    return uri


def register(server: LockstepServer) -> None:
    @server.command(NEW_MIGRATION)
    @safe()
    async def new_migration_command(ls: LockstepServer, *args: Any) -> str | None:
        return await new_migration(ls, args[0] if args else None)

    @server.command(CREATE_FILE)
    @safe()
    async def create_file_command(ls: LockstepServer, *args: Any) -> str | None:
        spec = args[0] if args else None
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            return None
        if not safe_relative(spec["path"]):
            _error(ls, f"refusing to create {spec['path']!r} outside the workspace")
            return None
        content = spec.get("content") if isinstance(spec.get("content"), str) else ""
        return await create_file(ls, CreateFile(spec["path"], str(content)), "Create file")
