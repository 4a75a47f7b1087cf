"""CREATE TABLE, ALTER TABLE, RENAME, SET SCHEMA and DROP TABLE."""

from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType, ConstrType, DropBehavior, ObjectType

from lockstep.core.model import Column, Constraint, Index, Table
from lockstep.core.replay import cascade
from lockstep.core.replay.constraints import (
    Deferred,
    apply_column_constraints,
    apply_constraint,
    apply_deferred,
    choose_name,
    column_from_def,
    column_type,
    index_name_parts,
    is_primary_index,
    own_sequence,
    relation_names,
)
from lockstep.core.replay.context import StatementContext, names
from lockstep.core.replay.dependencies import inherit_from, table_from_query
from lockstep.core.replay.exprtext import default_text
from lockstep.core.replay.reprint import renamed_in, retype_index
from lockstep.core.replay.sequences import move_sequences

_LIKE_CONSTRAINTS = 1 << 2
_LIKE_DEFAULTS = 1 << 3
_LIKE_GENERATED = 1 << 4
_LIKE_IDENTITY = 1 << 5
_LIKE_INDEXES = 1 << 6


def create_table(context: StatementContext, node: ast.CreateStmt) -> None:
    relation = node.relation
    if relation.relpersistence == "t":
        return  # a temporary table is gone when the migration's session ends
    schema = context.creation_schema(relation.schemaname)
    existing = context.schema.tables.get((schema, relation.relname))
    if existing is not None and node.if_not_exists:
        return
    table = Table(schema=schema, name=relation.relname, partitioned=node.partspec is not None)
    table.location = context.whole
    table.name_location = context.name_location(relation.location, relation.relname)
    context.schema.tables[(schema, relation.relname)] = table
    for parent_relation in node.inhRelations or ():
        parent = context.require_table(parent_relation.schemaname, parent_relation.relname,
                                       parent_relation.location)
        if parent is not None:
            inherit_from(context, table, parent, partition=node.partbound is not None)
    table_constraints: list[ast.Constraint] = list(node.constraints or ())
    later: Deferred = []
    for element in node.tableElts or ():
        if isinstance(element, ast.ColumnDef):
            inherited = table.columns.get(element.colname)
            if inherited is not None and element.typeName is None:  # partition column options
                apply_column_constraints(context, table, inherited, element, later)
                continue
            column = column_from_def(context, table, element)
            table.columns[column.name] = column
            apply_column_constraints(context, table, column, element, later)
        elif isinstance(element, ast.Constraint):
            table_constraints.append(element)
        elif isinstance(element, ast.TableLikeClause):
            _copy_like(context, table, element)
    for constraint in table_constraints:
        if constraint.contype in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE,
                                  ConstrType.CONSTR_FOREIGN):
            later.append((constraint, None))
        else:
            apply_constraint(context, table, constraint)
    apply_deferred(context, table, later)
    context.record(f"create table {table.name}", "create-table", table, list(table.columns))


def create_table_as(context: StatementContext, node: ast.CreateTableAsStmt) -> None:
    relation = node.into.rel
    if relation.relpersistence == "t":
        return
    schema = context.creation_schema(relation.schemaname)
    if (schema, relation.relname) in context.schema.tables and node.if_not_exists:
        return
    table = Table(schema=schema, name=relation.relname)
    table.location = context.whole
    table.name_location = context.name_location(relation.location, relation.relname)
    context.schema.tables[(schema, relation.relname)] = table
    table_from_query(context, table, node.query)
    context.record(f"create table {table.name}", "create-table", table, list(table.columns))


def _copy_like(context: StatementContext, table: Table, like: ast.TableLikeClause) -> None:
    source = context.require_table(like.relation.schemaname, like.relation.relname,
                                   like.relation.location)
    if source is None:
        return
    options = like.options or 0
    for name, original in source.columns.items():
        column = Column(name=name, type=original.type, nullable=original.nullable,
                        location=context.clause(like.relation.location))
        if options & _LIKE_DEFAULTS:
            column.default = original.default
        if options & _LIKE_IDENTITY and original.identity:
            column.identity = original.identity
            own_sequence(context, table, column)
        if options & _LIKE_GENERATED:
            column.generated = original.generated
        table.columns[name] = column
    if options & _LIKE_CONSTRAINTS:  # CHECK constraints keep their names
        table.constraints += [Constraint(c.name, c.kind, list(c.columns))
                              for c in source.constraints if c.kind == "check"]
    if options & _LIKE_INDEXES:
        for index in source.indexes:
            is_pkey = is_primary_index(source, index)
            if is_pkey:
                table.primary_key = list(index.columns)
                for key in index.columns:
                    table.columns[key].primary_key = True
                    table.columns[key].nullable = False
            label = "pkey" if is_pkey else ("key" if index.is_constraint else "idx")
            parts = [] if is_pkey else index_name_parts(source, index)
            name = choose_name(relation_names(context, table.schema), table.name, parts, label)
            table.indexes.append(Index(name, list(index.columns), index.unique,
                                       location=context.whole, is_constraint=index.is_constraint,
                                       where=index.where, include=list(index.include),
                                       own_names=index_name_parts(source, index)))
            if index.is_constraint:
                kind = "primary" if is_pkey else "unique"
                table.constraints.append(Constraint(name, kind, list(index.columns)))


