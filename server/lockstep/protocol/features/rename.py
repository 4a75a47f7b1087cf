"""Feature: textDocument/prepareRename and textDocument/rename on tables and columns.

The answer is one WorkspaceEdit: CreateFile for the new migration (never overwriting), then
the text edits, each annotated (`needsConfirmation`) so VS Code opens its refactor preview.
A client that cannot create files through an edit (Neovim's captured capabilities) gets the
text edits through workspace/applyEdit first, and the server writes the migration itself,
exclusively, only once the client has applied them: a client that declines or fails leaves
nothing on disk (the rename answers an empty edit). Without workspace/applyEdit the server
writes it and answers the text edits as plain `changes`, as `lockstep.newMigration` does.
Refusals are request errors whose message the editor shows.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from lockstep.codeactions.edits import Edit
from lockstep.codeactions.migration.new import write_exclusive
from lockstep.core.ide.rename import (
    RefactorRefused,
    RenamePlan,
    check_dynamic,
    plan_rename,
    subject_at,
)
from lockstep.protocol import convert
from lockstep.protocol.features import commands
from lockstep.protocol.features.diagnostics import schedule_publish
from lockstep.protocol.projects import ProjectState
from lockstep.protocol.server import LockstepServer

if TYPE_CHECKING:
    from lockstep.codeactions.refactor.rename import RenameEdit

REQUEST_FAILED = -32803
_REVIEW_SHOWN = 10
_TASKS: set[asyncio.Task[None]] = set()
_ANNOTATIONS = {
    "migration": "New migration (with its sim_ mirror)",
    "types": "Row types",
    "code": "Consumers and the simulator clone",
}


def refused(message: str) -> JsonRpcException:
    return JsonRpcException(message=f"Lockstep: {message}", code=REQUEST_FAILED)


def _guarded(ls: LockstepServer, name: str, run: Callable[[], Any]) -> Any:
    """A refusal becomes the request's error (the editor shows it); anything else is logged."""
    try:
        return run()
    except RefactorRefused as error:
        raise refused(str(error)) from error
    except JsonRpcException:
        raise
    except Exception:  # noqa: BLE001 - no handler may raise an internal error to the client
        ls.log(f"{name} failed:\n{traceback.format_exc()}", lsp.MessageType.Error)
        return None


def _annotations_supported(ls: LockstepServer) -> bool:
    workspace = ls.client_capabilities.workspace if ls.client_capabilities else None
    edit = workspace.workspace_edit if workspace else None
    return bool(edit and edit.change_annotation_support is not None)


def _group(state: ProjectState, path: str) -> str:
    if state.index is not None and path in state.index.types_files:
        return "types"
    return "code"


def annotated_edit(ls: LockstepServer, state: ProjectState, edit: Edit,
                   label: str) -> lsp.WorkspaceEdit:
    """documentChanges with change annotations (VS Code's refactor preview)."""
    annotate = _annotations_supported(ls)
    changes: list[Any] = []
    for create in edit.creates:
        uri = convert.uri_for(state.root, create.path)
        start = lsp.Position(line=0, character=0)
        changes.append(
            lsp.CreateFile(
                uri=uri,
                options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=False),
                annotation_id="migration" if annotate else None,
            )
        )
        content = lsp.TextEdit(range=lsp.Range(start=start, end=start), new_text=create.content)
        changes.append(_document_edit(uri, None, [content], "migration" if annotate else None))
    by_path: dict[str, list[lsp.TextEdit]] = {}
    for text_edit in edit.edits:
        by_path.setdefault(text_edit.path, []).append(
            lsp.TextEdit(range=convert.range_(text_edit.range), new_text=text_edit.new_text)
        )
    for path, edits in by_path.items():
        uri = convert.uri_for(state.root, path)
        version = _version(ls, uri)
        changes.append(_document_edit(uri, version, edits,
                                      _group(state, path) if annotate else None))
    annotations = (
        {
            key: lsp.ChangeAnnotation(label=text, needs_confirmation=True, description=label)
            for key, text in _ANNOTATIONS.items()
        }
        if annotate
        else None
    )
    return lsp.WorkspaceEdit(document_changes=changes, change_annotations=annotations)


def _version(ls: LockstepServer, uri: str) -> int | None:
    document = ls.workspace.text_documents.get(uri)
    return document.version if document is not None else None


def _document_edit(
    uri: str, version: int | None, edits: list[lsp.TextEdit], annotation: str | None
) -> lsp.TextDocumentEdit:
    items: list[Any] = edits
    if annotation is not None:
        items = [
            lsp.AnnotatedTextEdit(range=e.range, new_text=e.new_text, annotation_id=annotation)
            for e in edits
        ]
    return lsp.TextDocumentEdit(
        text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
        edits=items,
    )


def refactor_edit(ls: LockstepServer, state: ProjectState, result: RenameEdit) -> lsp.WorkspaceEdit:
    """The edit for this client, creating the migration on disk when the client cannot; then
    the deployment reminder (as for every new migration)."""
    if commands.can_create_files(ls):
        answer = annotated_edit(ls, state, result.edit, result.edit.title)
    else:
        _write_migration(state, result)
        answer = commands.workspace_edit(
            ls, state.root, Edit(result.edit.title, "refactor", result.edit.edits))
    remind_later(ls, state, result.migration.path)
    return answer


