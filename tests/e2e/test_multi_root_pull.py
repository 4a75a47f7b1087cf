"""Several projects with a client that pulls diagnostics (vscode-languageclient 9): each
document's report comes from its own project, the workspace report covers every project,
and a file of no project reports nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.conftest import VSCODE, client_fixture, pulling
from tests.repos import fixture


@pytest.fixture(scope="module")
def mono(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture("multi-project", tmp_path_factory.mktemp("pull"))


puller = client_fixture(pulling("mono"), params=[VSCODE])


async def _messages(client: LanguageClient, path: Path) -> list[str]:
    report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(
        text_document=lsp.TextDocumentIdentifier(path.as_uri())))
    assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
    return sorted(d.message for d in report.items)


async def test_each_document_is_pulled_from_its_project(puller: LanguageClient,
                                                        mono: Path) -> None:
    assert await _messages(puller, mono / "apps/a/src/notes.ts") == [
        "Table `notes` has no column `title`"]
    assert await _messages(puller, mono / "apps/b/src/notes.ts") == [
        "Table `notes` has no column `body`"]
    assert await _messages(puller, mono / "packages/shared/notes.ts") == []


async def test_the_workspace_report_covers_every_project(puller: LanguageClient,
                                                         mono: Path) -> None:
    report = await puller.workspace_diagnostic_async(
        lsp.WorkspaceDiagnosticParams(previous_result_ids=[]))
    found = {item.uri: sorted(d.message for d in item.items) for item in report.items
             if isinstance(item, lsp.WorkspaceFullDocumentDiagnosticReport) and item.items}
    assert found == {
        (mono / "apps/a/src/notes.ts").as_uri(): ["Table `notes` has no column `title`"],
        (mono / "apps/b/src/notes.ts").as_uri(): ["Table `notes` has no column `body`"],
    }
    assert puller.diagnostics == {}  # pulled, never pushed
