"""Feature: document symbols (migration statements, row types) and workspace symbols."""

from __future__ import annotations

from lsprotocol import types as lsp

from lockstep.core.ide.symbols import Symbol, document_symbols, workspace_symbols
from lockstep.protocol import convert
from lockstep.protocol.server import LockstepServer, safe

_KINDS = {
    "table": lsp.SymbolKind.Class,
    "column": lsp.SymbolKind.Field,
    "index": lsp.SymbolKind.Key,
    "policy": lsp.SymbolKind.Event,
    "enum": lsp.SymbolKind.Enum,
    "view": lsp.SymbolKind.Interface,
    "function": lsp.SymbolKind.Function,
    "trigger": lsp.SymbolKind.Event,
    "type": lsp.SymbolKind.Struct,
    "alias": lsp.SymbolKind.TypeParameter,
    "field": lsp.SymbolKind.Field,
    "statement": lsp.SymbolKind.Operator,
}


def _document_symbol(symbol: Symbol) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(
        name=symbol.name,
        kind=_KINDS.get(symbol.kind, lsp.SymbolKind.Object),
        range=convert.range_(symbol.range),
        selection_range=convert.range_(symbol.selection),
        detail=symbol.detail,
        children=[_document_symbol(child) for child in symbol.children] or None,
    )


def register(server: LockstepServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @safe(default=None)
    def document_symbol(
        ls: LockstepServer, params: lsp.DocumentSymbolParams
    ) -> list[lsp.DocumentSymbol] | None:
        routed = ls.project_at(params.text_document.uri)
        if routed is None or routed[0].index is None:
            return None
        return [_document_symbol(s) for s in document_symbols(routed[0].index, routed[1])]

    @server.feature(lsp.WORKSPACE_SYMBOL)
    @safe(default=None)
    def workspace_symbol(
        ls: LockstepServer, params: lsp.WorkspaceSymbolParams
    ) -> list[lsp.WorkspaceSymbol] | None:
        return [
            lsp.WorkspaceSymbol(
                name=s.name,
                kind=_KINDS.get(s.kind, lsp.SymbolKind.Object),
                location=lsp.Location(
                    uri=convert.uri_for(index.root, s.path), range=convert.range_(s.selection)
                ),
                container_name=s.detail,
            )
            for index in [p.index for p in ls.projects.states if p.index is not None]
            for s in workspace_symbols(index, params.query)
        ]
