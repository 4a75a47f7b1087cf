"""Indexes, policies, enums, views, routines, comments and search_path."""

from __future__ import annotations

from lockstep.core.model import Enum, Index, Policy, Routine, Table, View
from lockstep.core.replay import cascade
from lockstep.core.replay.cascade import printed_type
from lockstep.core.replay.constraints import (
    choose_name,
    figure_name,
    relation_names,
    unique_parts,
)
from lockstep.core.replay.context import StatementContext
from lockstep.core.replay.dependencies import (
    copy_index_to_partition,
    partitions_of,
    record_view_dependencies,
)
from lockstep.core.replay.exprtext import column_types, index_element, predicate
from lockstep.core.rules.registry.migrations import UNKNOWN_TABLE
from lockstep.core.sql import ir

_COMMANDS = {"all": "ALL", "select": "SELECT", "insert": "INSERT", "update": "UPDATE",
             "delete": "DELETE"}


def _index_column(element: ir.IndexColumn, table: Table) -> str:
    if element.name or element.expr is None:
        return str(element.name)
    return index_element(element.expr.node, column_types(table))


def _index_name_part(element: ir.IndexColumn) -> str:
    """The part of a generated index name that PostgreSQL derives from an index element
    (FigureIndexColname: a column's name, a function's, else `expr`)."""
    if element.name or element.expr is None:
        return str(element.name)
    return figure_name(element.expr.node) or "expr"


def create_index(context: StatementContext, node: ir.CreateIndex) -> None:
    relation = node.table
    view = context.lookup_view(relation.schema, relation.name)
    if view is not None and view.materialized:
        return  # a materialized view is a relation: it takes indexes (not modelled)
    table = context.require(relation)
    if table is None:
        return
    elements = node.columns
    for element in elements:
        if element.name and element.name not in table.columns:
            context.missing_column(table, element.name, context.find_identifier(element.name))
    name = node.name
    if name and node.if_not_exists and name in relation_names(context, table.schema):
        return
    if not name:
        parts = [_index_name_part(e) for e in elements] + [c.name or "expr" for c in node.include]
        name = choose_name(relation_names(context, table.schema), table.name,
                           unique_parts(parts), "idx")
    columns = [_index_column(e, table) for e in elements]
    index = Index(name, columns, unique=node.unique, location=context.whole,
                  include=[c.name for c in node.include if c.name])
    if node.where is not None:
        index.where = predicate(node.where.node, column_types(table))
    table.indexes.append(index)
    for partition in partitions_of(context, table):
        copy_index_to_partition(context, partition, table, index)
    context.record(f"create index {name} on {table.name}", "create-index", table,
                   [c for c in columns if c in table.columns])


def drop_indexes(context: StatementContext, node: ir.Drop) -> None:
    for dropped in node.names:
        schema = dropped.schema or context.creation_schema(None)
        found = next(((t, i) for t in context.schema.tables.values() if t.schema == schema
                      for i in t.indexes if i.name == dropped.name), None)
        if found is None:
            continue
        table, index = found
        if cascade.drop_index(context, table, index, node.cascade):
            context.record(f"drop index {dropped.name}", "drop-index", table)


def create_or_alter_policy(context: StatementContext, node: ir.Policy) -> None:
    if node.create:
        _create_policy(context, node)
    else:
        _alter_policy(context, node)


def _create_policy(context: StatementContext, node: ir.Policy) -> None:
    relation = node.table
    if context.lookup_view(relation.schema, relation.name) is not None:
        context.issue(UNKNOWN_TABLE.name, f'"{relation.name}" is not a table (policies '
                      "apply to tables: put row level security on the tables the view reads, "
                      "or make it `security_invoker`)",
                      context.span_location(relation.span))
        return
    table = context.require(relation)
    if table is None:
        return
    command = _COMMANDS.get(str(node.command).lower(), "ALL")
    policy = Policy(node.name, command, context.whole)
    policy.using_columns = node.using.columns_read() if node.using else set()
    policy.check_columns = node.check.columns_read() if node.check else set()
    table.policies.append(policy)
    context.record(f"create policy \"{node.name}\" on {table.name}", "create-policy",
                   table)


def _alter_policy(context: StatementContext, node: ir.Policy) -> None:
    """A new USING / WITH CHECK changes the columns the policy depends on."""
    table = context.lookup_table(node.table.schema, node.table.name)
    policy = next((p for p in table.policies if p.name == node.name), None) \
        if table else None
    if policy is None:
        return
    if node.using is not None:
        policy.using_columns = node.using.columns_read()
    if node.check is not None:
        policy.check_columns = node.check.columns_read()


