"""Indexes, policies, enums, views, routines, comments and search_path."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import DropBehavior, ObjectType

from lockstep.core.model import Enum, Index, Policy, Routine, Table, View
from lockstep.core.replay import cascade
from lockstep.core.replay.cascade import printed_type
from lockstep.core.replay.constraints import (
    choose_name,
    figure_name,
    relation_names,
    unique_parts,
)
from lockstep.core.replay.context import StatementContext, names
from lockstep.core.replay.dependencies import (
    copy_index_to_partition,
    partitions_of,
    record_view_dependencies,
)
from lockstep.core.replay.exprtext import column_types, index_element, predicate
from lockstep.core.replay.reprint import column_refs
from lockstep.core.rules.registry.migrations import UNKNOWN_TABLE

_COMMANDS = {"all": "ALL", "select": "SELECT", "insert": "INSERT", "update": "UPDATE",
             "delete": "DELETE"}


def _index_column(element: ast.IndexElem, table: Table) -> str:
    if element.name:
        return str(element.name)
    return index_element(element.expr, column_types(table))


def _index_name_part(element: ast.IndexElem) -> str:
    """The part of a generated index name that PostgreSQL derives from an index element
    (FigureIndexColname: a column's name, a function's, else `expr`)."""
    if element.name:
        return str(element.name)
    return figure_name(element.expr) or "expr"


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
        parts = [_index_name_part(e) for e in [*elements, *(node.indexIncludingParams or ())]]
        name = choose_name(relation_names(context, table.schema), table.name,
                           unique_parts(parts), "idx")
    columns = [_index_column(e, table) for e in elements]
    index = Index(name, columns, unique=bool(node.unique), location=context.whole,
                  include=[str(e.name) for e in node.indexIncludingParams or () if e.name])
    if node.whereClause is not None:
        index.where = predicate(node.whereClause, column_types(table))
    table.indexes.append(index)
    for partition in partitions_of(context, table):
        copy_index_to_partition(context, partition, table, index)
    context.record(f"create index {name} on {table.name}", "create-index", table,
                   [c for c in columns if c in table.columns])


def drop_indexes(context: StatementContext, node: ast.DropStmt) -> None:
    for parts in node.objects or ():
        dotted = names(parts)
        schema = dotted[-2] if len(dotted) > 1 else context.creation_schema(None)
        found = next(((t, i) for t in context.schema.tables.values() if t.schema == schema
                      for i in t.indexes if i.name == dotted[-1]), None)
        if found is None:
            continue
        table, index = found
        if cascade.drop_index(context, table, index, node.behavior == DropBehavior.DROP_CASCADE):
            context.record(f"drop index {dotted[-1]}", "drop-index", table)


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
    policy = Policy(node.policy_name, command, context.whole)
    policy.using_columns = column_refs(node.qual)
    policy.check_columns = column_refs(node.with_check)
    table.policies.append(policy)
    context.record(f"create policy \"{node.policy_name}\" on {table.name}", "create-policy",
                   table)


def alter_policy(context: StatementContext, node: ast.AlterPolicyStmt) -> None:
    """A new USING / WITH CHECK changes the columns the policy depends on."""
    table = context.lookup_table(node.table.schemaname, node.table.relname)
    policy = next((p for p in table.policies if p.name == node.policy_name), None) \
        if table else None
    if policy is None:
        return
    if node.qual is not None:
        policy.using_columns = column_refs(node.qual)
    if node.with_check is not None:
        policy.check_columns = column_refs(node.with_check)


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
        schema = context.creation_schema(node.relation.schemaname)
        for table in context.schema.tables.values():
            for index in table.indexes if table.schema == schema else ():
                if index.name == node.relation.relname:
                    index.name = node.newname
                    _rename_constraint(table, node.relation.relname, node.newname)
    elif kind == ObjectType.OBJECT_TYPE:
        dotted = names(node.object)
        key = (context.creation_schema(dotted[-2] if len(dotted) > 1 else None), dotted[-1])
        move_enum(context, key, (key[0], node.newname))
    elif kind in (ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW) and node.relation:
        schema = context.creation_schema(node.relation.schemaname)
        old_key = (schema, node.relation.relname)
        view = context.schema.views.pop(old_key, None)
        if view is not None:
            view.name = node.newname
            context.schema.views[(schema, view.name)] = view
            for other in context.schema.views.values():
                if old_key in other.depends_on:
                    other.depends_on = (other.depends_on - {old_key}) | {(schema, view.name)}


def _rename_constraint(table: Table, old: str, new: str) -> None:
    """Renaming a constraint's index renames the constraint (they share the name)."""
    for constraint in table.constraints:
        if constraint.name == old and constraint.kind in ("primary", "unique", "exclusion"):
            constraint.name = new


def move_enum(context: StatementContext, old: tuple[str, str], new: tuple[str, str]) -> None:
    """RENAME TO / SET SCHEMA: columns of the type, and the casts in defaults, follow."""
    enum = context.schema.enums.pop(old, None)
    if enum is None:
        return
    before, after = printed_type(*old), printed_type(*new)
    enum.schema, enum.name = new
    context.schema.enums[new] = enum
    for table in context.schema.tables.values():
        for column in table.columns.values():
            if column.type in (before, before + "[]"):
                column.type = after + column.type[len(before):]
            if column.default and f"::{before}" in column.default:
                column.default = column.default.replace(f"::{before}", f"::{after}")


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
        _relabel_defaults(context, printed_type(enum.schema, enum.name), node.oldVal,
                          node.newVal)
    elif node.newVal in enum.values:
        return
    elif node.newValNeighbor and node.newValNeighbor in enum.values:
        at = enum.values.index(node.newValNeighbor) + (1 if node.newValIsAfter else 0)
        enum.values.insert(at, node.newVal)
    else:
        enum.values.append(node.newVal)
    context.record(f"alter type {enum.name}", "alter-enum")


def _relabel_defaults(context: StatementContext, printed: str, old: str, new: str) -> None:
    """A default holds the enum value itself (by OID): renaming the value renames it there."""
    before = "'" + old.replace("'", "''") + f"'::{printed}"
    after = "'" + new.replace("'", "''") + f"'::{printed}"
    for table in context.schema.tables.values():
        for column in table.columns.values():
            if column.default == before:
                column.default = after


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
        if key in context.schema.views:
            cascade.drop_view(context, key, node.behavior == DropBehavior.DROP_CASCADE)


def drop_types(context: StatementContext, node: ast.DropStmt) -> None:
    for type_name in node.objects or ():
        dotted = names(getattr(type_name, "names", None) or ())
        if not dotted:
            continue
        key = (context.creation_schema(dotted[-2] if len(dotted) > 1 else None), dotted[-1])
        if key in context.schema.enums:
            cascade.drop_enum(context, key, node.behavior == DropBehavior.DROP_CASCADE)


def drop_schemas(context: StatementContext, node: ast.DropStmt) -> None:
    for value in node.objects or ():
        name = getattr(value, "sval", None)
        if name in context.schema.schemas:
            cascade.drop_schema(context, name, node.behavior == DropBehavior.DROP_CASCADE)


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
