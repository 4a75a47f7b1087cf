"""One benchmark session against the real server over stdio (pygls's client, VS Code's
capabilities): indexing time, request latency, edit → diagnostics latency, an edit storm.

Every wait is for a message from the server, never a sleep.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from generate import Spot
from lsprotocol import types as lsp
from pygls.lsp.client import BaseLanguageClient
from pytest_lsp import client_capabilities

INDEX_TIMEOUT_S = 600
EDIT_TIMEOUT_S = 60
REQUEST_TIMEOUT_S = 60


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return {"p50": round(statistics.median(ordered) * 1000, 2), "p95": round(p95 * 1000, 2)}


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


class Session:
    """A started, indexed server and the notifications it has sent."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.client = BaseLanguageClient("lockstep-bench", "1")
        self.indexed = asyncio.Event()
        self.published: dict[str, asyncio.Queue[lsp.PublishDiagnosticsParams]] = {}
        self.versions: dict[str, int] = {}
        self._register()

    def _register(self) -> None:
        client = self.client

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, asyncio.Queue()).put_nowait(params)

        @client.feature(lsp.WINDOW_LOG_MESSAGE)
        def _log(params: lsp.LogMessageParams) -> None:
            if params.message.startswith("Lockstep indexed"):
                self.indexed.set()

        @client.feature(lsp.PROGRESS)
        def _progress_report(params: Any) -> None:
            return None

        @client.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def _progress(params: Any) -> None:
            return None

        @client.feature(lsp.WORKSPACE_CONFIGURATION)
        def _configuration(params: Any) -> list[Any]:
            return [None]

        @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
        def _register_capability(params: Any) -> None:
            return None

        @client.feature(lsp.WINDOW_SHOW_MESSAGE)
        def _show(params: Any) -> None:
            return None

    async def start(self) -> float:
        """Start and initialize the server; seconds until it says it has indexed."""
        started = time.perf_counter()
        await self.client.start_io(sys.executable, "-m", "lockstep")
        await asyncio.wait_for(self._initialize(), INDEX_TIMEOUT_S)
        await asyncio.wait_for(self.indexed.wait(), INDEX_TIMEOUT_S)
        return time.perf_counter() - started

    async def _initialize(self) -> None:
        await self.client.initialize_async(
            lsp.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=self.root.as_uri(),
                workspace_folders=[lsp.WorkspaceFolder(self.root.as_uri(), self.root.name)],
            )
        )
        self.client.initialized(lsp.InitializedParams())

    @property
    def pid(self) -> int:
        server = self.client._server  # pygls keeps the subprocess here
        assert server is not None
        return server.pid

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def uri(self, path: str) -> str:
        return (self.root / path).as_uri()

    def open(self, path: str) -> str:
        uri = self.uri(path)
        if uri not in self.versions:
            self.versions[uri] = 1
            language = "sql" if path.endswith(".sql") else "typescript"
            text = (self.root / path).read_text()
            self.client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(
                    text_document=lsp.TextDocumentItem(
                        uri=uri, language_id=language, version=1, text=text
                    )
                )
            )
        return uri

    def change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def until_published(
        self, uri: str, accept: Callable[[list[lsp.Diagnostic]], bool]
    ) -> None:
        """Wait for a publishDiagnostics on `uri` whose diagnostics satisfy `accept`."""
        queue = self.published.setdefault(uri, asyncio.Queue())
        while True:
            params = await asyncio.wait_for(queue.get(), EDIT_TIMEOUT_S)
            if accept(params.diagnostics):
                return

    async def timed(
        self, spots: list[Spot], call: Callable[[Spot], Awaitable[Any]]
    ) -> dict[str, float]:
        for spot in spots[:5]:  # warm-up: the first use may build lazy indexes
            await asyncio.wait_for(call(spot), REQUEST_TIMEOUT_S)
        samples = []
        for spot in spots:
            begin = time.perf_counter()
            await asyncio.wait_for(call(spot), REQUEST_TIMEOUT_S)
            samples.append(time.perf_counter() - begin)
        return percentiles(samples)

    def where(self, spot: Spot) -> tuple[lsp.TextDocumentIdentifier, lsp.Position]:
        document = lsp.TextDocumentIdentifier(uri=self.uri(spot.path))
        return document, lsp.Position(line=spot.line, character=spot.character)

    async def references(self, spot: Spot) -> Any:
        doc, pos = self.where(spot)
        return await self.client.text_document_references_async(
            lsp.ReferenceParams(
                text_document=doc,
                position=pos,
                context=lsp.ReferenceContext(include_declaration=True),
            )
        )

    async def definition(self, spot: Spot) -> Any:
        doc, pos = self.where(spot)
        return await self.client.text_document_definition_async(
            lsp.DefinitionParams(text_document=doc, position=pos)
        )

    async def hover(self, spot: Spot) -> Any:
        doc, pos = self.where(spot)
        return await self.client.text_document_hover_async(
            lsp.HoverParams(text_document=doc, position=pos)
        )

    async def completion(self, spot: Spot) -> Any:
        self.open(spot.path)
        doc, pos = self.where(spot)
        return await self.client.text_document_completion_async(
            lsp.CompletionParams(text_document=doc, position=pos)
        )

    async def code_action(self, spot: Spot) -> Any:
        doc, pos = self.where(spot)
        return await self.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=doc,
                range=lsp.Range(start=pos, end=pos),
                context=lsp.CodeActionContext(diagnostics=[]),
            )
        )

    async def edit_latency(
        self, path: str, bad_line: str, code: str, edits: int
    ) -> dict[str, float]:
        """Toggle a line that causes finding `code`; time each edit until its diagnostics arrive."""
        uri = self.open(path)
        original = (self.root / path).read_text()
        samples = []
        for index in range(edits):
            broken = index % 2 == 0
            text = original + bad_line if broken else original
            begin = time.perf_counter()
            self.change(uri, text)
            await self.until_published(
                uri, lambda found, want=broken: any(d.code == code for d in found) == want
            )
            samples.append(time.perf_counter() - begin)
        if edits % 2:
            self.change(uri, original)
        return percentiles(samples)

    async def storm_hover(self, spot: Spot, changes: int) -> tuple[float, Any]:
        """`changes` didChange notifications at once on the spot's file, then a hover on it:
        seconds from the last change to the answer, and the answer."""
        uri = self.open(spot.path)
        original = (self.root / spot.path).read_text()
        for index in range(changes):
            self.change(uri, original + f"\n-- storm {index}\n")
        begin = time.perf_counter()
        answer = await asyncio.wait_for(self.hover(spot), REQUEST_TIMEOUT_S)
        elapsed = time.perf_counter() - begin
        self.change(uri, original)
        return elapsed, answer
