"""Indexes, policies, enums, views, routines, comments and search_path."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import DropBehavior, ObjectType

from lockstep.core.model import Enum, Index, Policy, Routine, Table, View
from lockstep.core.replay.constraints import choose_name, forget_column, relation_names
from lockstep.core.replay.context import StatementContext, deparse, names
from lockstep.core.replay.dependencies import (
    copy_index_to_partition,
    drop_dependent_views,
    partitions_of,
    record_view_dependencies,
)
from lockstep.core.rules.registry.migrations import UNKNOWN_TABLE
from lockstep.core.sql.types import SEARCH_PATH_SCHEMAS

_COMMANDS = {"all": "ALL", "select": "SELECT", "insert": "INSERT", "update": "UPDATE",
             "delete": "DELETE"}


def _index_column(element: ast.IndexElem) -> str:
    if element.name:
        return str(element.name)
    return deparse(element.expr)


def _index_name_part(element: ast.IndexElem) -> str:
    """The part of a generated index name that PostgreSQL derives from an index element."""
    if element.name:
        return str(element.name)
    if isinstance(element.expr, ast.FuncCall):
        return names(element.expr.funcname)[-1]
    return "expr"


def create_index(context: StatementContext, node: ast.IndexStmt) -> None:
    relation = node.relation
    view = context.lookup_view(relation.schemaname, relation.relname)
    if view is not None and view.materialized:
        return  # a materialized view is a relation: it takes indexes (not modelled)
    table = context.require_table(relation.schemaname, relation.relname, relation.location)
    if table is None:
        return
    elements = list(node.indexParams or ())
    for element in elements:
        if element.name and element.name not in table.columns:
            context.missing_column(table, element.name, context.find_identifier(element.name))
    name = node.idxname
    if name and node.if_not_exists and name in relation_names(context, table.schema):
        return
    if not name:
        name = choose_name(relation_names(context, table.schema), table.name,
                           [_index_name_part(e) for e in elements], "idx")
    columns = [_index_column(e) for e in elements]
    index = Index(name, columns, unique=bool(node.unique), location=context.whole)
    table.indexes.append(index)
    for partition in partitions_of(context, table):
        copy_index_to_partition(context, partition, table, index)
    context.record(f"create index {name} on {table.name}", "create-index", table,
                   [c for c in columns if c in table.columns])


def drop_indexes(context: StatementContext, node: ast.DropStmt) -> None:
    for parts in node.objects or ():
        dotted = names(parts)
        for table in context.schema.tables.values():
            if len(dotted) > 1 and table.schema != dotted[-2]:
                continue
            kept = [i for i in table.indexes if i.is_constraint or i.name != dotted[-1]]
            if len(kept) != len(table.indexes):
                table.indexes = kept
                context.record(f"drop index {dotted[-1]}", "drop-index", table)
                break


def create_policy(context: StatementContext, node: ast.CreatePolicyStmt) -> None:
    relation = node.table
    if context.lookup_view(relation.schemaname, relation.relname) is not None:
        context.issue(UNKNOWN_TABLE.name, f'"{relation.relname}" is not a table (policies '
                      "apply to tables: put row level security on the tables the view reads, "
                      "or make it `security_invoker`)",
                      context.name_location(relation.location, relation.relname))
        return
    table = context.require_table(relation.schemaname, relation.relname, relation.location)
    if table is None:
        return
    command = _COMMANDS.get(str(node.cmd_name).lower(), "ALL")
    table.policies.append(Policy(node.policy_name, command, context.whole))
    context.record(f"create policy \"{node.policy_name}\" on {table.name}", "create-policy",
                   table)


def _table_from_parts(context: StatementContext, dotted: list[str]) -> Table | None:
    schema = dotted[-2] if len(dotted) > 1 else None
    return context.lookup_table(schema, dotted[-1])


def drop_policies(context: StatementContext, node: ast.DropStmt) -> None:
    for parts in node.objects or ():
        dotted = names(parts)
        table = _table_from_parts(context, dotted[:-1])
        if table is None:
            continue
        table.policies = [p for p in table.policies if p.name != dotted[-1]]
        context.record(f"drop policy \"{dotted[-1]}\" on {table.name}", "drop-policy", table)


def rename_other(context: StatementContext, node: ast.RenameStmt) -> None:
    kind = node.renameType
    if kind == ObjectType.OBJECT_POLICY and node.relation is not None:
        table = context.lookup_table(node.relation.schemaname, node.relation.relname)
        for policy in table.policies if table else ():
            if policy.name == node.subname:
                policy.name = node.newname
    elif kind == ObjectType.OBJECT_INDEX and node.relation is not None:
        for table in context.schema.tables.values():
            for index in table.indexes:
                if index.name == node.relation.relname:
                    index.name = node.newname
    elif kind == ObjectType.OBJECT_TYPE:
        dotted = names(node.object)
        key = (dotted[-2] if len(dotted) > 1 else "public", dotted[-1])
        enum = context.schema.enums.pop(key, None)
        if enum is not None:
            old = enum.name if enum.schema in SEARCH_PATH_SCHEMAS else f"{enum.schema}.{enum.name}"
            enum.name = node.newname
            context.schema.enums[(enum.schema, enum.name)] = enum
            new = enum.name if enum.schema in SEARCH_PATH_SCHEMAS else f"{enum.schema}.{enum.name}"
            for table in context.schema.tables.values():
                for column in table.columns.values():
                    if column.type in (old, old + "[]"):
                        column.type = new + column.type[len(old):]
    elif kind in (ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW) and node.relation:
        schema = context.creation_schema(node.relation.schemaname)
        view = context.schema.views.pop((schema, node.relation.relname), None)
        if view is not None:
            view.name = node.newname
            context.schema.views[(schema, view.name)] = view


def create_enum(context: StatementContext, node: ast.CreateEnumStmt) -> None:
    dotted = names(node.typeName)
    schema = context.creation_schema(dotted[-2] if len(dotted) > 1 else None)
    values = [v.sval for v in node.vals or ()]
    context.schema.enums[(schema, dotted[-1])] = Enum(schema, dotted[-1], values, context.whole)
    context.record(f"create type {dotted[-1]}", "create-enum")


def alter_enum(context: StatementContext, node: ast.AlterEnumStmt) -> None:
    dotted = names(node.typeName)
    schema = context.creation_schema(dotted[-2] if len(dotted) > 1 else None)
    enum = context.schema.enums.get((schema, dotted[-1]))
    if enum is None:
        return
    if node.oldVal:
        enum.values = [node.newVal if v == node.oldVal else v for v in enum.values]
    elif node.newVal in enum.values:
        return
    elif node.newValNeighbor and node.newValNeighbor in enum.values:
        at = enum.values.index(node.newValNeighbor) + (1 if node.newValIsAfter else 0)
        enum.values.insert(at, node.newVal)
    else:
        enum.values.append(node.newVal)
    context.record(f"alter type {enum.name}", "alter-enum")


def create_view(
    context: StatementContext, relation: ast.RangeVar, query: Any, materialized: bool
) -> None:
    schema = context.creation_schema(relation.schemaname)
    view = View(schema, relation.relname, materialized, context.whole)
    record_view_dependencies(context, view, query)
    context.schema.views[(schema, relation.relname)] = view
    label = "materialized view" if materialized else "view"
    context.record(f"create {label} {relation.relname}", "create-view")


def drop_views(context: StatementContext, node: ast.DropStmt) -> None:
    for parts in node.objects or ():
        dotted = names(parts)
        key = (context.creation_schema(dotted[-2] if len(dotted) > 1 else None), dotted[-1])
        if context.schema.views.pop(key, None) is not None:
            drop_dependent_views(context, key)


def drop_types(context: StatementContext, node: ast.DropStmt) -> None:
    for type_name in node.objects or ():
        dotted = names(getattr(type_name, "names", None) or ())
        if not dotted:
            continue
        schema = context.creation_schema(dotted[-2] if len(dotted) > 1 else None)
        enum = context.schema.enums.pop((schema, dotted[-1]), None)
        if enum is not None and node.behavior == DropBehavior.DROP_CASCADE:
            printed = enum.name if schema in SEARCH_PATH_SCHEMAS else f"{schema}.{enum.name}"
            for table in context.schema.tables.values():
                for column in [c for c in table.columns.values()
                               if c.type in (printed, printed + "[]")]:
                    forget_column(context.schema, table, column.name)


def create_function(context: StatementContext, node: ast.CreateFunctionStmt) -> None:
    dotted = names(node.funcname)
    schema = context.creation_schema(dotted[-2] if len(dotted) > 1 else None)
    kind = "procedure" if node.is_procedure else "function"
    context.schema.routines[(schema, dotted[-1], kind)] = Routine(
        schema, dotted[-1], kind, location=context.whole
    )
    context.record(f"create {kind} {dotted[-1]}", "create-function")


def create_trigger(context: StatementContext, node: ast.CreateTrigStmt) -> None:
    relation = node.relation
    table = context.lookup_table(relation.schemaname, relation.relname)
    qualified = f"{table.schema}.{table.name}" if table else relation.relname
    schema = table.schema if table else context.creation_schema(relation.schemaname)
    context.schema.routines[(schema, node.trigname, "trigger")] = Routine(
        schema, node.trigname, "trigger", qualified, context.whole
    )
    context.record(f"create trigger {node.trigname}", "create-trigger", table)


def comment_on(context: StatementContext, node: ast.CommentStmt) -> None:
    dotted = names(node.object) if isinstance(node.object, tuple) else []
    if node.objtype == ObjectType.OBJECT_TABLE and dotted:
        table = _table_from_parts(context, dotted)
        if table is not None:
            table.comment = node.comment
            context.record(f"comment on table {table.name}", "comment", table)
    elif node.objtype == ObjectType.OBJECT_COLUMN and len(dotted) >= 2:
        table = _table_from_parts(context, dotted[:-1])
        if table is not None:
            context.record(f"comment on column {table.name}.{dotted[-1]}", "comment", table,
                           [dotted[-1]])


def set_variable(context: StatementContext, node: ast.VariableSetStmt) -> None:
    if (node.name or "").lower() != "search_path":
        return
    values: list[str] = []
    for argument in node.args or ():
        value = getattr(getattr(argument, "val", None), "sval", None)
        if isinstance(value, str):
            values.extend(part.strip().strip('"') for part in value.split(","))
    context.state.search_path = tuple(v for v in values if v and v != "$user") or ("public",)