def alter_table(context: StatementContext, node: ast.AlterTableStmt) -> None:
    if node.objtype not in (ObjectType.OBJECT_TABLE, None):
        return
    relation = node.relation
    table = context.require_table(relation.schemaname, relation.relname, relation.location,
                                  missing_ok=bool(node.missing_ok))
    if table is None:
        return
    for command in node.cmds or ():
        _alter_command(context, table, command)


def _column_or_issue(
    context: StatementContext, table: Table, name: str, missing_ok: bool = False
) -> Column | None:
    column = table.columns.get(name)
    if column is None and not missing_ok:
        context.missing_column(table, name, context.find_identifier(name))
    return column


def _alter_command(context: StatementContext, table: Table, command: ast.AlterTableCmd) -> None:
    kind = command.subtype
    name = command.name
    column: Column | None
    if kind == AlterTableType.AT_AddColumn:
        definition = command.def_
        if definition.colname in table.columns and command.missing_ok:
            return
        column = column_from_def(context, table, definition)
        table.columns[column.name] = column
        apply_column_constraints(context, table, column, definition)
        context.record(f"add column {table.name}.{column.name}", "add-column", table,
                       [column.name], column.location)
    elif kind == AlterTableType.AT_DropColumn:
        if _column_or_issue(context, table, name, bool(command.missing_ok)) is None:
            return
        if not cascade.drop_column(context, table, name,
                                   command.behavior == DropBehavior.DROP_CASCADE):
            return
        context.record(f"drop column {table.name}.{name}", "drop-column", table, [name],
                       context.find_identifier(name))
    elif kind == AlterTableType.AT_AlterColumnType:
        column = _column_or_issue(context, table, name)
        if column is not None:
            column.type = column_type(context, command.def_.typeName)
            for index in table.indexes:
                retype_index(index, table)
            context.record(f"alter column {table.name}.{name} type {column.type}",
                           "alter-column", table, [name], context.find_identifier(name))
    elif kind == AlterTableType.AT_ColumnDefault:
        column = _column_or_issue(context, table, name)
        if column is not None:
            column.default = (default_text(command.def_, column.type)
                              if command.def_ is not None else None)
            verb = "set" if command.def_ is not None else "drop"
            context.record(f"{verb} default {table.name}.{name}", "alter-column", table,
                           [name], context.find_identifier(name))
    elif kind in (AlterTableType.AT_SetNotNull, AlterTableType.AT_DropNotNull):
        column = _column_or_issue(context, table, name)
        if column is not None:
            column.nullable = kind == AlterTableType.AT_DropNotNull
            verb = "drop" if column.nullable else "set"
            context.record(f"{verb} not null {table.name}.{name}", "alter-column", table,
                           [name], context.find_identifier(name))
    elif kind in (AlterTableType.AT_AddIdentity, AlterTableType.AT_DropIdentity):
        column = _column_or_issue(context, table, name)
        if column is not None and kind == AlterTableType.AT_AddIdentity:
            column.identity = "ALWAYS" if command.def_.generated_when == "a" else "BY DEFAULT"
            column.nullable = False
            own_sequence(context, table, column)
        elif column is not None:
            column.identity = None
            column.owned_sequence = None
    elif kind == AlterTableType.AT_AddConstraint:
        _add_constraint(context, table, command.def_)
    elif kind == AlterTableType.AT_DropConstraint:
        # An unknown name is not reported: generated names may differ from PostgreSQL's.
        if not cascade.drop_constraint(context, table, name,
                                       command.behavior == DropBehavior.DROP_CASCADE):
            return
        context.record(f"drop constraint {name} on {table.name}", "drop-constraint", table)
    else:
        _alter_table_flags(context, table, kind)


def _add_constraint(context: StatementContext, table: Table, constraint: ast.Constraint) -> None:
    apply_constraint(context, table, constraint)
    columns = names(constraint.keys) or names(constraint.fk_attrs)
    label = {
        ConstrType.CONSTR_FOREIGN: "foreign key",
        ConstrType.CONSTR_PRIMARY: "primary key",
        ConstrType.CONSTR_UNIQUE: "unique",
        ConstrType.CONSTR_CHECK: "check",
    }.get(constraint.contype, "constraint")
    context.record(f"add {label} on {table.name}", "add-constraint", table, columns,
                   context.clause(constraint.location))


def _alter_table_flags(context: StatementContext, table: Table, kind: AlterTableType) -> None:
    if kind == AlterTableType.AT_EnableRowSecurity:
        table.rls_enabled = True
        context.record(f"enable row level security on {table.name}", "enable-rls", table)
    elif kind == AlterTableType.AT_DisableRowSecurity:
        table.rls_enabled = False
        context.record(f"disable row level security on {table.name}", "disable-rls", table)
    elif kind == AlterTableType.AT_ForceRowSecurity:
        table.rls_forced = True
        context.record(f"force row level security on {table.name}", "force-rls", table)
    elif kind == AlterTableType.AT_NoForceRowSecurity:
        table.rls_forced = False


