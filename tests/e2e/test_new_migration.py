"""`lockstep.newMigration` end to end, under three capability sets.

VS Code creates files through workspace/applyEdit (CreateFile that never overwrites);
Neovim's captured capabilities lack documentChanges and the third client has no
`resourceOperations` at all: there the server creates the file itself, exclusively.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

import tests.e2e.conftest as e2e
from tests.e2e.conftest import VSCODE, client_fixture, on_workspace_root, workspace_fixture

CLIENTS = ["visual-studio-code", "neovim", "no-resource-operations"]
TOML = """[[deploy.targets]]
name = "DEV"
project_ref = "devref"

[[deploy.targets]]
name = "PROD"
project_ref = "prodref"
"""


workspace_root = workspace_fixture("e2e-basic",
                                   lambda root: (root / "lockstep.toml").write_text(TOML))


def _init(client: LanguageClient, name: str,
          request: pytest.FixtureRequest) -> lsp.InitializeParams:
    """The third client is VS Code without `resourceOperations`."""
    if name != "no-resource-operations":
        return on_workspace_root(client, name, request)
    params = on_workspace_root(client, VSCODE, request)
    client.client_name = name  # type: ignore[attr-defined]
    capabilities = params.capabilities
    assert capabilities.workspace and capabilities.workspace.workspace_edit
    capabilities.workspace.workspace_edit.resource_operations = None
    return params


client = client_fixture(_init, params=CLIENTS)


async def _message(client: LanguageClient, needle: str) -> lsp.ShowMessageParams:
    async def wait() -> lsp.ShowMessageParams:
        while True:
            for message in client.messages:
                if needle in message.message:
                    return message
            await client.wait_for_notification(lsp.WINDOW_SHOW_MESSAGE)

    return await asyncio.wait_for(wait(), e2e.TIMEOUT)


async def _new(client: LanguageClient, spec: dict[str, Any]) -> Any:
    return await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="lockstep.newMigration", arguments=[spec])
    )


def _creates(client: LanguageClient) -> list[lsp.CreateFile]:
    return [
        change
        for params in client.edits  # type: ignore[attr-defined]
        for change in params.edit.document_changes or ()
        if isinstance(change, lsp.CreateFile)
    ]


async def test_new_migration_with_mirror(client: LanguageClient, workspace_root: Path) -> None:
    broken = workspace_root / "supabase/migrations/002_broken.sql"
    await e2e.wait_for_diagnostics(client, broken.as_uri())
    before = set((workspace_root / "supabase/migrations").iterdir())
    uri = await _new(
        client,
        {
            "description": "Wins get a mood",
            "sql": "ALTER TABLE wins ADD COLUMN mood TEXT DEFAULT 'ok';",
        },
    )
    assert isinstance(uri, str) and uri.endswith("_wins_get_a_mood.sql")
    path = Path(uri.removeprefix("file://"))
    assert path not in before and path.parent == workspace_root / "supabase/migrations"
    newest = max(int(p.name.split("_")[0]) for p in before if p.name[0].isdigit())
    assert path.name == f"{newest + 1:03d}_wins_get_a_mood.sql"
    text = path.read_text()
    assert text.startswith("-- Wins get a mood.\n-- Why: ")
    assert "ALTER TABLE sim_wins ADD COLUMN mood TEXT DEFAULT 'ok';" in text
    assert any(d.uri == uri for d in client.shown_documents)
    creates = [c for c in _creates(client) if c.uri == uri]
    if client.client_name == "visual-studio-code":  # type: ignore[attr-defined]
        [create] = creates
        assert create.options == lsp.CreateFileOptions(overwrite=False, ignore_if_exists=False)
    else:
        assert creates == []  # the server wrote it itself
    reminder = await _message(client, f"{path.name} needs to be applied")
    assert "DEV: devref.supabase.co" in reminder.message
    assert "PROD: prodref.supabase.co" in reminder.message
    assert "Lockstep did not apply this migration" in reminder.message
    assert "pnpm build" in reminder.message


async def test_numbers_advance_and_nothing_is_overwritten(
    client: LanguageClient, workspace_root: Path
) -> None:
    folder = workspace_root / "supabase/migrations"
    contents = {p: p.read_bytes() for p in folder.iterdir()}
    first = await _new(client, {"description": "one"})
    second = await _new(client, {"description": "two"})
    assert first != second
    assert int(Path(second).name.split("_")[0]) == int(Path(first).name.split("_")[0]) + 1
    assert all(p.read_bytes() == data for p, data in contents.items())


async def test_empty_slug_is_refused(client: LanguageClient) -> None:
    assert await _new(client, {"description": "!!!"}) is None
    message = await _message(client, "letter or digit")
    assert message.type == lsp.MessageType.Error


async def test_refuses_to_overwrite_a_file_created_meanwhile(
    client: LanguageClient, workspace_root: Path
) -> None:
    """Another writer creates the very file between planning and creating: the editor's
    CreateFile fails (overwrite=false, applied=false) and the server's exclusive create
    refuses too, so the other file survives untouched."""
    if client.client_name != "visual-studio-code":  # type: ignore[attr-defined]
        pytest.skip("the race is staged through the client's applyEdit")
    from pygls.uris import to_fs_path

    def racing_editor(params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        for change in params.edit.document_changes or ():
            if isinstance(change, lsp.CreateFile):
                Path(to_fs_path(change.uri) or "").write_text("-- someone else's\n")
        return lsp.ApplyWorkspaceEditResult(applied=False, failure_reason="file exists")

    features = client.protocol.fm.features
    original = features[lsp.WORKSPACE_APPLY_EDIT]
    features[lsp.WORKSPACE_APPLY_EDIT] = racing_editor
    try:
        assert await _new(client, {"description": "raced"}) is None
    finally:
        features[lsp.WORKSPACE_APPLY_EDIT] = original
    [raced] = (workspace_root / "supabase/migrations").glob("*_raced.sql")
    assert raced.read_text() == "-- someone else's\n"
    await _message(client, "was not overwritten")
