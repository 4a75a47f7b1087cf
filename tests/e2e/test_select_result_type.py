"""A select result cast to a type the select does not fill: didOpen publishes
`select-result-type` on the cast, and an edit that selects the field clears it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.conftest import wait_for_diagnostics

CONSUMER = "apps/web/src/lib/profiles.ts"
SQL = """-- Profiles.
CREATE TABLE profiles (id UUID PRIMARY KEY, name TEXT, bio TEXT);
"""
CAST = """interface Profile { id: string; name: string | null; bio: string | null }

export async function load(supabase: any) {
  const { data } = await supabase.from('profiles').select('id, name');
  return data as Profile[];
}
"""


@pytest.fixture(scope="module")
def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("select-result")
    (root / "supabase" / "migrations").mkdir(parents=True)
    (root / "supabase" / "migrations" / "001_profiles.sql").write_text(SQL)
    (root / CONSUMER).parent.mkdir(parents=True)
    (root / CONSUMER).write_text("export const nothing = 1;\n")
    return root


def _ours(diagnostics: object) -> list[lsp.Diagnostic]:
    assert isinstance(diagnostics, (list, tuple))
    return [d for d in diagnostics if d.code == "select-result-type"]


async def test_did_open_of_a_cast_publishes_the_diagnostic(
    client: LanguageClient, workspace_root: Path
) -> None:
    uri = (workspace_root / CONSUMER).as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri=uri, language_id="typescript", version=1, text=CAST)))
    published = await wait_for_diagnostics(client, uri, lambda ds: bool(_ours(ds)))
    [found] = _ours(published)
    assert found.range.start == lsp.Position(4, 17)  # `Profile[]` in `data as Profile[]`
    assert "declares `bio`" in found.message
    assert found.severity == lsp.DiagnosticSeverity.Warning
    fixed = CAST.replace("'id, name'", "'id, name, bio'")
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        [lsp.TextDocumentContentChangeWholeDocument(text=fixed)]))
    await wait_for_diagnostics(client, uri, lambda ds: not _ours(ds))
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        lsp.TextDocumentIdentifier(uri=uri)))
