"""`lockstep.generateTypes` and `generated-types-stale` end to end (a VS Code-like client)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

import tests.e2e.conftest as e2e
from lockstep.core.gen.from_model import metadata
from lockstep.core.gen.typescript import generate_typescript
from lockstep.core.workspace import Workspace
from tests.e2e.conftest import VSCODE, client_fixture, workspace_fixture

TYPES = "packages/types/src/database.types.ts"
MIGRATION = "supabase/migrations/20990101000000_add_energy.sql"


workspace_root = workspace_fixture("e2e-basic")
client = client_fixture(params=[VSCODE])


def expected(root: Path) -> str:
    workspace = Workspace(root)
    workspace.load()
    return generate_typescript(metadata(workspace.replay.schema, ["public"]))


async def _generate(client: LanguageClient) -> object:
    return await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="lockstep.generateTypes", arguments=[{"path": TYPES}]))


def _stale(diagnostics: object) -> bool:
    return any(d.code == "generated-types-stale" for d in diagnostics)  # type: ignore[attr-defined]


async def test_generate_then_stale_then_regenerate(client: LanguageClient,
                                                   workspace_root: Path) -> None:
    target = workspace_root / TYPES
    uri = await _generate(client)
    assert uri == target.as_uri()
    assert target.read_text(encoding="utf-8") == expected(workspace_root)

    migration = workspace_root / MIGRATION
    migration.write_text("ALTER TABLE wins ADD COLUMN energy smallint;\n", encoding="utf-8")
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=[
        lsp.FileEvent(uri=migration.as_uri(), type=lsp.FileChangeType.Created)]))
    found = await e2e.wait_for_diagnostics(client, target.as_uri(), _stale)
    stale = next(d for d in found if d.code == "generated-types-stale")
    assert "Row.energy` is missing" in stale.message

    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=target.as_uri()), range=stale.range,
        context=lsp.CodeActionContext(diagnostics=[stale])))
    assert any(isinstance(a, lsp.CodeAction) and a.title == "Regenerate" for a in actions or ())

    assert await _generate(client) == target.as_uri()
    assert target.read_text(encoding="utf-8") == expected(workspace_root)
    await e2e.wait_for_diagnostics(client, target.as_uri(), lambda d: not _stale(d))


async def test_never_replaces_a_hand_written_file(client: LanguageClient,
                                                  workspace_root: Path) -> None:
    hand = workspace_root / "packages/types/src/index.ts"
    before = hand.read_text(encoding="utf-8")
    result = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="lockstep.generateTypes", arguments=[{"path": "packages/types/src/index.ts"}]))
    assert result is None
    assert hand.read_text(encoding="utf-8") == before
