"""Text sync and file watching: open buffers override disk. A change only records the text
and bumps the revision; the analysis (re-parsing that one file) runs off the event loop."""

from __future__ import annotations

from lsprotocol import types as lsp

from lockstep.core.workspace import Workspace
from lockstep.protocol.features.regenerate_on_save import regenerate_on_save
from lockstep.protocol.server import LockstepServer, safe


def _set_buffer(server: LockstepServer, uri: str, text: str | None) -> None:
    relative = server.relative(uri)
    if relative is None or server.index is None:
        return
    server.scheduler.set_text(relative, text)


def _rescan(server: LockstepServer) -> None:
    """Editors that watch no files (Neovim on Linux) still see new migrations on disk, at the
    next open or save (a stat per migration: ~5 ms for 1,000); watching clients tell us."""
    if server.index is None or server.client_watches_files:
        return
    server.scheduler.update(Workspace.rescan_migrations)


def register(server: LockstepServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @safe()
    def did_open(ls: LockstepServer, params: lsp.DidOpenTextDocumentParams) -> None:
        _rescan(ls)
        ls.open_files.pop(params.text_document.uri, None)
        _set_buffer(ls, params.text_document.uri, params.text_document.text)
        ls.open_files[params.text_document.uri] = ls.relative(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    @safe()
    async def did_save(ls: LockstepServer, params: lsp.DidSaveTextDocumentParams) -> None:
        _rescan(ls)
        await regenerate_on_save(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    @safe()
    def did_change(ls: LockstepServer, params: lsp.DidChangeTextDocumentParams) -> None:
        document = ls.workspace.get_text_document(params.text_document.uri)
        _set_buffer(ls, params.text_document.uri, document.source)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    @safe()
    def did_close(ls: LockstepServer, params: lsp.DidCloseTextDocumentParams) -> None:
        _set_buffer(ls, params.text_document.uri, None)
        ls.open_files.pop(params.text_document.uri, None)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @safe()
    def did_change_watched(ls: LockstepServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        if ls.index is None:
            return
        changes = [(ls.relative(c.uri), c.type == lsp.FileChangeType.Deleted)
                   for c in params.changes]

        def apply(workspace: Workspace) -> bool:
            for relative, deleted in changes:
                if relative is None or relative in workspace.overlay:
                    continue  # an open buffer is newer than the disk
                if deleted:
                    workspace.forget(relative)
                else:
                    workspace.refresh(relative)
            return True

        ls.scheduler.update(apply)
