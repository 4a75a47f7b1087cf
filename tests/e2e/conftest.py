"""End-to-end tests: the real server process, driven by pytest-lsp.

Every test runs twice, once with VS Code's and once with Neovim's client capabilities. The
client fixture and the tests share the module loop scope (pyproject.toml), or the run hangs.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lockstep.core.text import LineIndex, Position
from tests.repos import fixture

CLIENTS = ["visual-studio-code", "neovim"]
TIMEOUT = 30.0


def copy_fixture(name: str, destination: Path) -> Path:
    return fixture(name, destination)


@pytest.fixture(scope="module")
def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_fixture("e2e-basic", tmp_path_factory.mktemp("ws"))


def install_edit_handlers(client: LanguageClient) -> list[lsp.ApplyWorkspaceEditParams]:
    """A client that applies workspace edits to disk, as an editor would (then saves)."""
    received: list[lsp.ApplyWorkspaceEditParams] = []

    @client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        received.append(params)
        apply_workspace_edit(params.edit)
        return lsp.ApplyWorkspaceEditResult(applied=True)

    @client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def show_message_request(params: lsp.ShowMessageRequestParams) -> None:
        client.messages.append(lsp.ShowMessageParams(type=params.type, message=params.message))
        return None

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: lsp.RegistrationParams) -> None:
        return None

    return received


def _offset(text: str, position: lsp.Position) -> int:
    return LineIndex(text).offset(Position(position.line, position.character))


def apply_text_edits(text: str, edits: Sequence[lsp.TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        start, end = _offset(text, edit.range.start), _offset(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def apply_workspace_edit(edit: lsp.WorkspaceEdit) -> None:
    from pygls.uris import to_fs_path

    for change in edit.document_changes or ():
        if isinstance(change, lsp.CreateFile):
            path = Path(to_fs_path(change.uri) or "")
            if path.exists() and not (change.options and change.options.overwrite):
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")
        elif isinstance(change, lsp.TextDocumentEdit):
            path = Path(to_fs_path(change.text_document.uri) or "")
            path.write_text(apply_text_edits(path.read_text(), change.edits))  # type: ignore[arg-type]
    for uri, edits in (edit.changes or {}).items():
        path = Path(to_fs_path(uri) or "")
        path.write_text(apply_text_edits(path.read_text(), edits))


async def wait_for_diagnostics(
    client: LanguageClient,
    uri: str,
    predicate: Callable[[Sequence[lsp.Diagnostic]], bool] = lambda d: True,
) -> Sequence[lsp.Diagnostic]:
    """Wait for publishDiagnostics notifications (never a sleep) until `predicate` holds."""

    async def wait() -> Sequence[lsp.Diagnostic]:
        while True:
            current = client.diagnostics.get(uri)
            if current is not None and predicate(current):
                return current
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), TIMEOUT)


def server_command() -> list[str]:
    return [sys.executable, "-m", "lockstep"]


def initialize_params(client_name: str, root: Path, options: Any = None) -> lsp.InitializeParams:
    return lsp.InitializeParams(
        capabilities=client_capabilities(client_name),
        root_uri=root.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options,
    )


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=server_command()),
    params=CLIENTS,
    scope="module",
)
async def client(
    lsp_client: LanguageClient, request: pytest.FixtureRequest, workspace_root: Path
) -> AsyncIterator[None]:
    lsp_client.edits = install_edit_handlers(lsp_client)  # type: ignore[attr-defined]
    await lsp_client.initialize_session(initialize_params(request.param, workspace_root))
    yield
    await lsp_client.shutdown_session()
