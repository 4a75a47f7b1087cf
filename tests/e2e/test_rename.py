"""Rename and add-column through the real server, under VS Code's and Neovim's capabilities.

Each client gets its own copy of toney-clean. The test applies the returned WorkspaceEdit as
the editor would, tells the server what changed, and `check` then reports nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

import tests.e2e.conftest as e2e
from lockstep.cli.main import main
from tests.repos import toney_clean

HOOK = "apps/web/src/hooks/useWins.ts"
CLONE = "apps/admin/src/app/api/simulator/personas/clone/route.ts"


class _Messages(list[lsp.ShowMessageParams]):
    """The client's messages (notifications and requests alike), with an event to wait on."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    def append(self, item: lsp.ShowMessageParams) -> None:
        super().append(item)
        self.arrived.set()


def _init(client: LanguageClient, name: str,
          request: pytest.FixtureRequest) -> lsp.InitializeParams:
    client.messages = _Messages()
    return e2e.own_workspace(client, name, request, toney_clean)


client = e2e.client_fixture(_init)


def _root(client: LanguageClient) -> Path:
    root: Path = client.root  # type: ignore[attr-defined]
    return root


async def _ready(client: LanguageClient) -> None:
    """Indexing is done when the server says so in its log (never a sleep)."""

    async def wait() -> None:
        while not any("Lockstep indexed" in m.message for m in client.log_messages):
            await client.wait_for_notification(lsp.WINDOW_LOG_MESSAGE)

    await asyncio.wait_for(wait(), e2e.TIMEOUT)


def _position(root: Path, path: str, needle: str, shift: int = 1) -> lsp.Position:
    text = (root / path).read_text()
    offset = text.index(needle) + shift
    return lsp.Position(text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1))


def _doc(root: Path, path: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(uri=(root / path).as_uri())


def _uris(edit: lsp.WorkspaceEdit) -> list[str]:
    uris = list(edit.changes or {})
    for change in edit.document_changes or ():
        uris.append(change.uri if isinstance(change, lsp.CreateFile) else change.text_document.uri)
    return uris


def _apply(client: LanguageClient, edit: lsp.WorkspaceEdit) -> None:
    """Apply as the editor would, then tell the server which files changed on disk."""
    e2e.apply_workspace_edit(edit)
    _changed(client, _uris(edit))


def _changed(client: LanguageClient, uris: list[str]) -> None:
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=u, type=lsp.FileChangeType.Changed) for u in set(uris)]
        )
    )


def _check_is_clean(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(["check", str(root)])
    assert (code, capsys.readouterr().out) == (0, "")


async def _reminder(client: LanguageClient, migration: str) -> None:
    """The deployment reminder (a message request when deploy targets are configured)."""
    messages: _Messages = client.messages  # type: ignore[assignment]

    async def wait() -> None:
        while not any(f"{migration} needs to be applied" in m.message for m in messages):
            messages.arrived.clear()
            await messages.arrived.wait()

    await asyncio.wait_for(wait(), e2e.TIMEOUT)


def _check_shape(client: LanguageClient, edit: lsp.WorkspaceEdit, migration: str) -> None:
    """VS Code: CreateFile first, annotated edits (the refactor preview). Neovim (no file
    creation in an edit): the text edits came through workspace/applyEdit, the rename answers
    an empty edit, and the server wrote the migration once the client had applied them."""
    root = _root(client)
    if client.client_name == "visual-studio-code":  # type: ignore[attr-defined]
        assert edit.document_changes and edit.changes is None
        create = edit.document_changes[0]
        assert isinstance(create, lsp.CreateFile)
        assert Path(to_fs_path(create.uri) or "") == root / migration
        assert create.options and create.options.overwrite is False
        assert edit.change_annotations and all(
            a.needs_confirmation for a in edit.change_annotations.values()
        )
        annotated = [
            e for c in edit.document_changes if isinstance(c, lsp.TextDocumentEdit) for e in c.edits
        ]
        assert annotated and all(isinstance(e, lsp.AnnotatedTextEdit) for e in annotated)
        assert not (root / migration).exists()
    else:
        assert edit.document_changes is None and not edit.changes
        applied = client.edits[-1]  # type: ignore[attr-defined]
        assert applied.edit.changes and applied.label and "Rename" in applied.label
        assert (root / migration).exists()
        _changed(client, _uris(applied.edit))


async def test_rename_column_from_a_select_string(
    client: LanguageClient, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(client)
    await _ready(client)
    where = _position(root, HOOK, "mood, created_at")
    prepared = await client.text_document_prepare_rename_async(
        lsp.PrepareRenameParams(text_document=_doc(root, HOOK), position=where)
    )
    assert isinstance(prepared, lsp.PrepareRenamePlaceholder)
    assert prepared.placeholder == "mood"
    assert prepared.range.end.character - prepared.range.start.character == 4
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=_doc(root, HOOK), position=where, new_name="feeling")
    )
    assert edit is not None
    migration = "supabase/migrations/017_rename_wins_mood_to_feeling.sql"
    _check_shape(client, edit, migration)
    _apply(client, edit)
    sql = (root / migration).read_text()
    assert "ALTER TABLE wins RENAME COLUMN mood TO feeling;" in sql
    assert "ALTER TABLE sim_wins RENAME COLUMN mood TO feeling;" in sql
    assert "  feeling: Mood | null;" in (root / "packages/types/src/wins.ts").read_text()
    assert ".select('id, text, feeling, created_at')" in (root / HOOK).read_text()
    assert "feeling: w.feeling," in (root / CLONE).read_text()
    _check_is_clean(root, capsys)
    await _reminder(client, migration)


