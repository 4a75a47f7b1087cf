"""The language server on a crafted repository (issue 16), run under the audit hook of
tests/security_audit.py: it may not open anything in `outside/`, write outside the repository,
or touch the network, or it dies and these tests fail. FIFOs named `x.ts` and `lockstep.toml`
must not stop it from indexing; the secret behind the links appears in no answer."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

from lockstep.codeactions.migration.new import UNMIRRORED
from tests.e2e.conftest import (
    TIMEOUT,
    client_fixture,
    initialize_params,
    wait_for_diagnostics,
)
from tests.security_repo import SECRET, audited_command, hostile_repo

BASE = Path(tempfile.mkdtemp(prefix="lockstep-hostile-")).resolve()
ROOT, OUTSIDE = BASE / "repo", BASE / "outside"


@pytest.fixture(scope="module", autouse=True)
def hostile() -> Iterator[None]:
    hostile_repo(BASE)
    os.mkfifo(ROOT / "apps" / "web" / "src" / "x.ts")
    os.mkfifo(ROOT / "lockstep.toml")
    yield
    shutil.rmtree(BASE, ignore_errors=True)


client = client_fixture(lambda client, name, request: initialize_params(name, ROOT),
                        command=audited_command(OUTSIDE, ROOT))


def uri(relative: str) -> str:
    return (ROOT / relative).as_uri()


async def not_read(client: LanguageClient, relative: str) -> lsp.Diagnostic:
    found = await wait_for_diagnostics(client, uri(relative),
                                       lambda d: any(x.code == "file-not-read" for x in d))
    [item] = [d for d in found if d.code == "file-not-read"]
    return item


async def test_fifos_do_not_stop_the_index_and_links_are_named(client: LanguageClient) -> None:
    for relative in ("supabase/migrations/002_passwd.sql", "supabase/migrations/003_relative.sql",
                     "apps/web/src/hooks/useSecret.ts", "apps/outlink", "apps/rootlink",
                     "apps/web/src/x.ts", "lockstep.toml"):
        item = await not_read(client, relative)
        assert item.severity == lsp.DiagnosticSeverity.Information
        assert f"`{relative}`" in item.message


async def test_the_secret_is_in_no_answer(client: LanguageClient) -> None:
    await not_read(client, "supabase/migrations/002_passwd.sql")
    # The person opens the link in the editor: the editor shows it, Lockstep ignores it.
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
        uri=uri("supabase/migrations/002_passwd.sql"), language_id="sql", version=1,
        text=(OUTSIDE / "secret.sql").read_text())))
    answers: list[object] = []
    for query in ("", SECRET):
        answers.append(await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query)))
    text = (ROOT / "supabase/migrations/001_init.sql").read_text()
    line = text.splitlines().index("CREATE TABLE wins (id uuid PRIMARY KEY);")
    hover = await client.text_document_hover_async(lsp.HoverParams(
        lsp.TextDocumentIdentifier(uri("supabase/migrations/001_init.sql")),
        lsp.Position(line, 14)))
    assert hover is not None and "wins" in repr(hover.contents)
    answers += [hover, client.diagnostics, client.messages, client.log_messages]
    assert "'wins'" in repr(answers[0])
    assert SECRET not in repr(answers).lower()


async def test_create_file_through_an_outside_link_is_refused(client: LanguageClient) -> None:
    applied = len(client.edits)  # type: ignore[attr-defined]
    result = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="lockstep.createFile",
        arguments=[{"path": "apps/outlink/evil.sql", "content": "-- evil\n"}]))
    assert result is None
    assert not (OUTSIDE / "evil.sql").exists()
    assert len(client.edits) == applied  # type: ignore[attr-defined]  # nothing sent to apply

    async def refusal() -> None:
        while not any("outside the workspace" in m.message for m in client.messages):
            await client.wait_for_notification(lsp.WINDOW_SHOW_MESSAGE)

    await asyncio.wait_for(refusal(), TIMEOUT)


async def test_new_migration_with_megabytes_of_sql(client: LanguageClient) -> None:
    sql = "ALTER TABLE wins ADD COLUMN mood text;\n" * 130_000  # 5 MB
    started = time.perf_counter()
    created = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="lockstep.newMigration",
        arguments=[{"description": f"mood {len(os.listdir(ROOT / 'supabase/migrations'))}",
                    "sql": sql}]))
    print(f"lockstep.newMigration with 5 MB of SQL answered in "
          f"{time.perf_counter() - started:.2f} s")
    assert isinstance(created, str)
    path = Path(to_fs_path(created) or "")
    assert path.parent == ROOT / "supabase" / "migrations"
    assert UNMIRRORED in path.read_text()
    started = time.perf_counter()
    symbols = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams("wins"))
    print(f"the next request answered in {time.perf_counter() - started:.3f} s")
    assert symbols
