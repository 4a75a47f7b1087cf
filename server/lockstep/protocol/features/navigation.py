"""Feature: references, definition, type definition and the `lockstep.consumers` command."""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp

from lockstep.core.ide import navigation as nav
from lockstep.core.ide.target import Target, symbol_at, table_key
from lockstep.core.workspace import Workspace
from lockstep.protocol import convert
from lockstep.protocol.server import LockstepServer, fresh, safe

CONSUMERS_COMMAND = "lockstep.consumers"


def target_at(
    server: LockstepServer, document: lsp.TextDocumentIdentifier, position: lsp.Position
) -> tuple[Workspace, Target] | None:
    """The table or column at the position, and the snapshot of the file's project."""
    routed = server.project_at(document.uri)
    if routed is None or routed[0].index is None:
        return None
    index = routed[0].index
    target = symbol_at(index, routed[1], convert.core_position(position))
    return (index, target) if target is not None else None


def _range_json(value: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def consumers_json(server: LockstepServer, table: str,
                   uri: str | None = None) -> list[dict[str, Any]]:
    """`[{"category", "uri", "range"}]` for a table name (`wins`, `public.wins`): in the
    project holding `uri`, else in every project (each lists its own consumers)."""
    named = server.projects.for_argument(uri)
    states = [named] if named is not None else server.projects.states
    found_items: list[dict[str, Any]] = []
    for state in states:
        if state.index is None:
            continue
        found = nav.find_table(state.index, table)
        key = (found.schema, found.name) if found else table_key(table)
        found_items += [
            {
                "category": c.category,
                "uri": convert.uri_for(state.root, c.location.path),
                "range": _range_json(convert.range_(c.location.range)),
            }
            for c in nav.consumers(state.index, key)
        ]
    return found_items


def _arguments(args: Any) -> tuple[str | None, str | None]:
    """The table, and the optional `uri` naming the project."""
    first = args[0] if isinstance(args, (list, tuple)) and args else args
    if isinstance(first, dict) and isinstance(first.get("table"), str):
        uri = first.get("uri")
        return str(first["table"]), uri if isinstance(uri, str) else None
    return (first, None) if isinstance(first, str) else (None, None)


def register(server: LockstepServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    @safe(default=None)
    @fresh
    def references(ls: LockstepServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        found = target_at(ls, params.text_document, params.position)
        if found is None:
            return None
        index, target = found
        include = params.context.include_declaration if params.context else True
        return [convert.location(index.root, where)
                for where in nav.references(index, target, include)]

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @safe(default=None)
    @fresh
    def definition(ls: LockstepServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        found = target_at(ls, params.text_document, params.position)
        if found is None:
            return None
        index, target = found
        return [convert.location(index.root, where)
                for where in nav.definition(index, target)] or None

    @server.feature(lsp.TEXT_DOCUMENT_TYPE_DEFINITION)
    @safe(default=None)
    @fresh
    def type_definition(
        ls: LockstepServer, params: lsp.TypeDefinitionParams
    ) -> list[lsp.Location] | None:
        found = target_at(ls, params.text_document, params.position)
        if found is None:
            return None
        index, target = found
        return [convert.location(index.root, where)
                for where in nav.type_definition(index, target)] or None

    @server.command(CONSUMERS_COMMAND)
    @safe(default=[])
    def consumers(ls: LockstepServer, args: Any) -> list[dict[str, Any]]:
        table, uri = _arguments(args)
        return consumers_json(ls, table, uri) if table else []
