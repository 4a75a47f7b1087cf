"""What is under the cursor: a table or a column, wherever the workspace names it.

One answer for every file kind (migration, consumer call site, row type), so references,
definition and hover never care where the request came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lockstep.core.model import Key
from lockstep.core.sql.sites import sql_index
from lockstep.core.text import Position, Range

if TYPE_CHECKING:
    from lockstep.core.consumers.index import TableUse
    from lockstep.core.ts.index import RowType
    from lockstep.core.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Target:
    """A table (column None) or one of its columns; `range` is the name under the cursor."""

    table: Key
    column: str | None
    range: Range
    origin: str  # sql | consumer | row-type | type-field
    row_type: str | None = None  # the TS row type's name when the cursor is on one


def table_key(name: str, schema: str | None = None) -> Key:
    """`wins` / `public.wins` / (`wins`, schema from `.schema('x')`) → (schema, name)."""
    prefix, _, bare = name.rpartition(".")
    return (schema or prefix or "public", bare)


def use_table(use: TableUse) -> Key:
    return table_key(use.table, use.schema)


def symbol_at(workspace: Workspace, path: str, position: Position) -> Target | None:
    """The table or column named at `position` in `path`, or None. Answers from the index."""
    if path in workspace.migrations:
        return _in_sql(workspace, path, position)
    found = _in_consumers(workspace, path, position)
    if found is None and path in workspace.types_files:
        found = _in_types(workspace, path, position)
    return found


def _in_sql(workspace: Workspace, path: str, position: Position) -> Target | None:
    offset = workspace.migrations[path].parsed.lines.offset(position)
    site = sql_index(workspace).at(path, offset)
    if site is None:
        return None
    return Target(site.table, site.column, site.range, "sql")


def _in_consumers(workspace: Workspace, path: str, position: Position) -> Target | None:
    for use in workspace.consumer_files.get(path, ()):
        if not use.range.contains(position) and not _chain_contains(use, position):
            continue
        table = use_table(use)
        if use.table_range.contains(position):
            return Target(table, None, use.table_range, "consumer")
        for call in use.chain:
            if not call.range.contains(position):
                continue
            for column in call.columns:
                if column.range.contains(position):
                    owner = table_key(column.relation) if column.relation else table
                    owner = embedded_table(workspace, table, column.relation) or owner
                    return Target(owner, column.name, column.range, "consumer")
    return None


def _chain_contains(use: TableUse, position: Position) -> bool:
    return bool(use.chain) and use.range.start <= position <= use.chain[-1].range.end


def embedded_table(workspace: Workspace, table: Key, relation: str | None) -> Key | None:
    """An embedded relation in a select (`author:profiles(name)`) names a table, or an FK."""
    if relation is None:
        return None
    schema = workspace.replay.schema
    if schema.table(relation, table[0]) is not None:
        return (table[0], relation)
    owner = schema.tables.get(table)
    for fk in owner.foreign_keys if owner else ():
        if relation in (fk.name, *fk.columns):
            return (fk.ref_schema, fk.ref_table)
    return None


def row_type_table(workspace: Workspace, row: RowType) -> Key | None:
    """The table a row type describes, among the tables the schema knows."""
    tables = workspace.replay.schema.tables
    name = workspace.type_index.table_for_type(row, (key[1] for key in tables))
    if name is None:
        return None
    for key in tables:
        if key[1] == name:
            return key
    return None


def _in_types(workspace: Workspace, path: str, position: Position) -> Target | None:
    file = workspace.types_files[path]
    for row in file.types:
        if not row.range.contains(position):
            continue
        table = row_type_table(workspace, row)
        if table is None:
            return None
        if row.name_range.contains(position):
            return Target(table, None, row.name_range, "row-type", row.name)
        for field in row.fields:
            if field.name_range.contains(position):
                return Target(table, field.name, field.name_range, "type-field", row.name)
    return None