async def test_rename_table_from_its_from_call(
    client: LanguageClient, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(client)
    await _ready(client)
    where = _position(root, HOOK, "wins')", 2)
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=_doc(root, HOOK), position=where, new_name="victories")
    )
    assert edit is not None
    migration = "supabase/migrations/018_rename_wins_to_victories.sql"
    _check_shape(client, edit, migration)
    _apply(client, edit)
    assert "ALTER TABLE sim_wins RENAME TO sim_victories;" in (root / migration).read_text()
    assert ".from('sim_victories')" in (root / CLONE).read_text()
    assert "export type Victory = {" in (root / "packages/types/src/wins.ts").read_text()
    _check_is_clean(root, capsys)


async def test_add_column_command(
    client: LanguageClient, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(client)
    await _ready(client)
    uri = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(
            command="lockstep.addColumn",
            arguments=[{"table": "sessions", "column": "mood_score", "type": "integer"}],
        )
    )
    migration = "supabase/migrations/019_add_mood_score_to_sessions.sql"
    assert uri == (root / migration).as_uri()
    await _reminder(client, migration)
    applied = client.edits[-1].edit  # type: ignore[attr-defined]
    _changed(client, [uri, *_uris(applied)])
    assert "ALTER TABLE sim_sessions ADD COLUMN mood_score integer;" in (
        root / migration
    ).read_text()
    assert "  mood_score: number | null;" in (root / "packages/types/src/sessions.ts").read_text()
    clone = (root / CLONE).read_text()
    assert "summary, mood_score')" in clone and "mood_score: s.mood_score," in clone
    _check_is_clean(root, capsys)


@pytest.mark.parametrize(
    ("path", "needle", "shift", "new_name", "message"),
    [
        (HOOK, "export function", 2, "x", "names a table or column to rename"),
        (HOOK, "text, feeling", 8, "text", "`victories` already has a column `text`"),
        (CLONE, "sim_victories'", 2, "x", "rename `victories` and its mirror follows"),
        (HOOK, "text, feeling", 8, "Bad", "not a plain lower-case SQL name"),
    ],
)
async def test_refusals_are_request_errors(
    client: LanguageClient, path: str, needle: str, shift: int, new_name: str, message: str
) -> None:
    root = _root(client)
    await _ready(client)
    where = _position(root, path, needle, shift)
    with pytest.raises(JsonRpcException, match=message):
        await client.text_document_rename_async(
            lsp.RenameParams(text_document=_doc(root, path), position=where, new_name=new_name)
        )
    if new_name == "x":
        with pytest.raises(JsonRpcException, match=message):
            await client.text_document_prepare_rename_async(
                lsp.PrepareRenameParams(text_document=_doc(root, path), position=where)
            )


async def test_add_column_refusal_is_a_message(client: LanguageClient) -> None:
    await _ready(client)
    before = {p.name for p in (_root(client) / "supabase/migrations").iterdir()}
    uri = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(
            command="lockstep.addColumn",
            arguments=[{"table": "sessions", "column": "summary", "type": "text"}],
        )
    )
    assert uri is None
    messages: _Messages = client.messages  # type: ignore[assignment]

    async def wait() -> None:
        while not any("already has a column `summary`" in m.message for m in messages):
            messages.arrived.clear()
            await messages.arrived.wait()

    await asyncio.wait_for(wait(), e2e.TIMEOUT)
    assert {p.name for p in (_root(client) / "supabase/migrations").iterdir()} == before
