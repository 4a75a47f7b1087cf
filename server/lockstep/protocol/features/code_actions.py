"""textDocument/codeAction: quick fixes bound to diagnostics, and "new migration" actions.

The edits are built by `lockstep.codeactions` (plain data); this module only converts them.
"""

from __future__ import annotations

from enum import Enum

from lsprotocol import types as lsp

from lockstep.codeactions.edits import Edit
from lockstep.codeactions.fixes.suppress import suppressions
from lockstep.codeactions.migration.extract import EXTRACT_TITLE, describe_sql, selection_sql
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import reported_errors
from lockstep.core.text import LineIndex
from lockstep.protocol import convert
from lockstep.protocol.features.commands import (
    CREATE_FILE,
    NEW_MIGRATION,
    can_create_files,
    can_rename_files,
    workspace_edit,
)
from lockstep.protocol.features.diagnostics import schedule_publish
from lockstep.protocol.projects import ProjectState
from lockstep.protocol.server import LockstepServer, fresh, safe

SUPPRESS = "quickfix.suppress"  # a quick fix, but not the rule's own: editors list it last
KINDS: dict[str, lsp.CodeActionKind | str] = {
    "quickfix": lsp.CodeActionKind.QuickFix,
    "suppress": SUPPRESS,
    "refactor": lsp.CodeActionKind.RefactorExtract,
    "source": lsp.CodeActionKind.Source,
}


def _core_diagnostic(state: ProjectState, path: str, item: lsp.Diagnostic) -> Diagnostic:
    """The server's own diagnostic (with its `data`) when it is still published."""
    core_range = convert.core_range(item.range)
    for published in state.published.get(path, []):
        if published.code == item.code and published.range == core_range:
            return published
    data = item.data if isinstance(item.data, dict) else None
    severity = {1: "error", 2: "warning", 3: "information", 4: "hint"}.get(
        int(item.severity or 1), "error"
    )
    return Diagnostic(path, core_range, severity, str(item.code), item.message, (), data)


def _with_uri(arguments: object, uri: str) -> list[object]:
    """A command's arguments naming the document it came from (its project, among several)."""
    items = list(arguments) if isinstance(arguments, (list, tuple)) else [arguments]
    if items and isinstance(items[0], dict) and "uri" not in items[0]:
        items[0] = {**items[0], "uri": uri}
    return items


def _action(ls: LockstepServer, state: ProjectState, uri: str, edit: Edit,
            item: lsp.Diagnostic | None) -> lsp.CodeAction:
    command: lsp.Command | None = None
    if edit.command is not None:
        name, arguments = edit.command
        command = lsp.Command(title=edit.title, command=name,
                              arguments=_with_uri(arguments, uri))
    elif edit.creates and not can_create_files(ls):
        # The client cannot create files: the server creates it (exclusively) instead.
        create = edit.creates[0]
        command = lsp.Command(
            title=edit.title,
            command=CREATE_FILE,
            arguments=[{"path": create.path, "content": create.content, "uri": uri}],
        )
    changes = edit.edits or edit.renames or (edit.creates and command is None)
    workspace = workspace_edit(ls, state.root, edit) if changes else None
    return lsp.CodeAction(
        title=edit.title,
        kind=KINDS.get(edit.kind, lsp.CodeActionKind.QuickFix),
        diagnostics=[item] if item is not None else None,
        is_preferred=edit.is_preferred or None,
        edit=workspace,
        command=command,
    )


def _extract(ls: LockstepServer, state: ProjectState, path: str,
             params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    if not path.endswith(".sql") or params.range.start == params.range.end or state.index is None:
        return []
    document = ls.workspace.text_documents.get(params.text_document.uri)
    text = document.source if document is not None else state.index.read(path)
    if text is None:
        return []
    lines = LineIndex(text)
    start = lines.offset(convert.core_position(params.range.start))
    end = lines.offset(convert.core_position(params.range.end))
    sql = selection_sql(text[start:end])
    if sql is None:
        return []
    arguments = [{"description": describe_sql(sql), "sql": sql, "uri": params.text_document.uri}]
    return [
        lsp.CodeAction(
            title=EXTRACT_TITLE,
            kind=lsp.CodeActionKind.RefactorExtract,
            command=lsp.Command(title=EXTRACT_TITLE, command=NEW_MIGRATION, arguments=arguments),
        )
    ]


def _kind_text(kind: object) -> str:
    """`CodeActionKind.QuickFix` and `"quickfix"` alike (str() of a str-Enum is its name)."""
    return str(kind.value) if isinstance(kind, Enum) else str(kind or "")


def _wanted(action: lsp.CodeAction, only: list[str] | None) -> bool:
    if not only:
        return True
    kind = _kind_text(action.kind)
    return any(kind == _kind_text(o) or kind.startswith(_kind_text(o) + ".") for o in only)


def code_actions(ls: LockstepServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    routed = ls.project_at(uri)
    if routed is None or routed[0].index is None:
        return []
    state, path = routed
    index = routed[0].index
    actions: list[lsp.CodeAction] = []
    for item in params.context.diagnostics:
        if item.source not in (None, "lockstep") or item.code is None:
            continue
        diagnostic = _core_diagnostic(state, path, item)
        errors = len(reported_errors(index))
        # Imported on first use (the scheduler's warm-up imports it after the first
        # diagnostics): every fix builder loading made a cold start 0.2 s slower.
        from lockstep.codeactions.fixes.registry import fixes_for

        for edit in fixes_for(index, diagnostic) + suppressions(index, diagnostic):
            if edit.renames and not can_rename_files(ls):
                continue  # a rename cannot be written as plain text edits: no fix offered
            actions.append(_action(ls, state, uri, edit, item))
        if len(reported_errors(index)) != errors:
            schedule_publish(state)  # a fix builder failed: show its internal-error
    actions += _extract(ls, state, path, params)
    only = list(params.context.only) if params.context.only else None
    return [a for a in actions if _wanted(a, only)]


def register(server: LockstepServer) -> None:
    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(
            code_action_kinds=[
                lsp.CodeActionKind.QuickFix,
                lsp.CodeActionKind.RefactorExtract,
                lsp.CodeActionKind.Source,
            ]
        ),
    )
    @safe([])
    @fresh
    def code_action(ls: LockstepServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return code_actions(ls, params)
