"""Feature: hover cards on tables and columns, in the client's preferred markup."""

from __future__ import annotations

from lsprotocol import types as lsp

from lockstep.core.ide.hover import hover_text
from lockstep.protocol import convert
from lockstep.protocol.features.navigation import target_at
from lockstep.protocol.server import LockstepServer, fresh, safe


def wants_markdown(server: LockstepServer) -> bool:
    document = server.client_capabilities.text_document
    hover = document.hover if document else None
    formats = hover.content_format if hover else None
    if not formats:
        return True  # the LSP default when the client does not say
    return formats[0] == lsp.MarkupKind.Markdown


def register(server: LockstepServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @safe(default=None)
    @fresh
    def hover(ls: LockstepServer, params: lsp.HoverParams) -> lsp.Hover | None:
        found = target_at(ls, params.text_document, params.position)
        if found is None:
            return None
        index, target = found
        markdown = wants_markdown(ls)
        text = hover_text(index, target, markdown)
        if text is None:
            return None
        kind = lsp.MarkupKind.Markdown if markdown else lsp.MarkupKind.PlainText
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=kind, value=text),
            range=convert.range_(target.range),
        )
