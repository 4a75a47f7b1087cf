"""Read-only requests write nothing: a session of hundreds of them (hover, definition,
references, completion, symbols, code lenses, code actions, consumers; buffers opened, edited
and closed unsaved) under the audit hook of tests/security_audit.py with no writable folder at
all, so that any write, anywhere, or any network call kills the server and fails the test."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.conftest import (
    VSCODE,
    client_fixture,
    copy_fixture,
    initialize_params,
    wait_for_diagnostics,
)
from tests.security_repo import audited_command

BASE = Path(tempfile.mkdtemp(prefix="lockstep-readonly-")).resolve()
ROOT = BASE / "nav"


@pytest.fixture(scope="module", autouse=True)
def workspace() -> Iterator[None]:
    copy_fixture("nav", BASE)
    yield
    shutil.rmtree(BASE, ignore_errors=True)


client = client_fixture(lambda client, name, request: initialize_params(name, ROOT),
                        params=[VSCODE], command=audited_command(BASE / "none", BASE / "nowhere"))


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


async def test_read_only_requests_write_nothing(client: LanguageClient) -> None:
    before = tree_digest(ROOT)
    files = sorted(p for p in ROOT.rglob("*") if p.suffix in (".sql", ".ts", ".tsx"))
    ready = (ROOT / "supabase/migrations/003_wins_mood.sql").as_uri()
    await wait_for_diagnostics(client, ready, lambda d: len(d) > 0)  # indexing is done
    requests = 0
    for path in files:
        text = path.read_text()
        uri = path.as_uri()
        document = lsp.TextDocumentIdentifier(uri)
        language = "sql" if path.suffix == ".sql" else "typescript"
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
        lines = text.splitlines() or [""]
        for line in range(0, len(lines), 3):
            position = lsp.Position(line, min(len(lines[line]), 16))
            at = {"text_document": document, "position": position}
            await client.text_document_hover_async(lsp.HoverParams(**at))
            await client.text_document_definition_async(lsp.DefinitionParams(**at))
            await client.text_document_references_async(lsp.ReferenceParams(
                context=lsp.ReferenceContext(include_declaration=True), **at))
            await client.text_document_completion_async(lsp.CompletionParams(**at))
            requests += 4
        everything = lsp.Range(lsp.Position(0, 0), lsp.Position(len(lines), 0))
        await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(document))
        await client.text_document_code_lens_async(lsp.CodeLensParams(document))
        await client.text_document_code_action_async(lsp.CodeActionParams(
            text_document=document, range=everything,
            context=lsp.CodeActionContext(diagnostics=list(client.diagnostics.get(uri, [])))))
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [lsp.TextDocumentContentChangePartial(
                range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), text="-- x\n")]))
        client.text_document_did_close(lsp.DidCloseTextDocumentParams(document))
        requests += 3
    for query in ("", "wins", "sim_"):
        await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query))
        await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
            command="lockstep.consumers", arguments=[{"table": query or "wins"}]))
        requests += 2
    print(f"\n{requests} read-only requests over {len(files)} files: nothing written")
    assert requests > 200
    assert tree_digest(ROOT) == before
    symbols = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams("wins"))
    assert symbols  # the server is alive: the audit hook did not kill it
