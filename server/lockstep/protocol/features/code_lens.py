"""Feature: a lens above each CREATE TABLE — consumers, row type, mirror status.

The lens command `lockstep.showConsumers` is client-side (the VS Code extension shows the
locations; Neovim uses `lockstep.consumers`), so the server never lists it among its own
commands: vscode-languageclient would otherwise register it and shadow the client's.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from lockstep.core.ide import navigation as nav
from lockstep.protocol import convert
from lockstep.protocol.server import LockstepServer, safe

SHOW_CONSUMERS = "lockstep.showConsumers"


def register(server: LockstepServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
    @safe(default=None)
    def code_lens(ls: LockstepServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens] | None:
        routed = ls.project_at(params.text_document.uri)
        index = routed[0].index if routed is not None else None
        if routed is None or index is None or routed[1] not in index.migrations:
            return None
        lenses = []
        for lens in nav.lenses(index, routed[1]):
            where = convert.range_(lens.location.range)
            table = lens.table[1] if lens.table[0] == "public" else ".".join(lens.table)
            argument = {
                "table": table,
                "uri": params.text_document.uri,
                "position": {"line": where.start.line, "character": where.start.character},
            }
            command = lsp.Command(title=lens.title, command=SHOW_CONSUMERS, arguments=[argument])
            lenses.append(lsp.CodeLens(range=where, command=command))
        return lenses
