"""Several workspace folders, and several Supabase projects in one folder, end to end.

`mono` holds two projects (apps/a/supabase and apps/b/supabase) whose `notes` tables differ
(`body` in a, `title` in b) and a package under neither; `solo` is a second folder with its
own project; `fresh`, an empty Supabase CLI project, is added while the server runs. Each
file is answered from its own project's schema, and folders come and go.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

import tests.e2e.conftest as e2e
from tests.e2e.conftest import client_fixture, initialize_params
from tests.repos import fixture

CLIENT = "createClient('http://localhost:54321', 'anon')"
TASKS_SQL = """create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  title text not null
);
alter table public.tasks enable row level security;
create policy "read tasks" on public.tasks for select using (true);
"""
TASKS_TS = f"""import {{ createClient }} from '@supabase/supabase-js';

const supabase = {CLIENT};

export const tasks = () => supabase.from('tasks').select('id, done');
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content)
    return root


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("multi")
    solo = _write(base / "solo", {
        "supabase/config.toml": 'project_id = "solo"\n',
        "supabase/migrations/20240101000000_tasks.sql": TASKS_SQL,
        "src/tasks.ts": TASKS_TS,
    })
    fresh = _write(base / "fresh", {"supabase/config.toml": 'project_id = "fresh"\n'})
    (fresh / "supabase/migrations").mkdir()
    return {"mono": fixture("multi-project", base), "solo": solo, "fresh": fresh}


def _folder(path: Path) -> lsp.WorkspaceFolder:
    return lsp.WorkspaceFolder(uri=path.as_uri(), name=path.name)


def _init(client: LanguageClient, name: str,
          request: pytest.FixtureRequest) -> lsp.InitializeParams:
    folders: dict[str, Path] = request.getfixturevalue("folders")
    params = initialize_params(name, folders["mono"])
    params.workspace_folders = [_folder(folders["mono"]), _folder(folders["solo"])]
    return params


client = client_fixture(_init)


def _has(needle: str) -> Any:
    return lambda found: any(needle in d.message for d in found)


def _messages(found: Sequence[lsp.Diagnostic]) -> list[str]:
    return sorted(str(d.message) for d in found)


async def _hover(client: LanguageClient, path: Path, needle: str) -> str | None:
    text = path.read_text()
    line = next(n for n, value in enumerate(text.splitlines()) if needle in value)
    character = text.splitlines()[line].index(needle) + 1
    answer = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()),
        position=lsp.Position(line=line, character=character)))
    if answer is None:
        return None
    assert isinstance(answer.contents, lsp.MarkupContent)
    return answer.contents.value


async def _new(client: LanguageClient, spec: dict[str, Any]) -> Any:
    return await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="lockstep.newMigration", arguments=[spec]))


async def _change_folders(client: LanguageClient, added: Sequence[Path] = (),
                          removed: Sequence[Path] = ()) -> None:
    client.workspace_did_change_workspace_folders(lsp.DidChangeWorkspaceFoldersParams(
        event=lsp.WorkspaceFoldersChangeEvent(added=[_folder(p) for p in added],
                                              removed=[_folder(p) for p in removed])))


async def test_workspace_folders_and_their_changes_are_supported(client: LanguageClient) -> None:
    result: lsp.InitializeResult = client.result  # type: ignore[attr-defined]
    workspace = result.capabilities.workspace
    assert workspace is not None and workspace.workspace_folders is not None
    assert workspace.workspace_folders.supported
    assert workspace.workspace_folders.change_notifications is True


async def test_each_app_is_checked_against_its_own_project(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    apps = folders["mono"] / "apps"
    a = await e2e.wait_for_diagnostics(client, (apps / "a/src/notes.ts").as_uri(),
                                       _has("`title`"))
    b = await e2e.wait_for_diagnostics(client, (apps / "b/src/notes.ts").as_uri(),
                                       _has("`body`"))
    assert _messages(a) == ["Table `notes` has no column `title`"]
    assert _messages(b) == ["Table `notes` has no column `body`"]
    solo = await e2e.wait_for_diagnostics(client, (folders["solo"] / "src/tasks.ts").as_uri(),
                                          _has("`done`"))
    assert _messages(solo) == ["Table `tasks` has no column `done`"]


async def test_hover_and_definition_come_from_the_files_project(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    apps = folders["mono"] / "apps"
    card_a = await _hover(client, apps / "a/src/notes.ts", "notes')")
    card_b = await _hover(client, apps / "b/src/notes.ts", "notes')")
    assert card_a is not None and "body" in card_a and "title" not in card_a
    assert card_b is not None and "title" in card_b and "body" not in card_b
    source = apps / "b/src/notes.ts"
    line = source.read_text().splitlines().index(
        "  return supabase.from('notes').select('id, body, title');")
    found = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=lsp.TextDocumentIdentifier(uri=source.as_uri()),
        position=lsp.Position(line=line, character=26)))
    assert isinstance(found, list) and [loc.uri for loc in found] == [
        (apps / "b/supabase/migrations/20240101000000_notes.sql").as_uri()]


