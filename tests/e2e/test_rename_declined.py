"""A Neovim-style client (no file creation in a workspace edit) that declines the rename's
workspace/applyEdit: the server writes no migration, so nothing is left on disk."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

import tests.e2e.conftest as e2e
from tests.e2e.test_rename import HOOK, _doc, _position, _ready
from tests.repos import toney_clean


def _decline(client: LanguageClient) -> None:
    """The editor's answer to every workspace/applyEdit: cancelled (kept in `declined`)."""
    client.declined = []  # type: ignore[attr-defined]

    @client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        client.declined.append(params)  # type: ignore[attr-defined]
        return lsp.ApplyWorkspaceEditResult(applied=False, failure_reason="cancelled")


client = e2e.client_fixture(
    lambda client, name, request: e2e.own_workspace(client, name, request, toney_clean),
    params=["neovim"], handlers=_decline)


async def _message(client: LanguageClient, needle: str) -> str:
    async def wait() -> str:
        while True:
            for message in client.messages:
                if needle in message.message:
                    return message.message
            await client.wait_for_notification(lsp.WINDOW_SHOW_MESSAGE)
    return await asyncio.wait_for(wait(), e2e.TIMEOUT)


async def test_a_declined_rename_leaves_no_migration(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    await _ready(client)
    migrations = sorted(p.name for p in (root / "supabase/migrations").iterdir())
    hook = (root / HOOK).read_text()
    edit = await client.text_document_rename_async(lsp.RenameParams(
        text_document=_doc(root, HOOK), position=_position(root, HOOK, "mood, created_at"),
        new_name="feeling"))
    assert edit is not None and not edit.changes and not edit.document_changes
    declined = client.declined  # type: ignore[attr-defined]
    assert len(declined) == 1 and declined[0].edit.changes  # the text edits were offered
    message = await _message(client, "was not written")
    assert "017_rename_wins_mood_to_feeling.sql" in message and "cancelled" in message
    assert sorted(p.name for p in (root / "supabase/migrations").iterdir()) == migrations
    assert (root / HOOK).read_text() == hook


async def test_a_declined_add_column_leaves_no_migration(client: LanguageClient) -> None:
    """lockstep.addColumn offers the row-type and clone edits first; declined, the server
    writes no migration either."""
    root: Path = client.root  # type: ignore[attr-defined]
    await _ready(client)
    migrations = sorted(p.name for p in (root / "supabase/migrations").iterdir())
    declined = client.declined  # type: ignore[attr-defined]
    before = len(declined)
    uri = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="lockstep.addColumn",
        arguments=[{"table": "sessions", "column": "mood_score", "type": "integer"}]))
    assert uri is None
    assert len(declined) == before + 1 and declined[-1].edit.changes
    await _message(client, "nothing was created")
    assert sorted(p.name for p in (root / "supabase/migrations").iterdir()) == migrations
