"""initialize / initialized: find the projects of every workspace folder, read settings, index
with progress; follow workspace folders as they are added and removed."""

from __future__ import annotations

import gc
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from lockstep.core.gcpause import collect_when_idle
from lockstep.core.workspace import Workspace
from lockstep.protocol import convert
from lockstep.protocol.projects import ProjectState, is_config
from lockstep.protocol.server import LockstepServer, safe

SETTING_SECTIONS = ("migrations", "types", "consumers", "rules", "rls", "mirror", "clone",
                    "deploy", "rename")
WATCHED = ("**/*.sql", "**/*.ts", "**/*.tsx", "**/lockstep.toml", "**/config.toml")


def editor_settings(value: Any) -> dict[str, Any]:
    """The parts of the editor's `lockstep` settings that overlay lockstep.toml."""
    if not isinstance(value, dict):
        return {}
    settings = {k: v for k, v in value.items() if k in SETTING_SECTIONS and v not in (None, {})}
    migrations = settings.get("migrations")
    if isinstance(migrations, dict) and not migrations.get("paths"):
        settings.pop("migrations")
    types = settings.get("types")
    if isinstance(types, dict):
        types = {k: v for k, v in types.items() if v not in (None, "")}
        settings["types"] = types
        if not types:
            settings.pop("types")
    return settings


def _folders_from(params: lsp.InitializeParams) -> list[Path]:
    """Every workspace folder; else the root URI or path; else the current folder."""
    folders = [convert.path_for(f.uri) for f in params.workspace_folders or ()]
    if any(f is not None for f in folders):
        return [f for f in folders if f is not None]
    if params.root_uri:
        root = convert.path_for(params.root_uri)
        if root is not None:
            return [root]
    if params.root_path:
        return [Path(params.root_path)]
    return [Path.cwd()]


async def index_projects(server: LockstepServer, states: list[ProjectState],
                         token: str | None) -> None:
    """Load and replay each project off the event loop (requests and edits are served
    meanwhile); the rules follow in the same analysis. Open buffers a project owns are
    handed to it (they may have been opened before it was found)."""
    if token is not None:
        server.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(
            title="Lockstep", message="Indexing migrations, types and consumers",
            percentage=0))
    start(server, states)
    for state in states:
        await state.scheduler.snapshot_at(state.scheduler.revision, request=False)
    migrations = sum(len(s.index.migrations) for s in states if s.index is not None)
    consumers = sum(len(s.index.consumer_files) for s in states if s.index is not None)
    if token is not None:
        server.work_done_progress.end(token, lsp.WorkDoneProgressEnd(
            message=f"{migrations} migrations, {consumers} consumer files"))
    # The index (parsed files, the replay) lives as long as the server: moved out of the
    # collector's sight, a full collection during an edit no longer walks it (250 ms on the
    # 300-migration benchmark). Replaced files are still freed by reference counting, and
    # the collector runs after a pause in typing, not during an edit (core/gcpause.py).
    gc.freeze()
    if server.own_process:  # not in a test process that hosts a server in its own loop
        collect_when_idle()
    for state in states:
        server.log(f"Lockstep indexed {state.label} ({state.root})")


def start(server: LockstepServer, states: list[ProjectState]) -> None:
    """Schedule each new project's first load (with the current settings) and its buffers."""
    settings = server.settings

    def load(workspace: Workspace) -> bool:
        workspace.settings = settings
        if server.no_cache:
            workspace.cache = None  # the disk cache of parsed files (core/cache.py)
        workspace.load(save_cache=False)  # saved once diagnostics are out (scheduler)
        return True

    for state in states:
        state.scheduler.update(load)
        adopt_open_documents(server, state)


def stop(server: LockstepServer, states: list[ProjectState]) -> None:
    """Projects no longer served: their diagnostics are withdrawn, their analysis ends."""
    for state in states:
        state.index = None  # its scheduler stops at its next step
        server.projects.publish(state, {})


