"""The Lockstep language server: state, safe handlers and the one place features register."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from lockstep.cli.report import VERSION
from lockstep.core.diagnostics import Diagnostic, strict_mode
from lockstep.core.workspace import Workspace
from lockstep.protocol.convert import path_for

LOG = logging.getLogger("lockstep")
F = TypeVar("F", bound=Callable[..., Any])
DEBOUNCE_SECONDS = 0.05


class LockstepProtocol(LanguageServerProtocol):
    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(self, params: lsp.InitializeParams) -> Generator[Any, Any, Any]:
        """Positions are UTF-16 code units (the LSP default) end to end: never negotiate UTF-8,
        even when a client (Neovim) lists it first."""
        general = params.capabilities.general
        if general is not None and general.position_encodings:
            general.position_encodings = [lsp.PositionEncodingKind.Utf16]
        return (yield from super().lsp_initialize(params))


class LockstepServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "lockstep",
            VERSION,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
            protocol_cls=LockstepProtocol,
        )
        self.index: Workspace | None = None
        self.settings: dict[str, Any] = {}
        self.published: dict[str, list[Diagnostic]] = {}
        self.publish_task: asyncio.Task[None] | None = None
        self.client_watches_files = False  # it sends didChangeWatchedFiles for our globs
        self.own_process = False  # serve(): a failure may end the process (strict mode)

    @property
    def root(self) -> Path:
        return self.index.root if self.index else Path(".")

    def relative(self, uri: str) -> str | None:
        path = path_for(uri)
        if path is None or self.index is None:
            return None
        return self.index.relative(path)

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=message))
        except Exception:
            LOG.exception("could not log to the client")


STRICT_EXIT = 70  # EX_SOFTWARE


def report_failure(server: LockstepServer, what: str) -> None:
    """Log the exception being handled. In strict mode (the test suite) a server running as
    its own process also exits, so the test that caused it fails at once instead of passing
    on a neutral answer."""
    message = f"{what} failed:\n{traceback.format_exc()}"
    server.log(message, lsp.MessageType.Error)
    if strict_mode() and server.own_process:
        sys.stderr.write(f"lockstep: strict mode: {message}")
        sys.stderr.flush()
        os._exit(STRICT_EXIT)


def safe(default: Any = None) -> Callable[[F], F]:
    """No handler may raise to the client: log the error and answer `default` instead
    (in strict mode the server exits: see `report_failure`)."""

    def decorate(function: F) -> F:
        if asyncio.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(server: LockstepServer, *args: Any) -> Any:
                try:
                    return await function(server, *args)
                except Exception:  # noqa: BLE001 - no handler may raise to the client
                    report_failure(server, function.__name__)
                    return default

            return run_async  # type: ignore[return-value]

        @functools.wraps(function)
        def run(server: LockstepServer, *args: Any) -> Any:
            try:
                return function(server, *args)
            except Exception:  # noqa: BLE001 - no handler may raise to the client
                report_failure(server, function.__name__)
                return default

        return run  # type: ignore[return-value]

    return decorate


def create_server() -> LockstepServer:
    from lockstep.protocol.features import FEATURES

    server = LockstepServer()
    for register in FEATURES:
        register(server)
    return server


def serve() -> None:
    server = create_server()
    server.own_process = True
    server.start_io()
