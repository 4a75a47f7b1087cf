"""From initialize to published diagnostics, under VS Code and Neovim capabilities."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.conftest import wait_for_diagnostics


def _codes(diagnostics: object) -> set[str]:
    return {str(d.code) for d in diagnostics}  # type: ignore[attr-defined]


async def test_syntax_error_is_published_after_indexing(
    client: LanguageClient, workspace_root: Path
) -> None:
    uri = (workspace_root / "supabase/migrations/002_broken.sql").as_uri()
    diagnostics = await wait_for_diagnostics(client, uri)
    [error] = [d for d in diagnostics if d.code == "migration-syntax-error"]
    assert error.range == lsp.Range(lsp.Position(1, 38), lsp.Position(1, 44))
    assert error.source == "lockstep"
    assert error.severity == lsp.DiagnosticSeverity.Error
    assert error.code_description is not None
    assert error.code_description.href.endswith("#migration-syntax-error")


async def test_editing_fixes_and_reintroduces_the_error(
    client: LanguageClient, workspace_root: Path
) -> None:
    path = workspace_root / "supabase/migrations/002_broken.sql"
    uri = path.as_uri()
    text = path.read_text()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri=uri, language_id="sql", version=1, text=text)))
    fixed = lsp.TextDocumentContentChangePartial(
        range=lsp.Range(lsp.Position(1, 38), lsp.Position(1, 44)), text="DEFAULT")
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=uri, version=2), [fixed]))
    await wait_for_diagnostics(client, uri, lambda d: "migration-syntax-error" not in _codes(d))
    broken = lsp.TextDocumentContentChangePartial(
        range=lsp.Range(lsp.Position(1, 0), lsp.Position(1, 5)), text="ALTR ")
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=uri, version=3), [broken]))
    diagnostics = await wait_for_diagnostics(
        client, uri, lambda d: "migration-syntax-error" in _codes(d))
    assert diagnostics[0].range.start.line == 1
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        lsp.TextDocumentIdentifier(uri=uri)))
    # Closed: the disk version (with DEFALT) is the truth again.
    diagnostics = await wait_for_diagnostics(
        client, uri, lambda d: any(x.range.start.character == 38 for x in d))
    assert "migration-syntax-error" in _codes(diagnostics)


async def test_indexing_reports_progress(client: LanguageClient) -> None:
    window = client.capabilities.window if client.capabilities else None
    if window and window.work_done_progress:
        reports = [r for values in client.progress_reports.values() for r in values]
        assert any(isinstance(r, lsp.WorkDoneProgressBegin) for r in reports)
        assert any(isinstance(r, lsp.WorkDoneProgressEnd) for r in reports)


def _watches_files(client: LanguageClient) -> bool:
    workspace = client.capabilities.workspace if client.capabilities else None
    watched = workspace.did_change_watched_files if workspace else None
    return bool(watched and watched.dynamic_registration)


def _disk_changed(client: LanguageClient, path: Path, kind: lsp.FileChangeType,
                  other: Path) -> None:
    """What the editor tells the server after a `git pull`: a file event if it watches files
    (VS Code), else nothing (Neovim on Linux), and the server rescans at the next open/save."""
    if _watches_files(client):
        client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=path.as_uri(), type=kind)]))
    elif kind == lsp.FileChangeType.Created:
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
            uri=other.as_uri(), language_id="typescript", version=1, text=other.read_text())))
    else:
        client.text_document_did_save(lsp.DidSaveTextDocumentParams(
            lsp.TextDocumentIdentifier(uri=other.as_uri())))


async def test_a_migration_changed_on_disk_is_seen(
    client: LanguageClient, workspace_root: Path
) -> None:
    added = workspace_root / "supabase/migrations/003_from_git_pull.sql"
    added.write_text("-- pulled\nALTER TABLE wins ADD COLUMN x TEXT DEFALT 'x';\n")
    other = workspace_root / "packages/types/src/wins.ts"
    _disk_changed(client, added, lsp.FileChangeType.Created, other)
    diagnostics = await wait_for_diagnostics(
        client, added.as_uri(), lambda d: "migration-syntax-error" in _codes(d))
    assert diagnostics[0].range.start.line == 1
    added.unlink()
    _disk_changed(client, added, lsp.FileChangeType.Deleted, other)
    await wait_for_diagnostics(client, added.as_uri(), lambda d: not d)
    if not _watches_files(client):
        client.text_document_did_close(lsp.DidCloseTextDocumentParams(
            lsp.TextDocumentIdentifier(uri=other.as_uri())))