def replan(server: LockstepServer, uris: list[str]) -> None:
    """A Supabase `config.toml` came, went or changed: find the projects of the roots
    holding these files again (projects, schema paths and exposed schemas)."""
    roots = {state.folder for uri in uris for state, _ in server.projects.containing(uri)}
    if roots:
        added, removed = server.projects.replan(roots)
        stop(server, removed)
        start(server, added)


def adopt_open_documents(server: LockstepServer, state: ProjectState) -> None:
    """Buffers already open whose file this project owns (or its lockstep.toml)."""
    for uri, document in list(server.workspace.text_documents.items()):
        relative = state.relative(uri)
        if relative is not None and (state.owns(relative) or is_config(relative)):
            state.open_files[uri] = relative
            state.scheduler.set_text(relative, document.source)


async def change_folders(server: LockstepServer, folders: list[Path]) -> None:
    """Serve these folders: new projects are indexed, projects of a removed folder dropped
    with their diagnostics."""
    added, removed = server.projects.set_folders(folders)
    stop(server, removed)
    if added:
        await index_projects(server, added, None)


def register(server: LockstepServer) -> None:
    @server.feature(lsp.INITIALIZE)
    @safe()
    def initialize(ls: LockstepServer, params: lsp.InitializeParams) -> None:
        ls.settings = editor_settings(params.initialization_options)
        ls.projects.set_folders(_folders_from(params))
        options = params.initialization_options
        ls.no_cache = isinstance(options, dict) and options.get("noCache") is True

    @server.feature(lsp.INITIALIZED)
    @safe()
    async def initialized(ls: LockstepServer, params: lsp.InitializedParams) -> None:
        capabilities = ls.client_capabilities
        workspace_caps = capabilities.workspace
        if workspace_caps and workspace_caps.configuration:
            named = ls.settings.get("migrations")
            await _pull_configuration(ls)
            if ls.settings.get("migrations") != named:  # one project, or several, again
                folders = ls.projects.folders
                ls.projects.set_folders([])
                ls.projects.set_folders(folders)
        watched = workspace_caps.did_change_watched_files if workspace_caps else None
        if watched and watched.dynamic_registration:
            await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[
                lsp.Registration(
                    id="lockstep-watch", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[lsp.FileSystemWatcher(glob_pattern=g) for g in WATCHED]),
                )
            ]))
            ls.client_watches_files = True
        token = None
        window = capabilities.window
        if window and window.work_done_progress:
            token = f"lockstep-index-{uuid.uuid4().hex[:8]}"
            await ls.work_done_progress.create_async(token)
        await index_projects(ls, ls.projects.states, token)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @safe()
    async def did_change_configuration(
        ls: LockstepServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        named = ls.settings.get("migrations")
        if isinstance(settings, dict) and isinstance(settings.get("lockstep"), dict):
            ls.settings = editor_settings(settings["lockstep"])
        else:
            await _pull_configuration(ls)
        if ls.settings.get("migrations") != named:
            # Named migration folders make the folder one project; without them, discovery
            # decides again.
            folders = ls.projects.folders
            await change_folders(ls, [])
            await change_folders(ls, folders)
            return
        settings = ls.settings

        def reload(workspace: Workspace) -> bool:
            workspace.settings = settings
            workspace.load(save_cache=False)
            return True

        for state in ls.projects.states:
            state.scheduler.update(reload)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    @safe()
    async def did_change_workspace_folders(
        ls: LockstepServer, params: lsp.DidChangeWorkspaceFoldersParams
    ) -> None:
        gone = {convert.path_for(f.uri) for f in params.event.removed}
        folders = [f for f in ls.projects.folders if f not in gone]
        for folder in params.event.added:
            path = convert.path_for(folder.uri)
            if path is not None and path not in folders:
                folders.append(path)
        await change_folders(ls, folders)


async def _pull_configuration(server: LockstepServer) -> None:
    capabilities = server.client_capabilities.workspace
    if not (capabilities and capabilities.configuration):
        return
    try:
        answer = await server.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="lockstep")])
        )
    except Exception as error:  # noqa: BLE001 - a client without settings is fine
        server.log(f"workspace/configuration failed: {error}")
        return
    if answer and isinstance(answer[0], dict):
        server.settings = {**server.settings, **editor_settings(answer[0])}
