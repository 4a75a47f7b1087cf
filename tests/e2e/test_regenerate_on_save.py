"""`types.regenerate = "on-save"`: saving a migration regenerates the generated types through
workspace/applyEdit (the client writes; Lockstep never does), and not while it fails to parse."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

import tests.e2e.conftest as e2e
from lockstep.core.gen.from_model import metadata
from lockstep.core.gen.typescript import generate_typescript
from lockstep.core.workspace import Workspace
from lockstep.protocol.features.regenerate_on_save import LABEL
from tests.e2e.conftest import workspace_fixture

TYPES = "packages/types/src/database.types.ts"
# One migration per client (the workspace is shared by the module's two clients).
MIGRATIONS = {"visual-studio-code": ("supabase/migrations/20990101000000_add_energy.sql",
                                     "energy"),
              "neovim": ("supabase/migrations/20990102000000_add_focus.sql", "focus")}


def expected(root: Path) -> str:
    workspace = Workspace(root)
    workspace.load()
    return generate_typescript(metadata(workspace.replay.schema, ["public"]))


def _on_save(root: Path) -> None:
    (root / "supabase/migrations/002_broken.sql").unlink()  # a schema that is complete
    (root / "lockstep.toml").write_text('[types]\nregenerate = "on-save"\n', encoding="utf-8")
    (root / TYPES).write_text(expected(root), encoding="utf-8")  # fresh before the change


workspace_root = workspace_fixture("e2e-basic", _on_save)


async def _save(client: LanguageClient, path: Path, text: str, version: int) -> None:
    path.write_text(text, encoding="utf-8")
    document = lsp.TextDocumentIdentifier(uri=path.as_uri())
    if version == 1:
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
            uri=path.as_uri(), language_id="sql", version=1, text=text)))
    else:
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)]))
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(document, text))


async def _regenerated_message(client: LanguageClient) -> str:
    async def wait() -> str:
        while True:
            for message in client.messages:
                if "regenerated" in message.message:
                    return message.message
            await client.wait_for_notification(lsp.WINDOW_SHOW_MESSAGE)
    return await asyncio.wait_for(wait(), e2e.TIMEOUT)


async def test_saving_a_migration_regenerates_through_the_client(
        client: LanguageClient, workspace_root: Path) -> None:
    edits: list[lsp.ApplyWorkspaceEditParams] = client.edits  # type: ignore[attr-defined]
    relative, column = MIGRATIONS[client.client_name]  # type: ignore[attr-defined]
    migration = workspace_root / relative
    target = workspace_root / TYPES
    before = target.read_text(encoding="utf-8")

    # A migration that does not parse: its tables would be lost, so nothing is regenerated.
    await _save(client, migration, f"ALTER TABLE wins ADD COLUMN {column} smallint\n;;(", 1)
    await e2e.wait_for_diagnostics(client, migration.as_uri(), lambda d: any(
        x.code == "migration-syntax-error" for x in d))
    assert not [e for e in edits if e.label == LABEL]
    assert target.read_text(encoding="utf-8") == before

    await _save(client, migration, f"ALTER TABLE wins ADD COLUMN {column} smallint;\n", 2)
    message = await _regenerated_message(client)
    assert TYPES in message and "on-save" in message
    assert [e.label for e in edits if e.label == LABEL] == [LABEL]
    after = target.read_text(encoding="utf-8")
    assert f"{column}: number | null" in after
    assert after == expected(workspace_root)
