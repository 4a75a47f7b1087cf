"""initialize / initialized: find the root, read settings, index with progress."""

from __future__ import annotations

import gc
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from lockstep.core.workspace import Workspace, find_root
from lockstep.protocol.server import LockstepServer, safe

SETTING_SECTIONS = ("migrations", "types", "consumers", "rules", "rls", "mirror", "clone",
                    "deploy", "rename")
WATCHED = ("**/*.sql", "**/*.ts", "**/*.tsx", "**/lockstep.toml")


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


def _root_from(params: lsp.InitializeParams) -> Path:
    if params.workspace_folders:
        from lockstep.protocol.convert import path_for

        folder = path_for(params.workspace_folders[0].uri)
        if folder is not None:
            return folder
    if params.root_uri:
        from lockstep.protocol.convert import path_for

        root = path_for(params.root_uri)
        if root is not None:
            return root
    if params.root_path:
        return Path(params.root_path)
    return Path.cwd()


async def index_workspace(server: LockstepServer, token: str | None) -> None:
    """Load and replay off the event loop (requests and edits are served meanwhile); the
    rules follow in the same analysis."""
    if server.index is None:
        return
    if token is not None:
        server.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(
            title="Lockstep", message="Indexing migrations, types and consumers",
            percentage=0))
    settings = server.settings

    def load(workspace: Workspace) -> bool:
        workspace.settings = settings
        workspace.load()
        return True

    server.scheduler.update(load)
    await server.scheduler.snapshot_at(server.scheduler.revision)
    if token is not None and server.index is not None:
        index = server.index
        server.work_done_progress.end(token, lsp.WorkDoneProgressEnd(
            message=f"{len(index.migrations)} migrations, {len(index.consumer_files)} "
                    f"consumer files"))
    # The index (parsed files, the replay) lives as long as the server: moved out of the
    # collector's sight, a full collection during an edit no longer walks it (250 ms on the
    # 300-migration benchmark). Replaced files are still freed by reference counting.
    gc.freeze()
    server.log(f"Lockstep indexed {server.root}")


def register(server: LockstepServer) -> None:
    @server.feature(lsp.INITIALIZE)
    @safe()
    def initialize(ls: LockstepServer, params: lsp.InitializeParams) -> None:
        ls.settings = editor_settings(params.initialization_options)
        root = _root_from(params)
        ls.index = Workspace(find_root(root) if not (root / "supabase").exists() else root,
                             ls.settings)
        options = params.initialization_options
        if isinstance(options, dict) and options.get("noCache") is True:
            ls.index.cache = None  # the disk cache of parsed files (core/cache.py)

    @server.feature(lsp.INITIALIZED)
    @safe()
    async def initialized(ls: LockstepServer, params: lsp.InitializedParams) -> None:
        capabilities = ls.client_capabilities
        workspace_caps = capabilities.workspace
        if workspace_caps and workspace_caps.configuration:
            await _pull_configuration(ls)
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
        await index_workspace(ls, token)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @safe()
    async def did_change_configuration(
        ls: LockstepServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("lockstep"), dict):
            ls.settings = editor_settings(settings["lockstep"])
        else:
            await _pull_configuration(ls)
        settings = ls.settings

        def reload(workspace: Workspace) -> bool:
            workspace.settings = settings
            workspace.load()
            return True

        ls.scheduler.update(reload)


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