def _applies_edits(ls: LockstepServer) -> bool:
    workspace = ls.client_capabilities.workspace if ls.client_capabilities else None
    return bool(workspace and workspace.apply_edit)


def _write_migration(state: ProjectState, result: RenameEdit) -> None:
    try:
        write_exclusive(state.root, result.migration)
    except FileExistsError as error:
        raise refused(f"{result.migration.path} already exists; not overwriting it") from error
    if state.index is not None:
        state.index.refresh(result.migration.path)
        schedule_publish(state)


async def accepted_then_written(
    ls: LockstepServer, state: ProjectState, result: RenameEdit
) -> lsp.WorkspaceEdit:
    """For a client that cannot create files: the text edits through workspace/applyEdit,
    then (only when applied) the migration; the rename itself answers an empty edit."""
    if commands.can_create_files(ls) or not _applies_edits(ls):
        return refactor_edit(ls, state, result)
    title = result.edit.title
    answer = await ls.workspace_apply_edit_async(lsp.ApplyWorkspaceEditParams(
        edit=commands.workspace_edit(ls, state.root, Edit(title, "refactor", result.edit.edits)),
        label=title))
    if not (answer and answer.applied):
        reason = f" ({answer.failure_reason})" if answer and answer.failure_reason else ""
        ls.window_show_message(lsp.ShowMessageParams(
            type=lsp.MessageType.Info,
            message=f"Lockstep: the editor did not apply \"{title}\"{reason}; "
                    f"{result.migration.path} was not written"))
        return lsp.WorkspaceEdit(changes={})
    _write_migration(state, result)
    remind_later(ls, state, result.migration.path)
    return lsp.WorkspaceEdit(changes={})


def remind_later(ls: LockstepServer, state: ProjectState, migration: str) -> None:
    """Step 8 as a task: the request answers without waiting for the person."""

    async def guarded() -> None:
        try:
            await commands.remind(ls, state, migration)
        except Exception as error:  # noqa: BLE001
            ls.log(f"Deployment reminder failed: {error}", lsp.MessageType.Error)

    task = asyncio.get_running_loop().create_task(guarded())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)




def _show_review(ls: LockstepServer, plan: RenamePlan) -> None:
    """The places Lockstep left alone (result reads, opaque writes, function bodies)."""
    if not plan.review:
        return
    lines = [
        f"- {r.location.path}:{r.location.range.start.line + 1}: {r.reason}"
        for r in plan.review[:_REVIEW_SHOWN]
    ]
    if len(plan.review) > _REVIEW_SHOWN:
        lines.append(f"- and {len(plan.review) - _REVIEW_SHOWN} more")
    ls.window_show_message(lsp.ShowMessageParams(
        type=lsp.MessageType.Warning,
        message=f"Lockstep: after renaming {plan.subject.label}, check by hand:\n"
        + "\n".join(lines),
    ))


def register(server: LockstepServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(
        ls: LockstepServer, params: lsp.PrepareRenameParams
    ) -> lsp.PrepareRenamePlaceholder | None:
        def run() -> lsp.PrepareRenamePlaceholder | None:
            routed = ls.project_at(params.text_document.uri)
            index = routed[0].index if routed is not None else None
            if routed is None or index is None:
                return None
            subject = subject_at(index, routed[1], convert.core_position(params.position))
            check_dynamic(index, subject)
            if subject.range is None:
                return None
            return lsp.PrepareRenamePlaceholder(
                range=convert.range_(subject.range), placeholder=subject.old
            )

        result: lsp.PrepareRenamePlaceholder | None = _guarded(ls, "prepareRename", run)
        return result

    @server.feature(lsp.TEXT_DOCUMENT_RENAME)
    async def rename(ls: LockstepServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        # Imported on first use: the builders are not needed to start.
        from lockstep.codeactions.refactor.rename import build_rename

        def run() -> tuple[ProjectState, RenameEdit, RenamePlan] | None:
            routed = ls.project_at(params.text_document.uri)
            index = routed[0].index if routed is not None else None
            if routed is None or index is None:
                return None
            subject = subject_at(index, routed[1], convert.core_position(params.position))
            keep = index.config.rename_keep_result_keys
            plan = plan_rename(index, subject, params.new_name, keep)
            objects = index.config.rename_objects
            return routed[0], build_rename(index, plan, keep, objects=objects), plan

        built: tuple[ProjectState, RenameEdit, RenamePlan] | None = _guarded(ls, "rename", run)
        if built is None:
            return None
        state, result, plan = built
        try:
            answer = await accepted_then_written(ls, state, result)
        except JsonRpcException:
            raise
        except Exception:  # noqa: BLE001 - logged, never an internal error to the client
            ls.log(f"rename failed:\n{traceback.format_exc()}", lsp.MessageType.Error)
            return None
        _show_review(ls, plan)
        return answer