def rename(context: StatementContext, node: ast.RenameStmt) -> bool:
    """Table, column and constraint renames; False when it is not about a table."""
    kind = node.renameType
    if kind not in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_COLUMN,
                    ObjectType.OBJECT_TABCONSTRAINT):
        return False
    relation = node.relation
    if node.relationType not in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_ACCESS_METHOD, None) \
            and kind == ObjectType.OBJECT_COLUMN:
        return True  # a view's column
    table = context.require_table(relation.schemaname, relation.relname, relation.location,
                                  missing_ok=bool(node.missing_ok))
    if table is None:
        return True
    if kind == ObjectType.OBJECT_TABLE:
        move_table(context, table, table.schema, node.newname)
        context.record(f"rename table to {node.newname}", "rename-table", table)
    elif kind == ObjectType.OBJECT_COLUMN:
        _rename_column(context, table, node.subname, node.newname)
    else:
        for constraint in table.constraints:
            if constraint.name == node.subname:
                constraint.name = node.newname
        for index in table.indexes:
            if index.is_constraint and index.name == node.subname:
                index.name = node.newname
        for fk in table.foreign_keys:
            if fk.name == node.subname:
                fk.name = node.newname
    return True


def _rename_column(context: StatementContext, table: Table, old: str, new: str) -> None:
    column = _column_or_issue(context, table, old)
    if column is None:
        return
    for index in table.indexes:  # an index keeps the column names it was made with
        index.own_names = index_name_parts(table, index)
    column.name = new
    column.location = context.find_identifier(new)
    table.columns = {(new if k == old else k): v for k, v in table.columns.items()}
    table.primary_key = [new if c == old else c for c in table.primary_key]
    for index in table.indexes:
        retype_index(index, table, (old, new))
    for sibling in table.columns.values():
        if sibling.generated:
            sibling.generated = renamed_in(sibling.generated, old, new)
    for policy in table.policies:
        for used in (policy.using_columns, policy.check_columns):
            if old in used:
                used.discard(old)
                used.add(new)
    key = (table.schema, table.name)
    for view in context.schema.views.values():
        if (*key, old) in view.column_reads:
            view.column_reads = (view.column_reads - {(*key, old)}) | {(*key, new)}
            view.columns_used = (view.columns_used - {old}) | {new}
    for constraint in table.constraints:
        constraint.columns = [new if c == old else c for c in constraint.columns]
    for fk in table.foreign_keys:
        fk.columns = [new if c == old else c for c in fk.columns]
    for other in context.schema.tables.values():
        for fk in other.foreign_keys:
            if (fk.ref_schema, fk.ref_table) == (table.schema, table.name):
                fk.ref_columns = [new if c == old else c for c in fk.ref_columns]
    context.record(f"rename column {table.name}.{old} to {new}", "rename-column", table, [new],
                   column.location)


def move_table(context: StatementContext, table: Table, schema: str, name: str) -> None:
    """Rename or re-schema a table; foreign keys follow it, as they do by OID in PostgreSQL."""
    old = (table.schema, table.name)
    move_sequences(context.schema, table, schema)
    del context.schema.tables[old]
    table.schema, table.name = schema, name
    context.schema.tables[(schema, name)] = table
    for other in context.schema.tables.values():
        for fk in other.foreign_keys:
            if (fk.ref_schema, fk.ref_table) == old:
                fk.ref_schema, fk.ref_table = schema, name
    for view in context.schema.views.values():
        if old in view.depends_on:
            view.depends_on = (view.depends_on - {old}) | {(schema, name)}
            view.column_reads = {(schema, name, c) if (s, t) == old else (s, t, c)
                                 for s, t, c in view.column_reads}


def set_schema(context: StatementContext, node: ast.AlterObjectSchemaStmt) -> None:
    if node.objectType != ObjectType.OBJECT_TABLE or node.relation is None:
        return
    relation = node.relation
    table = context.require_table(relation.schemaname, relation.relname, relation.location,
                                  missing_ok=bool(node.missing_ok))
    if table is not None:
        move_table(context, table, node.newschema, table.name)
        context.record(f"set schema {node.newschema} on {table.name}", "set-schema", table)


def drop_tables(context: StatementContext, node: ast.DropStmt) -> None:
    doomed: list[Table] = []
    for parts in node.objects or ():
        dotted = names(parts)
        schema = dotted[-2] if len(dotted) > 1 else None
        table = context.require_table(schema, dotted[-1], None, missing_ok=bool(node.missing_ok))
        if table is not None and table not in doomed:
            doomed.append(table)
    if doomed and cascade.drop_tables(context, doomed,
                                      node.behavior == DropBehavior.DROP_CASCADE):
        for table in doomed:
            context.record(f"drop table {table.name}", "drop-table", table)
