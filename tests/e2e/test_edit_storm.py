"""A server that never blocks: an edit storm then a hover answered for the last text, and pull
diagnostics for a client that can pull (vscode-languageclient 9) without a duplicate push."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.conftest import (
    VSCODE,
    client_fixture,
    pulling,
    wait_for_diagnostics,
    workspace_fixture,
)

MIGRATION = "supabase/migrations/002_wins.sql"
READY = "supabase/migrations/003_wins_mood.sql"  # has diagnostics once indexing is done
STORM = 1000
UNKNOWN = "\nALTER TABLE storm_nope ADD COLUMN x text;\n"


workspace_root = workspace_fixture("nav")


def _change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
    ))


async def test_storm_then_hover_answers_for_the_last_text(
    client: LanguageClient, workspace_root: Path
) -> None:
    await wait_for_diagnostics(client, (workspace_root / READY).as_uri(), lambda d: len(d) > 0)
    uri = (workspace_root / MIGRATION).as_uri()
    original = (workspace_root / MIGRATION).read_text()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri=uri, language_id="sql", version=1, text=original)))
    for number in range(STORM):
        _change(client, uri, number + 2,
                original + f"ALTER TABLE wins ADD COLUMN storm_{number} text;\n")
    line = original.count("\n")
    hover = await client.text_document_hover_async(lsp.HoverParams(
        lsp.TextDocumentIdentifier(uri), lsp.Position(line, len("ALTER TABLE w"))))
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert "**table public.wins**" in hover.contents.value
    assert f"storm_{STORM - 1}" in hover.contents.value
    assert f"storm_{STORM - 2}" not in hover.contents.value
    # The diagnostics follow the last text too: the mirror drifts by the last column only.
    found = await wait_for_diagnostics(client, uri, lambda d: any(
        f"storm_{STORM - 1}" in x.message for x in d))
    assert not any(f"storm_{STORM - 2}" in x.message for x in found)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        lsp.TextDocumentIdentifier(uri)))


async def test_neovim_gets_push_only(client: LanguageClient) -> None:
    """Neovim 0.11 offers pull but cannot be told to pull again: it gets publishDiagnostics,
    and no diagnosticProvider, so it never pulls as well (no duplicates)."""
    result: lsp.InitializeResult = client.result  # type: ignore[attr-defined]
    assert result.capabilities.diagnostic_provider is None


# -- a client that pulls ---------------------------------------------------------------------


puller = client_fixture(pulling(), params=[VSCODE])


async def _pull(client: LanguageClient, root: Path, path: str,
                previous: str | None = None) -> lsp.DocumentDiagnosticReport:
    return await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(
        text_document=lsp.TextDocumentIdentifier((root / path).as_uri()),
        previous_result_id=previous))


async def test_pull_diagnostics_with_result_ids(puller: LanguageClient,
                                                workspace_root: Path) -> None:
    result: lsp.InitializeResult = puller.result  # type: ignore[attr-defined]
    provider = result.capabilities.diagnostic_provider
    assert isinstance(provider, lsp.DiagnosticOptions) and provider.workspace_diagnostics
    first = await _pull(puller, workspace_root, READY)
    assert isinstance(first, lsp.RelatedFullDocumentDiagnosticReport) and first.items
    again = await _pull(puller, workspace_root, READY, first.result_id)
    assert isinstance(again, lsp.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == first.result_id

    uri = (workspace_root / MIGRATION).as_uri()
    original = (workspace_root / MIGRATION).read_text()
    puller.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri=uri, language_id="sql", version=1, text=original)))
    before = await _pull(puller, workspace_root, MIGRATION)
    assert isinstance(before, lsp.RelatedFullDocumentDiagnosticReport)
    _change(puller, uri, 2, original + UNKNOWN)
    after = await _pull(puller, workspace_root, MIGRATION, before.result_id)
    assert isinstance(after, lsp.RelatedFullDocumentDiagnosticReport)
    assert any(d.code == "unknown-table" for d in after.items)
    assert puller.diagnostic_refresh_count > 0

    workspace = await puller.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(
        previous_result_ids=[lsp.PreviousResultId(uri=(workspace_root / READY).as_uri(),
                                                  value=first.result_id or "")]))
    kinds = {item.uri: type(item) for item in workspace.items}
    assert kinds[(workspace_root / READY).as_uri()] is \
        lsp.WorkspaceUnchangedDocumentDiagnosticReport
    assert kinds[uri] is lsp.WorkspaceFullDocumentDiagnosticReport
    # Pulled, so never pushed: the client would show every diagnostic twice.
    assert puller.diagnostics == {}
