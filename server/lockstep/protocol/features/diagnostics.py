"""Publishing diagnostics: every file that has any, debounced after edits."""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp

from lockstep.core.rules.engine import run_rules
from lockstep.protocol import convert
from lockstep.protocol.server import DEBOUNCE_SECONDS, LockstepServer, report_failure


def publish_now(server: LockstepServer) -> None:
    """Recompute from the current index and publish what changed (and clear what went away)."""
    if server.index is None:
        return
    current = run_rules(server.index)
    for path in sorted(set(current) | set(server.published)):
        items = current.get(path, [])
        if items == server.published.get(path, []) and path in server.published:
            continue
        uri = convert.uri_for(server.root, path)
        document = server.workspace.text_documents.get(uri)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=[convert.diagnostic(server.root, d) for d in items],
                version=document.version if document is not None else None,
            )
        )
    server.published = {path: items for path, items in current.items() if items}


def schedule_publish(server: LockstepServer) -> None:
    """Debounce: a burst of keystrokes publishes once, from the newest text only."""
    if server.publish_task is not None and not server.publish_task.done():
        server.publish_task.cancel()

    async def later() -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)
        try:
            publish_now(server)
        except Exception:  # noqa: BLE001 - a rule bug must not kill the server
            report_failure(server, "Publishing diagnostics")

    try:
        server.publish_task = asyncio.get_running_loop().create_task(later())
    except RuntimeError:  # no running loop (tests calling handlers directly)
        publish_now(server)


def register(server: LockstepServer) -> None:
    del server  # publishing is driven by lifecycle and sync