def drop_policies(context: StatementContext, node: ir.Drop) -> None:
    for dropped, on in zip(node.names, node.on, strict=False):
        table = context.lookup_table(on.schema, on.name)
        if table is None:
            continue
        table.policies = [p for p in table.policies if p.name != dropped.name]
        context.record(f"drop policy \"{dropped.name}\" on {table.name}", "drop-policy",
                       table)


def rename_other(context: StatementContext, node: ir.Rename) -> None:
    kind, target, new = node.object_kind, node.target, node.new_name
    if target is None:
        return
    if kind == "policy":
        table = context.lookup_table(target.schema, target.name)
        for policy in table.policies if table else ():
            if policy.name == node.subname:
                policy.name = new
    elif kind == "index":
        schema = context.creation_schema(target.schema)
        for table in context.schema.tables.values():
            for index in table.indexes if table.schema == schema else ():
                if index.name == target.name:
                    index.name = new
                    _rename_constraint(table, target.name, new)
    elif kind == "type":
        key = (context.creation_schema(target.schema), target.name)
        move_enum(context, key, (key[0], new))
    elif kind in ("view", "materialized view"):
        schema = context.creation_schema(target.schema)
        old_key = (schema, target.name)
        view = context.schema.views.pop(old_key, None)
        if view is not None:
            view.name = new
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


def create_enum(context: StatementContext, node: ir.CreateEnum) -> None:
    schema, name = node.name.resolved(context.state.search_path)
    context.schema.enums[(schema, name)] = Enum(schema, name, list(node.values), context.whole)
    context.record(f"create type {name}", "create-enum")


def alter_enum(context: StatementContext, node: ir.AlterEnum) -> None:
    enum = context.schema.enums.get(node.name.resolved(context.state.search_path))
    if enum is None:
        return
    if node.old:
        enum.values = [node.new if v == node.old else v for v in enum.values]
        _relabel_defaults(context, printed_type(enum.schema, enum.name), node.old, node.new)
    elif node.new in enum.values:
        return
    elif node.neighbour and node.neighbour in enum.values:
        at = enum.values.index(node.neighbour) + (1 if node.after else 0)
        enum.values.insert(at, node.new)
    else:
        enum.values.append(node.new)
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
    context: StatementContext, relation: ir.Name, query: ir.Expr, materialized: bool
) -> None:
    schema, name = relation.resolved(context.state.search_path)
    view = View(schema, name, materialized, context.whole)
    record_view_dependencies(context, view, query.node)
    context.schema.views[(schema, name)] = view
    label = "materialized view" if materialized else "view"
    context.record(f"create {label} {name}", "create-view")


def drop_views(context: StatementContext, node: ir.Drop) -> None:
    for dropped in node.names:
        key = dropped.resolved(context.state.search_path)
        if key in context.schema.views:
            cascade.drop_view(context, key, node.cascade)


def drop_types(context: StatementContext, node: ir.Drop) -> None:
    for dropped in node.names:
        key = dropped.resolved(context.state.search_path)
        if key in context.schema.enums:
            cascade.drop_enum(context, key, node.cascade)


def drop_schemas(context: StatementContext, node: ir.Drop) -> None:
    for dropped in node.names:
        if dropped.name in context.schema.schemas:
            cascade.drop_schema(context, dropped.name, node.cascade)


def create_function(context: StatementContext, node: ir.CreateFunction) -> None:
    schema, name = node.name.resolved(context.state.search_path)
    kind = "procedure" if node.procedure else "function"
    context.schema.routines[(schema, name, kind)] = Routine(
        schema, name, kind, location=context.whole
    )
    context.record(f"create {kind} {name}", "create-function")


def create_trigger(context: StatementContext, node: ir.CreateTrigger) -> None:
    relation = node.table
    table = context.lookup_table(relation.schema, relation.name)
    qualified = f"{table.schema}.{table.name}" if table else relation.name
    schema = table.schema if table else context.creation_schema(relation.schema)
    context.schema.routines[(schema, node.name, "trigger")] = Routine(
        schema, node.name, "trigger", qualified, context.whole
    )
    context.record(f"create trigger {node.name}", "create-trigger", table)


def comment_on(context: StatementContext, node: ir.Comment) -> None:
    dotted = node.target
    if node.object_kind == "table" and dotted:
        table = _table_from_parts(context, dotted)
        if table is not None:
            table.comment = node.text
            context.record(f"comment on table {table.name}", "comment", table)
    elif node.object_kind == "column" and len(dotted) >= 2:
        table = _table_from_parts(context, dotted[:-1])
        if table is not None:
            context.record(f"comment on column {table.name}.{dotted[-1]}", "comment", table,
                           [dotted[-1]])


def _table_from_parts(context: StatementContext, dotted: tuple[str, ...]) -> Table | None:
    schema = dotted[-2] if len(dotted) > 1 else None
    return context.lookup_table(schema, dotted[-1])
