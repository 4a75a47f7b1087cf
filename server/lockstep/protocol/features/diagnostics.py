"""Diagnostics, pushed or pulled (never both: an editor would show each one twice).

A client that offers pull (`textDocument.diagnostic`) and can be told to pull again
(`workspace.diagnostics.refreshSupport`: VS Code with vscode-languageclient 9) pulls; every
other client (Neovim 0.11 offers pull but no refresh, so a migration edit could never update
a TS file's diagnostics) gets `publishDiagnostics`, and the server then declares no
`diagnosticProvider`, so it never pulls. Each analysis pushes only the files whose
diagnostics changed; pulled reports carry a result id per file, `unchanged` when it matches.
"""

from __future__ import annotations

import functools
import itertools

from lsprotocol import types as lsp

from lockstep.core.diagnostics import Diagnostic
from lockstep.protocol import convert
from lockstep.protocol.projects import ProjectState
from lockstep.protocol.server import LockstepServer, safe

IDENTIFIER = "lockstep"
_IDS = itertools.count(1)


def client_pulls(capabilities: lsp.ClientCapabilities) -> bool:
    document = capabilities.text_document
    workspace = capabilities.workspace
    refresh = workspace.diagnostics.refresh_support if workspace and workspace.diagnostics \
        else None
    return bool(document and document.diagnostic is not None and refresh)


def publish(server: LockstepServer, state: ProjectState,
            current: dict[str, list[Diagnostic]]) -> None:
    """Keep a project's newest diagnostics; push the files that changed (or ask a pulling
    client to pull again)."""
    changed = [path for path in sorted(set(current) | set(state.published))
               if current.get(path, []) != state.published.get(path, [])
               or path not in state.published]
    state.published = {path: items for path, items in current.items() if items}
    for path in changed:
        state.result_ids[path] = str(next(_IDS))
    if server.pull:
        if changed:
            server.workspace_diagnostic_refresh(None)
        return
    for path in changed:
        uri = convert.uri_for(state.root, path)
        document = server.workspace.text_documents.get(uri)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=[convert.diagnostic(state.root, d) for d in current.get(path, [])],
                version=document.version if document is not None else None,
            )
        )


def schedule_publish(state: ProjectState) -> None:
    """The project's index changed in place (or a fix builder failed): analyse and publish
    again."""
    state.scheduler.reanalyse()


def _items(state: ProjectState, path: str) -> list[lsp.Diagnostic]:
    return [convert.diagnostic(state.root, d) for d in state.published.get(path, [])]


def register(server: LockstepServer) -> None:
    server.projects.publish = functools.partial(publish, server)

    @server.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, lsp.DiagnosticOptions(
        identifier=IDENTIFIER, inter_file_dependencies=True, workspace_diagnostics=True))
    @safe(default=None)
    async def document_diagnostic(
        ls: LockstepServer, params: lsp.DocumentDiagnosticParams
    ) -> lsp.DocumentDiagnosticReport | None:
        routed = ls.project_at(params.text_document.uri)
        if routed is None:
            return lsp.RelatedFullDocumentDiagnosticReport(items=[])
        state, path = routed
        await state.scheduler.diagnostics_for_now()
        result_id = state.result_ids.setdefault(path, "0")
        if params.previous_result_id == result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(items=_items(state, path),
                                                       result_id=result_id)

    @server.feature(lsp.WORKSPACE_DIAGNOSTIC)
    @safe(default=None)
    async def workspace_diagnostic(
        ls: LockstepServer, params: lsp.WorkspaceDiagnosticParams
    ) -> lsp.WorkspaceDiagnosticReport | None:
        states = list(ls.projects.states)
        for state in states:
            await state.scheduler.diagnostics_for_now()
        previous = {p.uri: p.value for p in params.previous_result_ids}
        reports: list[lsp.WorkspaceDocumentDiagnosticReport] = []
        for state in states:
            for path, result_id in sorted(state.result_ids.items()):
                uri = convert.uri_for(state.root, path)
                document = ls.workspace.text_documents.get(uri)
                version = document.version if document is not None else None
                if previous.get(uri) == result_id:
                    reports.append(lsp.WorkspaceUnchangedDocumentDiagnosticReport(
                        uri=uri, version=version, result_id=result_id))
                else:
                    reports.append(lsp.WorkspaceFullDocumentDiagnosticReport(
                        uri=uri, version=version, items=_items(state, path),
                        result_id=result_id))
        return lsp.WorkspaceDiagnosticReport(items=reports)
