"""Feature: references, definition, type definition and the `lockstep.consumers` command."""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp

from lockstep.core.ide import navigation as nav
from lockstep.core.ide.target import Target, symbol_at, table_key
from lockstep.protocol import convert
from lockstep.protocol.server import LockstepServer, fresh, safe

CONSUMERS_COMMAND = "lockstep.consumers"


def target_at(
    server: LockstepServer, document: lsp.TextDocumentIdentifier, position: lsp.Position
) -> Target | None:
    relative = server.relative(document.uri)
    if relative is None or server.index is None:
        return None
    return symbol_at(server.index, relative, convert.core_position(position))


def _range_json(value: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def consumers_json(server: LockstepServer, table: str) -> list[dict[str, Any]]:
    """`[{"category", "uri", "range"}]` for a table name (`wins`, `public.wins`)."""
    if server.index is None:
        return []
    found = nav.find_table(server.index, table)
    key = (found.schema, found.name) if found else table_key(table)
    return [
        {
            "category": c.category,
            "uri": convert.uri_for(server.root, c.location.path),
            "range": _range_json(convert.range_(c.location.range)),
        }
        for c in nav.consumers(server.index, key)
    ]


def _table_argument(args: Any) -> str | None:
    first = args[0] if isinstance(args, (list, tuple)) and args else args
    if isinstance(first, dict) and isinstance(first.get("table"), str):
        return str(first["table"])
    return first if isinstance(first, str) else None


def register(server: LockstepServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    @safe(default=None)
    @fresh
    def references(ls: LockstepServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        target = target_at(ls, params.text_document, params.position)
        if target is None or ls.index is None:
            return None
        include = params.context.include_declaration if params.context else True
        found = nav.references(ls.index, target, include)
        return [convert.location(ls.root, where) for where in found]

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @safe(default=None)
    @fresh
    def definition(ls: LockstepServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        target = target_at(ls, params.text_document, params.position)
        if target is None or ls.index is None:
            return None
        found = nav.definition(ls.index, target)
        return [convert.location(ls.root, where) for where in found] or None

    @server.feature(lsp.TEXT_DOCUMENT_TYPE_DEFINITION)
    @safe(default=None)
    @fresh
    def type_definition(
        ls: LockstepServer, params: lsp.TypeDefinitionParams
    ) -> list[lsp.Location] | None:
        target = target_at(ls, params.text_document, params.position)
        if target is None or ls.index is None:
            return None
        found = nav.type_definition(ls.index, target)
        return [convert.location(ls.root, where) for where in found] or None

    @server.command(CONSUMERS_COMMAND)
    @safe(default=[])
    def consumers(ls: LockstepServer, args: Any) -> list[dict[str, Any]]:
        table = _table_argument(args)
        return consumers_json(ls, table) if table else []
