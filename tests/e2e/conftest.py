"""End-to-end tests: the real server process, driven by pytest-lsp.

Every module gets its server sessions from `client_fixture` and its workspace copy from
`workspace_fixture`. By default every test runs twice, once with VS Code's and once with
Neovim's client capabilities.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lockstep.core.text import LineIndex, Position
from tests.repos import fixture

VSCODE = "visual-studio-code"
CLIENTS = [VSCODE, "neovim"]
TIMEOUT = 30.0
# The scope of every client fixture. pytest-lsp gives the fixture the loop of that scope, and
# the tests run in the same one (asyncio_default_test_loop_scope in pyproject.toml): a client
# fixture and its tests on different loops hang the run.
SCOPE = "module"

Init = Callable[[LanguageClient, Any, pytest.FixtureRequest], lsp.InitializeParams]
Handlers = Callable[[LanguageClient], object]


def copy_fixture(name: str, destination: Path) -> Path:
    return fixture(name, destination)


def workspace_fixture(name: str, prepare: Callable[[Path], object] | None = None) -> Any:
    """A `workspace_root` fixture: one copy of tests/fixtures/<name> per module (its clients
    share it), then `prepare`d."""

    @pytest.fixture(scope=SCOPE)
    def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
        root = copy_fixture(name, tmp_path_factory.mktemp(name))
        if prepare is not None:
            prepare(root)
        return root

    return workspace_root


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


def initialize_params(client_name: str, root: Path, options: Any = None, *,
                      capabilities: lsp.ClientCapabilities | None = None) -> lsp.InitializeParams:
    """One workspace folder, `root`, opened by the named client (or these `capabilities`)."""
    return lsp.InitializeParams(
        capabilities=capabilities or client_capabilities(client_name),
        root_uri=root.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options,
    )


def vscode_languageclient_9() -> lsp.ClientCapabilities:
    """VS Code's capabilities with what vscode-languageclient 9 adds for pull diagnostics."""
    capabilities = client_capabilities(VSCODE)
    assert capabilities.text_document is not None and capabilities.workspace is not None
    capabilities.text_document.diagnostic = lsp.DiagnosticClientCapabilities(
        dynamic_registration=True, related_document_support=False)
    capabilities.workspace.diagnostics = lsp.DiagnosticWorkspaceClientCapabilities(
        refresh_support=True)
    return capabilities


def on_workspace_root(client: LanguageClient, name: str,
                      request: pytest.FixtureRequest) -> lsp.InitializeParams:
    """The default `Init`: the named client (kept as `client_name`) on the module's
    `workspace_root`."""
    client.client_name = name  # type: ignore[attr-defined]
    return initialize_params(name, request.getfixturevalue("workspace_root"))


def pulling(root_fixture: str = "workspace_root") -> Init:
    """An `Init`: VS Code with vscode-languageclient 9 (it pulls diagnostics) on the folder
    that the fixture named `root_fixture` gives."""

    def init(client: LanguageClient, name: str,
             request: pytest.FixtureRequest) -> lsp.InitializeParams:
        root = request.getfixturevalue(root_fixture)
        return initialize_params(name, root, capabilities=vscode_languageclient_9())

    return init


def own_workspace(client: LanguageClient, name: str, request: pytest.FixtureRequest,
                  make: Callable[[Path], Path]) -> lsp.InitializeParams:
    """For a client with a workspace of its own (fixes accumulate in it), that `make` builds
    in a fresh folder: the client keeps it as `root`, and its name as `client_name`."""
    root = make(request.getfixturevalue("tmp_path_factory").mktemp(name))
    client.root = root  # type: ignore[attr-defined]
    client.client_name = name  # type: ignore[attr-defined]
    return initialize_params(name, root)


def client_fixture(
    init: Init = on_workspace_root,
    *,
    params: Sequence[Any] = CLIENTS,
    command: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    handlers: Handlers | None = install_edit_handlers,
) -> Any:
    """A pytest-lsp client fixture (scope SCOPE): the server started with `command`
    (`env` added to the environment), one initialized session per value of `params`, the
    fixture's parameters (a single value: not parametrized).

    `init(client, value, request)` gives the InitializeParams; the client keeps what
    `handlers` returned as `edits` and the InitializeResult as `result`.
    """
    config = ClientServerConfig(server_command=list(command or server_command()),
                                server_env={**os.environ, **env} if env else None)
    parametrized = len(params) > 1

    async def session(lsp_client: LanguageClient,
                      request: pytest.FixtureRequest) -> AsyncIterator[None]:
        value = request.param if parametrized else params[0]
        lsp_client.edits = handlers(lsp_client) if handlers else None  # type: ignore[attr-defined]
        lsp_client.result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
            init(lsp_client, value, request))
        yield
        await lsp_client.shutdown_session()

    extra = {"params": list(params)} if parametrized else {}
    return pytest_lsp.fixture(config=config, scope=SCOPE, **extra)(session)


workspace_root = workspace_fixture("e2e-basic")
client = client_fixture()