async def test_a_file_of_no_project_gets_nothing(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    shared = folders["mono"] / "packages/shared/notes.ts"
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=shared.as_uri(), language_id="typescript", version=1, text=shared.read_text())))
    assert await _hover(client, shared, "notes')") is None
    completion = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=shared.as_uri()),
        position=lsp.Position(line=6, character=24)))
    assert completion is None
    # The other projects' diagnostics were published after the open: none came for it.
    await e2e.wait_for_diagnostics(client, (folders["mono"] / "apps/a/src/notes.ts").as_uri())
    assert not client.diagnostics.get(shared.as_uri())


async def test_consumers_per_project_or_of_every_project(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    apps = folders["mono"] / "apps"

    async def consumers(spec: dict[str, str]) -> list[str]:
        found = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
            command="lockstep.consumers", arguments=[spec]))
        return sorted(item["uri"] for item in found)

    assert await consumers({"table": "notes", "uri": (apps / "b").as_uri()}) == [
        (apps / "b/src/notes.ts").as_uri()]
    assert await consumers({"table": "notes"}) == [
        (apps / "a/src/notes.ts").as_uri(), (apps / "b/src/notes.ts").as_uri()]


async def test_new_migration_goes_to_the_documents_project(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    apps = folders["mono"] / "apps"
    uri = await _new(client, {"description": "notes pinned",
                              "uri": (apps / "b/src/notes.ts").as_uri()})
    assert isinstance(uri, str)
    path = Path(uri.removeprefix("file://"))
    assert path.parent == apps / "b/supabase/migrations"
    assert path.name.endswith("_notes_pinned.sql") and len(path.name.split("_")[0]) == 14


async def test_without_a_document_the_person_picks_the_project(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    before = sorted(folders["mono"].rglob("*.sql")) + sorted(folders["solo"].rglob("*.sql"))
    assert await _new(client, {"description": "which one"}) is None  # the question dismissed
    question = next(m for m in client.messages if "in which project?" in m.message)
    assert question.type == lsp.MessageType.Info
    after = sorted(folders["mono"].rglob("*.sql")) + sorted(folders["solo"].rglob("*.sql"))
    assert after == before


async def test_folders_come_and_go(client: LanguageClient, folders: dict[str, Path]) -> None:
    solo = (folders["solo"] / "src/tasks.ts").as_uri()
    await e2e.wait_for_diagnostics(client, solo, _has("`done`"))
    await _change_folders(client, removed=[folders["solo"]])
    await e2e.wait_for_diagnostics(client, solo, lambda found: len(found) == 0)
    assert await _hover(client, folders["solo"] / "src/tasks.ts", "tasks')") is None

    await _change_folders(client, added=[folders["fresh"]])
    uri = await asyncio.wait_for(_new(client, {"description": "first table",
                                               "uri": folders["fresh"].as_uri()}), e2e.TIMEOUT)
    assert isinstance(uri, str)
    path = Path(uri.removeprefix("file://"))
    assert path.parent == folders["fresh"] / "supabase/migrations"
    version = path.name.split("_")[0]
    assert len(version) == 14 and version.startswith("20"), path.name  # the CLI's, not 001

    await _change_folders(client, added=[folders["solo"]])
    await e2e.wait_for_diagnostics(client, solo, _has("`done`"))
    card = await _hover(client, folders["solo"] / "src/tasks.ts", "tasks')")
    assert card is not None and "title" in card



async def test_named_migration_folders_make_one_project_again(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    """An editor setting naming the migrations makes the folder one project (every file is
    checked against it); clearing it lets discovery find both projects again."""
    a = (folders["mono"] / "apps/a/src/notes.ts").as_uri()
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings={
        "lockstep": {"migrations": {"paths": ["apps/b/supabase/migrations"]}}}))
    await e2e.wait_for_diagnostics(client, a, _has("`body`"))
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(
        settings={"lockstep": {}}))
    await e2e.wait_for_diagnostics(
        client, a, lambda d: _messages(d) == ["Table `notes` has no column `title`"])


async def test_a_project_created_later_is_found(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    """A new `config.toml` (the client watches `**/config.toml`) finds the folder's projects
    again; deleting it withdraws the project and its diagnostics."""
    mono = folders["mono"]
    cards = """create table public.cards (id uuid primary key);
alter table public.cards enable row level security;
create policy "read cards" on public.cards for select using (true);
"""
    source = f"""import {{ createClient }} from '@supabase/supabase-js';

const supabase = {CLIENT};

export const cards = () => supabase.from('cards').select('id, nope');
"""
    _write(mono, {"apps/c/supabase/migrations/20240101000000_cards.sql": cards,
                  "apps/c/src/cards.ts": source})
    config = mono / "apps/c/supabase/config.toml"
    config.write_text('project_id = "c"\n')
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=[
        lsp.FileEvent(uri=config.as_uri(), type=lsp.FileChangeType.Created)]))
    uri = (mono / "apps/c/src/cards.ts").as_uri()
    found = await e2e.wait_for_diagnostics(client, uri, _has("`nope`"))
    assert _messages(found) == ["Table `cards` has no column `nope`"]

    config.unlink()
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=[
        lsp.FileEvent(uri=config.as_uri(), type=lsp.FileChangeType.Deleted)]))
    await e2e.wait_for_diagnostics(client, uri, lambda d: len(d) == 0)
    shutil.rmtree(mono / "apps/c")
