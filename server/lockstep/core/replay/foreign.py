"""Foreign tables (splinter 0017): the Data API serves them like tables, and they have no RLS.

CREATE FOREIGN DATA WRAPPER / SERVER / USER MAPPING change nothing the rules judge, so the
replay leaves them alone like other statements it knows to be harmless. IMPORT FOREIGN SCHEMA
makes foreign tables whose names only the remote server knows: the replay cannot list them.
Runs after the main handler (engine.py), like replay/security.py, which keeps their grants.
"""

from __future__ import annotations

from lockstep.core.model import ForeignTable
from lockstep.core.replay.context import StatementContext
from lockstep.core.sql import ir


def _create(context: StatementContext, node: ir.CreateTable) -> None:
    key = (context.creation_schema(node.name.schema), node.name.name)
    if key in context.schema.foreign_tables and node.if_not_exists:
        return
    context.schema.foreign_tables[key] = ForeignTable(key[0], key[1], node.foreign_server or "",
                                                      context.whole)
    context.record(f"create foreign table {node.name.name}", "create-foreign-table")


def _drop(context: StatementContext, node: ir.Drop) -> None:
    tables = context.schema.foreign_tables
    if node.object_kind == "foreign table":
        for name in node.names:
            tables.pop((context.creation_schema(name.schema), name.name), None)
    elif node.object_kind == "schema":  # CASCADE took them with the schema
        gone = {name.name for name in node.names} - context.schema.schemas
        for key in [k for k in tables if k[0] in gone]:
            del tables[key]
            context.schema.readers.pop(key, None)


def _found(context: StatementContext, kind: str, name: ir.Name | None) -> tuple[str, str] | None:
    """The foreign table ALTER FOREIGN TABLE (or ALTER TABLE, when no table has that name)
    names."""
    if name is None or kind not in ("foreign table", "table") or (
            kind == "table" and context.lookup_table(name.schema, name.name) is not None):
        return None
    for schema in (name.schema,) if name.schema else context.state.search_path:
        if (schema, name.name) in context.schema.foreign_tables:
            return schema, name.name
    return None


def _rename(context: StatementContext, node: ir.Rename) -> None:
    key = _found(context, node.object_kind, node.target)
    if key is None:
        return
    table = context.schema.foreign_tables.pop(key, None)
    if table is not None:
        table.name = node.new_name
        context.schema.foreign_tables[(key[0], node.new_name)] = table


def _move(context: StatementContext, node: ir.SetSchema) -> None:
    old = _found(context, node.object_kind, node.target)
    if old is None:
        return
    table = context.schema.foreign_tables.pop(old, None)
    if table is not None:
        table.schema = node.new_schema
        context.schema.foreign_tables[(node.new_schema, table.name)] = table
        readers = context.schema.readers.pop(old, None)
        if readers is not None:
            context.schema.readers[(node.new_schema, table.name)] = readers


def observe(context: StatementContext, node: ir.Stmt) -> None:
    """Follow foreign tables through CREATE, DROP, RENAME and SET SCHEMA."""
    if isinstance(node, ir.CreateTable) and node.foreign_server is not None:
        _create(context, node)
    elif isinstance(node, ir.Drop):
        _drop(context, node)
    elif isinstance(node, ir.Rename):
        _rename(context, node)
    elif isinstance(node, ir.SetSchema):
        _move(context, node)
