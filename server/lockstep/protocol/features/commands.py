"""`lockstep.newMigration` (and `lockstep.createFile`): new files, created the safe way.

The client creates the file through workspace/applyEdit (CreateFile, never overwriting) when
it can; otherwise, or when it declines, the server creates it itself with an exclusive open.
Either way the editor is asked to show it and the deployment reminder goes out as a task, so
the command answers without waiting for the person to read it. Every file created or renamed
into, by the client or by the server, must resolve inside the workspace root (core/fs.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
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
from lockstep.core.workspace import Workspace
from lockstep.protocol import convert
from lockstep.protocol.features.diagnostics import schedule_publish
from lockstep.protocol.projects import ProjectState
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


def confine(root: Path, relative: str) -> None:
    """OutsideWorkspace unless a file created at `relative` stays inside the root (its folder
    resolved, links included): no edit of ours may make the editor write elsewhere."""
    Boundary(root).creatable(relative)


def workspace_edit(ls: LockstepServer, root: Path, edit: Edit) -> lsp.WorkspaceEdit:
    """documentChanges (creates first, renames last) when the client can create or rename
    files, else `changes` (an edit with renames is only built for clients that can rename:
    see `code_actions`). Paths are relative to `root` (the project's); OutsideWorkspace if a
    create or rename would leave it."""
    for path in [c.path for c in edit.creates] + [r.new_path for r in edit.renames]:
        confine(root, path)
    by_uri: dict[str, list[lsp.TextEdit]] = {}
    for text_edit in edit.edits:
        uri = convert.uri_for(root, text_edit.path)
        by_uri.setdefault(uri, []).append(
            lsp.TextEdit(range=convert.range_(text_edit.range), new_text=text_edit.new_text)
        )
    if not can_create_files(ls) and not (edit.renames and can_rename_files(ls)):
        return lsp.WorkspaceEdit(changes=by_uri)
    changes: list[Any] = []
    for create in edit.creates:
        uri = convert.uri_for(root, create.path)
        changes += _create_changes(uri, create.content)
    for uri, edits in by_uri.items():
        identifier = lsp.OptionalVersionedTextDocumentIdentifier(
            uri=uri, version=_document_version(ls, uri)
        )
        changes.append(lsp.TextDocumentEdit(text_document=identifier, edits=edits))
    for rename in edit.renames:
        changes.append(
            lsp.RenameFile(
                old_uri=convert.uri_for(root, rename.old_path),
                new_uri=convert.uri_for(root, rename.new_path),
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


async def create_file(ls: LockstepServer, state: ProjectState, create: CreateFile,
                      label: str) -> str | None:
    """Create one new file of the project (client first, then exclusive create); its URI, or
    None if taken or outside the workspace."""
    try:
        confine(state.root, create.path)
    except OutsideWorkspace as error:
        _error(ls, f"refusing to create a file outside the workspace: {error}")
        return None
    uri = convert.uri_for(state.root, create.path)
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
            write_exclusive(state.root, NewMigration(create.path, create.content, ()))
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
    index_created(state, create.path, create.content)
    await show_document(ls, uri)
    return uri


def index_created(state: ProjectState, path: str, content: str) -> None:
    """Index a new file now (the editor may keep it as an unsaved buffer for a while)."""
    if state.index is None:
        return
    if (state.root / path).exists():
        state.index.refresh(path)
    else:
        state.index.set_overlay(path, content)
    schedule_publish(state)


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


async def remind(ls: LockstepServer, state: ProjectState, migration: str) -> None:
    """Step 8: apply it to DEV and PROD by hand; buttons open each project's SQL editor."""
    index = state.index
    targets = index.config.deploy_targets if index else ()
    text = workspace_reminder(index, migration) if index else reminder_text(migration)
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


async def command_project(ls: LockstepServer, spec: Any, command: str) -> ProjectState | None:
    """The project a command acts on: the one holding its `uri` argument (a document or a
    folder); else the only one; else the person picks (a client that cannot ask gets the
    first, in workspace-folder and discovery order). None, with a message, when there is
    none or the person dismisses the question."""
    states = [s for s in ls.projects.states if s.index is not None]
    uri = spec.get("uri") if isinstance(spec, dict) else None
    state = ls.projects.for_argument(uri)
    if state is not None:
        return state
    if len(states) < 2:
        if not states:
            _error(ls, "the workspace is not indexed yet (no Supabase project found)")
        return states[0] if states else None
    labels = project_labels(states)
    try:
        choice = await ls.window_show_message_request_async(lsp.ShowMessageRequestParams(
            type=lsp.MessageType.Info, message=f"Lockstep: {command} in which project?",
            actions=[lsp.MessageActionItem(title=label) for label in labels]))
    except Exception as error:  # noqa: BLE001 - a client that cannot ask: the first one
        ls.log(f"window/showMessageRequest failed ({error}); using {labels[0]}")
        return states[0]
    chosen = [s for s, label in zip(states, labels, strict=True)
              if choice is not None and choice.title == label]
    return chosen[0] if chosen else None


def project_labels(states: list[ProjectState]) -> list[str]:
    """One distinct label per project (its root; with the folder's name when two match)."""
    labels = [s.label for s in states]
    return [f"{label} ({s.root.name})" if labels.count(label) > 1 else label
            for s, label in zip(states, labels, strict=True)]


def ready_index(state: ProjectState) -> Workspace | None:
    """The project's snapshot, loaded: a command that arrives while `initialized` still
    awaits the client must not number and mirror against an empty index (loading is cheap
    when there is nothing to load)."""
    index = state.index
    if index is not None and not index.migrations:
        index.load()
    return index


async def new_migration(ls: LockstepServer, spec: Any) -> str | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("description"), str):
        _error(ls, 'lockstep.newMigration expects [{"description": str, "sql"?: str, '
               '"uri"?: str}]')
        return None
    sql = spec.get("sql")
    state = await command_project(ls, spec, NEW_MIGRATION)
    index = ready_index(state) if state is not None else None
    if state is None or index is None:
        return None
    try:
        plan = plan_new_migration(index, spec["description"], sql if isinstance(sql, str) else None)
    except ValueError as error:
        _error(ls, str(error))
        return None
    uri = await create_file(ls, state, CreateFile(plan.path, plan.content),
                            f"Create {plan.file_name}")
    if uri is not None:
        _fire(ls, remind(ls, state, plan.path))
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
        state = await command_project(ls, spec, CREATE_FILE)
        if state is None:
            return None
        content = spec.get("content") if isinstance(spec.get("content"), str) else ""
        return await create_file(ls, state, CreateFile(spec["path"], str(content)),
                                 "Create file")
