"""Feature: table and column names in `.from()` chains and in migrations being typed."""

from __future__ import annotations

from lsprotocol import types as lsp

from lockstep.core.ide.completion import TRIGGER_CHARACTERS, complete
from lockstep.protocol import convert
from lockstep.protocol.server import LockstepServer, fresh, safe

_KINDS = {"table": lsp.CompletionItemKind.Class, "column": lsp.CompletionItemKind.Field}


def register(server: LockstepServer) -> None:
    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=list(TRIGGER_CHARACTERS)),
    )
    @safe(default=None)
    @fresh
    def completion(ls: LockstepServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
        routed = ls.project_at(params.text_document.uri)
        if routed is None or routed[0].index is None:
            return None
        index, relative = routed[0].index, routed[1]
        document = ls.workspace.text_documents.get(params.text_document.uri)
        text = document.source if document is not None else index.read(relative)
        if text is None or index.boundary.too_large(text):
            return None  # over the size cap: parsing it would block every request (25 s)
        items = complete(index, relative, text, convert.core_position(params.position))
        return lsp.CompletionList(
            is_incomplete=False,
            items=[
                lsp.CompletionItem(
                    label=item.label,
                    kind=_KINDS.get(item.kind),
                    detail=item.detail,
                    sort_text=item.sort_text,
                    filter_text=item.label,
                    text_edit=lsp.TextEdit(range=convert.range_(item.replace), new_text=item.label),
                )
                for item in items
            ],
        )
