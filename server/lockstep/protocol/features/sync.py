"""Text sync and file watching: open buffers override disk. A change only records the text
and bumps its project's revision; the analysis (re-parsing that one file) runs off the event
loop. A buffer goes to the project that owns it (lockstep.toml to every project of its
folder); a file of no project is kept by pygls only."""

from __future__ import annotations

from lsprotocol import types as lsp

from lockstep.core.analysis import Edit
from lockstep.core.workspace import Workspace
from lockstep.protocol.features.lifecycle import replan
from lockstep.protocol.features.regenerate_on_save import regenerate_on_save
from lockstep.protocol.projects import ProjectState, is_config
from lockstep.protocol.server import LockstepServer, safe


def _targets(server: LockstepServer, uri: str) -> list[tuple[ProjectState, str]]:
    routed = server.project_at(uri)
    if routed is not None and not is_config(routed[1]):
        return [routed]
    return [(s, r) for s, r in server.projects.containing(uri) if is_config(r)]


def _set_buffer(server: LockstepServer, uri: str, text: str | None) -> None:
    for state, relative in _targets(server, uri):
        if state.index is not None:
            state.scheduler.set_text(relative, text)


def _rescan(server: LockstepServer) -> None:
    """Editors that watch no files (Neovim on Linux) still see new migrations on disk, at the
    next open or save (a stat per migration: ~5 ms for 1,000); watching clients tell us."""
    if server.client_watches_files:
        return
    for state in server.projects.states:
        if state.index is not None:
            state.scheduler.update(Workspace.rescan_migrations)


def register(server: LockstepServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @safe()
    def did_open(ls: LockstepServer, params: lsp.DidOpenTextDocumentParams) -> None:
        _rescan(ls)
        uri = params.text_document.uri
        for state in ls.projects.states:
            state.open_files.pop(uri, None)
        targets = _targets(ls, uri)
        _set_buffer(ls, uri, params.text_document.text)
        for state, relative in targets:
            state.open_files[uri] = relative

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
        for state in ls.projects.states:
            state.open_files.pop(params.text_document.uri, None)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @safe()
    def did_change_watched(ls: LockstepServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        """Each project hears of the files it owns (and of its lockstep.toml); a Supabase
        config.toml finds the projects of its root again."""
        replan(ls, [c.uri for c in params.changes if _is_cli_config(c.uri)])
        for state in ls.projects.states:
            if state.index is None:
                continue
            changes = []
            for change in params.changes:
                relative = state.relative(change.uri)
                if relative is not None and (state.owns(relative) or is_config(relative)):
                    changes.append((relative, change.type == lsp.FileChangeType.Deleted))
            if changes:
                state.scheduler.update(_applier(changes))


def _is_cli_config(uri: str) -> bool:
    return uri.endswith("/config.toml")


def _applier(changes: list[tuple[str, bool]]) -> Edit:
    def apply(workspace: Workspace) -> bool:
        for relative, deleted in changes:
            if relative in workspace.overlay:
                continue  # an open buffer is newer than the disk
            if deleted:
                workspace.forget(relative)
            else:
                workspace.refresh(relative)
        return True

    return apply
