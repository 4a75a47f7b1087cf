"""Document symbols (a migration's statements, a types file's row types) and workspace symbols.

A migration's outline reads as what it does (`create table wins`, `add column wins.mood`), taken
from the replay's events, so it doubles as a changelog of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lockstep.core.model import Location
from lockstep.core.sql.sites import sql_index
from lockstep.core.text import Range

if TYPE_CHECKING:
    from lockstep.core.workspace import Workspace

_KIND_OF_EVENT = {
    "create-table": "table",
    "drop-table": "table",
    "rename-table": "table",
    "add-column": "column",
    "drop-column": "column",
    "alter-column": "column",
    "rename-column": "column",
    "create-index": "index",
    "drop-index": "index",
    "create-policy": "policy",
    "drop-policy": "policy",
    "create-enum": "enum",
    "alter-enum": "enum",
    "create-view": "view",
    "create-function": "function",
    "create-trigger": "trigger",
}


@dataclass(slots=True)
class Symbol:
    name: str
    kind: str  # table, column, index, policy, enum, view, function, trigger, type, field, statement
    range: Range
    selection: Range
    path: str
    detail: str | None = None
    children: list[Symbol] = field(default_factory=list)


def _statement_label(kind: str) -> str:
    """`CreateFunctionStmt` → `create function` (libpg_query node names, not SQL text)."""
    name = kind.removesuffix("Stmt")
    spaced = "".join(f" {ch.lower()}" if ch.isupper() else ch for ch in name).strip()
    return spaced or "statement"


def migration_symbols(workspace: Workspace, path: str) -> list[Symbol]:
    doc = workspace.migrations.get(path)
    if doc is None:
        return []
    parsed = doc.parsed
    events = workspace.replay.events.get(path, [])
    sites = sql_index(workspace).by_path.get(path, [])
    names = iter(sites)
    site = next(names, None)
    symbols: list[Symbol] = []
    position = 0
    for statement in parsed.statements:
        whole = parsed.range(statement.start, statement.end)
        while site is not None and site.start < statement.start:
            site = next(names, None)
        named = site.range if site is not None and site.end <= statement.end else None
        inside = []
        while position < len(events) and events[position].location.range.start <= whole.end:
            if whole.start <= events[position].location.range.start:
                inside.append(events[position])
            position += 1
        if inside:
            first = inside[0]
            selection = named or first.location.range
            if not (whole.contains(selection.start) and whole.contains(selection.end)):
                selection = Range(whole.start, whole.start)
            kind = _KIND_OF_EVENT.get(first.kind, "statement")
            extra = f"+{len(inside) - 1} more" if len(inside) > 1 else None
            symbols.append(Symbol(first.action, kind, whole, selection, path, extra))
        else:
            label = _statement_label(statement.kind)
            symbols.append(Symbol(label, "statement", whole, Range(whole.start, whole.start), path))
    return symbols


def types_symbols(workspace: Workspace, path: str) -> list[Symbol]:
    file = workspace.types_files.get(path)
    if file is None:
        return []
    symbols = []
    for row in file.types:
        children = [
            Symbol(f.name, "field", f.range, f.name_range, path, f.type.text if f.type else None)
            for f in row.fields
        ]
        detail = f"@table {row.table_tag}" if row.table_tag else row.kind
        symbols.append(Symbol(row.name, "type", row.range, row.name_range, path, detail, children))
    for alias in file.aliases:
        symbols.append(Symbol(alias.name, "alias", alias.range, alias.name_range, path))
    symbols.sort(key=lambda s: s.range.start)
    return symbols


def document_symbols(workspace: Workspace, path: str) -> list[Symbol]:
    if path in workspace.migrations:
        return migration_symbols(workspace, path)
    return types_symbols(workspace, path)


def matches(query: str, name: str) -> bool:
    """Case-insensitive subsequence: `wn` matches `wins`, `sw` matches `sim_wins`."""
    remaining = iter(name.lower())
    return all(ch in remaining for ch in query.lower())


def _symbol(name: str, kind: str, where: Location | None, detail: str) -> Symbol | None:
    if where is None:
        return None
    return Symbol(name, kind, where.range, where.range, where.path, detail)


def workspace_symbols(workspace: Workspace, query: str, limit: int = 500) -> list[Symbol]:
    schema = workspace.replay.schema
    found: list[Symbol | None] = []
    for (space, name), table in schema.tables.items():
        if matches(query, name):
            where = table.name_location or table.location
            found.append(_symbol(name, "table", where, f"table {space}.{name}"))
    for (space, name), view in schema.views.items():
        if matches(query, name):
            found.append(_symbol(name, "view", view.location, f"view {space}.{name}"))
    for (space, name), enum in schema.enums.items():
        if matches(query, name):
            found.append(_symbol(name, "enum", enum.location, f"enum {space}.{name}"))
    for row in workspace.type_index.types:
        if matches(query, row.name):
            found.append(_symbol(row.name, "type", Location(row.path, row.name_range), row.path))
    symbols = [s for s in found if s is not None]
    symbols.sort(key=lambda s: (len(s.name), s.name))
    return symbols[:limit]
