"""The Lockstep language server: state, safe handlers and the one place features register."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable, Generator
from typing import Any, BinaryIO, TypeVar

from lsprotocol import types as lsp
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from lockstep.core.diagnostics import strict_mode
from lockstep.core.text import offset_at
from lockstep.core.version import VERSION
from lockstep.protocol import convert
from lockstep.protocol.frames import serve_frames
from lockstep.protocol.projects import Projects, ProjectState

LOG = logging.getLogger("lockstep")
F = TypeVar("F", bound=Callable[..., Any])


SPLICE_CHARS = 1 << 20  # documents past this take an edit as one slice


class LockstepProtocol(LanguageServerProtocol):
    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(self, params: lsp.InitializeParams) -> Generator[Any, Any, Any]:
        """Positions are UTF-16 code units (the LSP default) end to end: never negotiate UTF-8,
        even when a client (Neovim) lists it first."""
        general = params.capabilities.general
        if general is not None and general.position_encodings:
            general.position_encodings = [lsp.PositionEncodingKind.Utf16]
        result: lsp.InitializeResult = yield from super().lsp_initialize(params)
        from lockstep.protocol.features.diagnostics import client_pulls

        server = self._server
        assert isinstance(server, LockstepServer)
        server.pull = client_pulls(params.capabilities)
        if not server.pull:
            result.capabilities.diagnostic_provider = None  # it gets publishDiagnostics
        return result

    def handle_message(self, message: Any) -> None:
        """pygls tells message kinds apart with runtime-checked Protocols (~0.4 ms a message,
        0.4 s of a storm of 1,000 didChange): a notification is recognised here directly."""
        if getattr(message, "jsonrpc", None) == "2.0" and not self._shutdown \
                and hasattr(message, "method") and hasattr(message, "params") \
                and not hasattr(message, "id"):
            if message.method == lsp.TEXT_DOCUMENT_DID_CHANGE:
                self._did_change(message.params)
                return
            contextvars.copy_context().run(self._handle_notification, message.method,
                                           message.params)
            return
        super().handle_message(message)

    def _did_change(self, params: lsp.DidChangeTextDocumentParams) -> None:
        """The keystroke path, without pygls's generator and future machinery (half of a
        didChange's cost): apply the edit, then the feature records the text."""
        server = self._server
        assert isinstance(server, LockstepServer)
        try:
            self._apply_change(params)
            if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)) is not None:
                handler(params)
        except Exception:  # noqa: BLE001 - no handler may raise to the client
            report_failure(server, "didChange")

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: lsp.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        self._apply_change(params)
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    def _apply_change(self, params: lsp.DidChangeTextDocumentParams) -> None:
        """pygls applies an edit by rewriting the document line by line (1.2 s per keystroke
        in a 21 MB buffer); a big document takes it as one slice."""
        document = self.workspace.get_text_document(params.text_document.uri)
        for change in params.content_changes:
            source = document.source
            if isinstance(change, lsp.TextDocumentContentChangePartial) \
                    and len(source) > SPLICE_CHARS:
                start = offset_at(source, convert.core_position(change.range.start))
                end = offset_at(source, convert.core_position(change.range.end))
                whole = source[:start] + change.text + source[max(start, end):]
                document.apply_change(lsp.TextDocumentContentChangeWholeDocument(text=whole))
            else:
                document.apply_change(change)
        document.version = params.text_document.version


class LockstepServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "lockstep",
            VERSION,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
            protocol_cls=LockstepProtocol,
        )
        self.settings: dict[str, Any] = {}
        self.no_cache = False  # the client's `noCache` option: no disk cache of parsed files
        self.projects = Projects(self)  # one analysis per Supabase project (projects.py)
        self.pull = False  # the client pulls diagnostics (features/diagnostics.py)
        self.client_watches_files = False  # it sends didChangeWatchedFiles for our globs
        self.own_process = False  # serve(): a failure may end the process (strict mode)

    def project_at(self, uri: str) -> tuple[ProjectState, str] | None:
        """The project that owns the file and its root-relative path (None: no project's)."""
        return self.projects.at(uri)

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """pygls's stdio loop with Lockstep's reader, which skips a malformed frame instead of
        losing every message after it (see frames.py)."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        protocol = self.protocol

        def decode(body: bytes) -> Any:
            return json.loads(body, object_hook=protocol.structure_message)

        def report(message: str) -> None:
            LOG.warning("%s", message)
            self.log(f"Lockstep: {message}", lsp.MessageType.Warning)

        try:
            asyncio.run(serve_frames(stdin or sys.stdin.buffer, decode, protocol.handle_message,
                                     self._stop_event, report))
        except BrokenPipeError:
            LOG.error("The connection to the client is lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

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


def fresh(function: F) -> F:
    """Answer from a snapshot that holds the newest text of the request's own file: wait for
    that file's parse (and the replay it feeds), never for the workspace's rules."""

    @functools.wraps(function)
    async def run(server: LockstepServer, params: Any) -> Any:
        document = getattr(params, "text_document", None)
        routed = server.project_at(document.uri) if document is not None else None
        if routed is not None:
            await routed[0].scheduler.snapshot_for(routed[1])
        return function(server, params)

    return run  # type: ignore[return-value]


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
