"""Foreign tables (splinter 0017): the Data API serves them like tables, and they have no RLS.

CREATE FOREIGN DATA WRAPPER / SERVER / USER MAPPING change nothing the rules judge, so the
replay leaves them alone like other statements it knows to be harmless. IMPORT FOREIGN SCHEMA
makes foreign tables whose names only the remote server knows: the replay cannot list them.
Runs after the main handler (engine.py), like replay/security.py, which keeps their grants.
"""

from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType

from lockstep.core.model import ForeignTable
from lockstep.core.replay.context import StatementContext, names


def _create(context: StatementContext, node: ast.CreateForeignTableStmt) -> None:
    relation = node.base.relation
    key = (context.creation_schema(relation.schemaname), relation.relname)
    if key in context.schema.foreign_tables and node.base.if_not_exists:
        return
    context.schema.foreign_tables[key] = ForeignTable(key[0], key[1], node.servername,
                                                      context.whole)
    context.record(f"create foreign table {relation.relname}", "create-foreign-table")


def _drop(context: StatementContext, node: ast.DropStmt) -> None:
    tables = context.schema.foreign_tables
    if node.removeType == ObjectType.OBJECT_FOREIGN_TABLE:
        for parts in node.objects or ():
            dotted = names(parts)
            tables.pop((context.creation_schema(dotted[-2] if len(dotted) > 1 else None),
                        dotted[-1]), None)
    elif node.removeType == ObjectType.OBJECT_SCHEMA:  # CASCADE took them with the schema
        gone = {getattr(o, "sval", "") for o in node.objects or ()} - context.schema.schemas
        for key in [k for k in tables if k[0] in gone]:
            del tables[key]
            context.schema.readers.pop(key, None)


def _found(context: StatementContext, kind: ObjectType, relation: ast.RangeVar | None,
           ) -> tuple[str, str] | None:
    """The foreign table ALTER FOREIGN TABLE (or ALTER TABLE, when no table has that name)
    names."""
    if relation is None or kind not in (ObjectType.OBJECT_FOREIGN_TABLE, ObjectType.OBJECT_TABLE) \
            or (kind == ObjectType.OBJECT_TABLE
                and context.lookup_table(relation.schemaname, relation.relname) is not None):
        return None
    for schema in (relation.schemaname,) if relation.schemaname else context.state.search_path:
        if (schema, relation.relname) in context.schema.foreign_tables:
            return schema, relation.relname
    return None


def _rename(context: StatementContext, node: ast.RenameStmt) -> None:
    key = _found(context, node.renameType, node.relation)
    if key is None:
        return
    schema = key[0]
    table = context.schema.foreign_tables.pop(key, None)
    if table is not None:
        table.name = node.newname
        context.schema.foreign_tables[(schema, node.newname)] = table


def _move(context: StatementContext, node: ast.AlterObjectSchemaStmt) -> None:
    old = _found(context, node.objectType, node.relation)
    if old is None:
        return
    table = context.schema.foreign_tables.pop(old, None)
    if table is not None:
        table.schema = node.newschema
        context.schema.foreign_tables[(node.newschema, table.name)] = table
        readers = context.schema.readers.pop(old, None)
        if readers is not None:
            context.schema.readers[(node.newschema, table.name)] = readers


def observe(context: StatementContext, node: object) -> None:
    """Follow foreign tables through CREATE, DROP, RENAME and SET SCHEMA."""
    if isinstance(node, ast.CreateForeignTableStmt):
        _create(context, node)
    elif isinstance(node, ast.DropStmt):
        _drop(context, node)
    elif isinstance(node, ast.RenameStmt):
        _rename(context, node)
    elif isinstance(node, ast.AlterObjectSchemaStmt):
        _move(context, node)
