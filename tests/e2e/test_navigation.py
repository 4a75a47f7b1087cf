"""References, definition, hover, code lens, completion, symbols and `lockstep.consumers`
through the real server, under VS Code and Neovim capabilities, on a fixture with decoys."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient, client_capabilities

from tests.e2e.conftest import (
    client_fixture,
    initialize_params,
    wait_for_diagnostics,
    workspace_fixture,
)

MIG2 = "supabase/migrations/002_wins.sql"
ROUTE = "apps/web/src/app/api/wins/route.ts"
DECOYS = "apps/web/src/lib/decoys.ts"


workspace_root = workspace_fixture("nav")


def position_of(root: Path, path: str, needle: str, nth: int = 0, shift: int = 1) -> lsp.Position:
    text = (root / path).read_text()
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    offset += shift
    line = text.count("\n", 0, offset)
    return lsp.Position(line, offset - (text.rfind("\n", 0, offset) + 1))


def doc(root: Path, path: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(uri=(root / path).as_uri())


async def ready(client: LanguageClient, root: Path) -> None:
    """Indexing is done once the first diagnostics are out (never a sleep)."""
    uri = (root / "supabase/migrations/003_wins_mood.sql").as_uri()
    await wait_for_diagnostics(client, uri, lambda d: len(d) > 0)


def relative(root: Path, uri: str) -> str:
    from pygls.uris import to_fs_path

    return Path(to_fs_path(uri) or "").resolve().relative_to(root.resolve()).as_posix()


async def test_references_skip_decoys(client: LanguageClient, workspace_root: Path) -> None:
    await ready(client, workspace_root)
    result = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc(workspace_root, ROUTE),
            position=position_of(workspace_root, ROUTE, "wins')"),
            context=lsp.ReferenceContext(include_declaration=False),
        )
    )
    assert result is not None
    paths = [relative(workspace_root, r.uri) for r in result]
    assert len(paths) == 8
    assert DECOYS not in paths
    with_declaration = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc(workspace_root, MIG2),
            position=position_of(workspace_root, MIG2, "wins ("),
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    assert with_declaration is not None
    found = {relative(workspace_root, r.uri) for r in with_declaration}
    assert {MIG2, "supabase/migrations/004_wins_body.sql", ROUTE} <= found
    assert DECOYS not in found


async def test_nothing_on_decoys(client: LanguageClient, workspace_root: Path) -> None:
    await ready(client, workspace_root)
    for needle in ("wins').select('*')", "wins']", "wins', 'utf8", "wins');", "table)"):
        position = position_of(workspace_root, DECOYS, needle)
        params = lsp.TextDocumentPositionParams(doc(workspace_root, DECOYS), position)
        assert (
            await client.text_document_hover_async(
                lsp.HoverParams(params.text_document, params.position)
            )
            is None
        ), needle
        assert not await client.text_document_definition_async(
            lsp.DefinitionParams(params.text_document, params.position)
        ), needle


async def test_definition_and_type_definition(client: LanguageClient, workspace_root: Path) -> None:
    await ready(client, workspace_root)
    result = await client.text_document_definition_async(
        lsp.DefinitionParams(
            doc(workspace_root, ROUTE), position_of(workspace_root, ROUTE, "mood: win")
        )
    )
    assert isinstance(result, list) and len(result) == 1
    assert isinstance(result[0], lsp.Location)
    assert relative(workspace_root, result[0].uri) == "supabase/migrations/003_wins_mood.sql"
    types = await client.text_document_type_definition_async(
        lsp.TypeDefinitionParams(
            doc(workspace_root, ROUTE), position_of(workspace_root, ROUTE, "wins')")
        )
    )
    assert isinstance(types, list)
    assert [relative(workspace_root, t.uri) for t in types if isinstance(t, lsp.Location)] == [
        MIG2,
        "packages/types/src/wins.ts",
    ]


async def test_hover_card(client: LanguageClient, workspace_root: Path) -> None:
    await ready(client, workspace_root)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(doc(workspace_root, MIG2), position_of(workspace_root, MIG2, "wins ("))
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.kind == lsp.MarkupKind.Markdown
    assert "**table public.wins**" in hover.contents.value
    assert "`sim_wins` drifts: `mood`" in hover.contents.value
    assert hover.range == lsp.Range(lsp.Position(1, 13), lsp.Position(1, 17))
    column = await client.text_document_hover_async(
        lsp.HoverParams(
            doc(workspace_root, ROUTE), position_of(workspace_root, ROUTE, "body, mood")
        )
    )
    assert column is not None and isinstance(column.contents, lsp.MarkupContent)
    assert column.contents.value.startswith("**column wins.body**")


async def test_code_lens(client: LanguageClient, workspace_root: Path) -> None:
    await ready(client, workspace_root)
    lenses = await client.text_document_code_lens_async(
        lsp.CodeLensParams(doc(workspace_root, MIG2))
    )
    assert lenses is not None
    titles = [lens.command.title for lens in lenses if lens.command]
    assert titles == [
        "8 consumers · type Win · sim_wins drift: 1 column",
        "1 consumer · mirrors wins",
    ]
    command = lenses[0].command
    assert command is not None and command.command == "lockstep.showConsumers"
    assert command.arguments and command.arguments[0]["table"] == "wins"
    assert command.arguments[0]["position"] == {"line": 1, "character": 13}


async def test_consumers_command(client: LanguageClient, workspace_root: Path) -> None:
    await ready(client, workspace_root)
    result = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="lockstep.consumers", arguments=[{"table": "wins"}])
    )
    assert [item["category"] for item in result] == [
        "api-route",
        "api-route",
        "hook",
        "context",
        "admin-query",
        "coaching",
        "after-callback",
        "clone",
    ]
    assert result[0]["uri"].endswith(ROUTE)
    assert result[0]["range"]["start"] == {"line": 4, "character": 40}
    empty = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="lockstep.consumers", arguments=[{"table": "nope"}])
    )
    assert empty == []


async def test_completion(client: LanguageClient, workspace_root: Path) -> None:
    await ready(client, workspace_root)
    path = workspace_root / "apps/web/src/lib/typing.ts"
    uri = path.as_uri()
    text = "async function f(supabase: any) {\n  await supabase.from('wins').select('id, ')\n}\n"
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id="typescript", version=1, text=text)
        )
    )
    result = await client.text_document_completion_async(
        lsp.CompletionParams(
            lsp.TextDocumentIdentifier(uri),
            lsp.Position(1, 42),
            context=lsp.CompletionContext(lsp.CompletionTriggerKind.TriggerCharacter, " "),
        )
    )
    assert isinstance(result, lsp.CompletionList)
    assert [i.label for i in result.items] == [
        "id",
        "created_at",
        "user_id",
        "session_id",
        "body",
        "mood",
    ]
    tables = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 23))
    )
    assert isinstance(tables, lsp.CompletionList)
    ordered = sorted(tables.items, key=lambda i: i.sort_text or "")
    assert [i.label for i in ordered][-2:] == ["sim_sessions", "sim_wins"]
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))


async def test_sql_completion_on_a_half_typed_statement(
    client: LanguageClient, workspace_root: Path
) -> None:
    await ready(client, workspace_root)
    uri = (workspace_root / "supabase/migrations/006_typing.sql").as_uri()
    text = "-- typing\nALTER TABLE wins DROP COLUMN "
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id="sql", version=1, text=text)
        )
    )
    result = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 29))
    )
    assert isinstance(result, lsp.CompletionList)
    assert "mood" in [i.label for i in result.items]
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))


async def test_symbols(client: LanguageClient, workspace_root: Path) -> None:
    await ready(client, workspace_root)
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(doc(workspace_root, MIG2))
    )
    assert symbols is not None
    assert [s.name for s in symbols][:2] == [
        "create table wins",
        "create index idx_wins_user_id on wins",
    ]
    types = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(doc(workspace_root, "packages/types/src/wins.ts"))
    )
    assert types is not None and isinstance(types[0], lsp.DocumentSymbol)
    assert types[0].name == "Win" and types[0].children is not None
    found = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="wns"))
    assert found is not None and {s.name for s in found} >= {"wins", "sim_wins"}


# -- a client that only takes plain text hovers ------------------------------------------


def _plain_text(client: LanguageClient, name: str,
                request: pytest.FixtureRequest) -> lsp.InitializeParams:
    capabilities = client_capabilities(name)
    assert capabilities.text_document is not None
    capabilities.text_document.hover = lsp.HoverClientCapabilities(
        content_format=[lsp.MarkupKind.PlainText]
    )
    return initialize_params(name, request.getfixturevalue("workspace_root"),
                             capabilities=capabilities)


plain_client = client_fixture(_plain_text, params=["neovim"], handlers=None)


async def test_plaintext_hover(plain_client: LanguageClient, workspace_root: Path) -> None:
    await ready(plain_client, workspace_root)
    hover = await plain_client.text_document_hover_async(
        lsp.HoverParams(doc(workspace_root, MIG2), position_of(workspace_root, MIG2, "wins ("))
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.kind == lsp.MarkupKind.PlainText
    assert "**" not in hover.contents.value
    assert hover.contents.value.startswith("table public.wins")


async def test_server_capabilities(plain_client: LanguageClient) -> None:
    result: lsp.InitializeResult = plain_client.result  # type: ignore[attr-defined]
    capabilities = result.capabilities
    commands = capabilities.execute_command_provider.commands  # type: ignore[union-attr]
    assert "lockstep.consumers" in commands
    # A client-side command: vscode-languageclient would register it and shadow the extension's.
    assert "lockstep.showConsumers" not in commands
    completion = capabilities.completion_provider
    assert completion is not None
    assert set(completion.trigger_characters or ()) == {"'", '"', "`", ",", " ", ".", "("}
    assert capabilities.references_provider and capabilities.hover_provider
    assert capabilities.definition_provider and capabilities.type_definition_provider
    assert capabilities.code_lens_provider and capabilities.document_symbol_provider
    assert capabilities.workspace_symbol_provider
