"""Column definitions and constraints: shared by CREATE TABLE and ALTER TABLE."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import ConstrType

from lockstep.core.model import Column, Constraint, ForeignKey, Index, Schema, Table
from lockstep.core.replay.context import StatementContext, deparse, names
from lockstep.core.sql.types import (
    SEARCH_PATH_SCHEMAS,
    format_type,
    quote_ident,
    serial_base,
    type_name_parts,
)

_FK_ACTIONS = {
    "a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT",
}
MAX_IDENTIFIER = 63


def choose_name(schema_names: set[str], table: str, columns: list[str], label: str) -> str:
    """PostgreSQL's ChooseRelationName: `<table>_<cols>_<label>`, truncated, made unique."""
    name2 = "_".join(columns)
    suffix_number = 0
    while True:
        label_text = label if suffix_number == 0 else f"{label}{suffix_number}"
        overhead = len(label_text) + (2 if name2 else 1)
        room = MAX_IDENTIFIER - overhead
        a, b = len(table), len(name2)
        while a + b > room:
            if a > b:
                a -= 1
            else:
                b -= 1
        candidate = "_".join(p for p in (table[:a], name2[:b], label_text) if p)
        if candidate not in schema_names:
            return candidate
        suffix_number += 1


def relation_names(context: StatementContext, schema: str) -> set[str]:
    """Index and table names in a schema (they share PostgreSQL's relation namespace)."""
    taken = {name for (s, name) in context.schema.tables if s == schema}
    for (s, _), table in context.schema.tables.items():
        if s == schema:
            taken.update(index.name for index in table.indexes)
    return taken


def default_text(expression: Any) -> str | None:
    """A default's text; `DEFAULT NULL` is no default at all, as in pg_attrdef."""
    if isinstance(expression, ast.A_Const) and expression.isnull:
        return None
    return deparse(expression)


def column_type(context: StatementContext, type_name: ast.TypeName) -> str:
    """format_type() text; a user type found through search_path outside public is qualified."""
    printed = format_type(type_name)
    schema, name = type_name_parts(type_name)
    if schema is None:
        for candidate in context.state.search_path:
            if (candidate, name) in context.schema.enums:
                if candidate not in SEARCH_PATH_SCHEMAS:
                    return f"{quote_ident(candidate)}.{printed}"
                break
    return printed


def column_from_def(context: StatementContext, table: Table, definition: ast.ColumnDef) -> Column:
    column = Column(name=definition.colname, type=column_type(context, definition.typeName))
    column.location = context.clause(definition.location)
    if serial_base(definition.typeName):
        column.nullable = False
        sequence = f"{table.name}_{definition.colname}_seq"
        column.default = f"nextval('{sequence}'::regclass)"
    if definition.is_not_null:
        column.nullable = False
    if definition.raw_default is not None:
        column.default = default_text(definition.raw_default)
    return column


def apply_column_constraints(
    context: StatementContext, table: Table, column: Column, definition: ast.ColumnDef
) -> None:
    for constraint in definition.constraints or ():
        apply_constraint(context, table, constraint, column=column)


def apply_constraint(
    context: StatementContext,
    table: Table,
    constraint: ast.Constraint,
    column: Column | None = None,
) -> None:
    kind = constraint.contype
    keys = [column.name] if column is not None else names(constraint.keys)
    if constraint.indexname and kind in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
        keys = _adopt_index(table, constraint)
    if kind == ConstrType.CONSTR_NOTNULL and column is not None:
        column.nullable = False
    elif kind == ConstrType.CONSTR_NULL and column is not None:
        column.nullable = True
    elif kind == ConstrType.CONSTR_DEFAULT and column is not None:
        column.default = default_text(constraint.raw_expr)
    elif kind == ConstrType.CONSTR_IDENTITY and column is not None:
        column.identity = "ALWAYS" if constraint.generated_when == "a" else "BY DEFAULT"
        column.nullable = False
    elif kind == ConstrType.CONSTR_GENERATED and column is not None:
        column.generated = deparse(constraint.raw_expr)
    elif kind == ConstrType.CONSTR_PRIMARY:
        _primary_key(context, table, constraint, keys)
    elif kind == ConstrType.CONSTR_UNIQUE:
        _unique(context, table, constraint, keys)
    elif kind == ConstrType.CONSTR_FOREIGN:
        _foreign_key(context, table, constraint, keys if column is not None else None)
    elif kind == ConstrType.CONSTR_CHECK:
        label = f"{keys[0]}_check" if column is not None else "check"
        name = constraint.conname or choose_name(_constraint_names(table), table.name, [], label)
        table.constraints.append(Constraint(name, "check", keys))
    elif kind == ConstrType.CONSTR_EXCLUSION:
        name = constraint.conname or f"{table.name}_excl"
        table.constraints.append(Constraint(name, "exclusion", []))


def _adopt_index(table: Table, constraint: ast.Constraint) -> list[str]:
    """`ADD CONSTRAINT … USING INDEX i`: the index becomes the constraint's (renamed to it)."""
    for index in list(table.indexes):
        if index.name == constraint.indexname:
            table.indexes.remove(index)
            return list(index.columns)
    return []


def _constraint_names(table: Table) -> set[str]:
    return {c.name for c in table.constraints}


def _check_columns(context: StatementContext, table: Table, keys: list[str], where: Any) -> None:
    for key in keys:
        if key not in table.columns:
            context.missing_column(table, key, context.clause(where))


def _primary_key(
    context: StatementContext, table: Table, constraint: ast.Constraint, keys: list[str]
) -> None:
    _check_columns(context, table, keys, constraint.location)
    table.primary_key = list(keys)
    for key in keys:
        if key in table.columns:
            table.columns[key].nullable = False
            table.columns[key].primary_key = True
    name = constraint.conname or choose_name(
        relation_names(context, table.schema), table.name, [], "pkey"
    )
    table.constraints.append(Constraint(name, "primary", list(keys)))
    table.indexes.append(
        Index(name, list(keys), unique=True, location=context.clause(constraint.location),
              is_constraint=True)
    )


def _unique(
    context: StatementContext, table: Table, constraint: ast.Constraint, keys: list[str]
) -> None:
    _check_columns(context, table, keys, constraint.location)
    name = constraint.conname or choose_name(
        relation_names(context, table.schema), table.name, keys, "key"
    )
    table.constraints.append(Constraint(name, "unique", list(keys)))
    table.indexes.append(
        Index(name, list(keys), unique=True, location=context.clause(constraint.location),
              is_constraint=True)
    )


def _foreign_key(
    context: StatementContext, table: Table, constraint: ast.Constraint, keys: list[str] | None
) -> None:
    local = keys if keys is not None else names(constraint.fk_attrs)
    if keys is None:
        _check_columns(context, table, local, constraint.location)
    target = constraint.pktable
    ref_schema = target.schemaname
    referenced = context.require_table(ref_schema, target.relname, target.location)
    ref_columns = names(constraint.pk_attrs)
    if referenced is not None:
        ref_schema = referenced.schema
        if not ref_columns:
            ref_columns = list(referenced.primary_key)
        for column_name in ref_columns:
            if column_name not in referenced.columns:
                context.missing_column(referenced, column_name,
                                       context.clause(target.location))
    elif not ref_columns:
        ref_columns = ["id"]
    said_delete = context.clause_says(constraint.location, "ON", "DELETE")
    said_update = context.clause_says(constraint.location, "ON", "UPDATE")
    name = constraint.conname or choose_name(
        _constraint_names(table), table.name, local, "fkey"
    )
    table.constraints.append(Constraint(name, "foreign", list(local)))
    table.foreign_keys.append(
        ForeignKey(
            columns=list(local),
            ref_schema=ref_schema or context.creation_schema(None),
            ref_table=target.relname,
            ref_columns=ref_columns,
            on_delete=_FK_ACTIONS.get(constraint.fk_del_action) if said_delete else None,
            on_update=_FK_ACTIONS.get(constraint.fk_upd_action) if said_update else None,
            name=name,
            location=context.clause(constraint.location),
        )
    )


def drop_constraint(table: Table, name: str) -> bool:
    found = [c for c in table.constraints if c.name == name]
    if not found:
        return False
    table.constraints = [c for c in table.constraints if c.name != name]
    for constraint in found:
        if constraint.kind == "primary":
            for key in table.primary_key:
                if key in table.columns:
                    table.columns[key].primary_key = False
            table.primary_key = []
    table.indexes = [i for i in table.indexes if not (i.is_constraint and i.name == name)]
    table.foreign_keys = [fk for fk in table.foreign_keys if fk.name != name]
    return True


def forget_column(schema: Schema, table: Table, column_name: str) -> None:
    """Dropping a column drops the indexes and constraints that use it, as PostgreSQL does,
    and the foreign keys of other tables that reference it."""
    table.columns.pop(column_name, None)
    key = (table.schema, table.name)
    for other in schema.tables.values():
        other.foreign_keys = [
            fk for fk in other.foreign_keys
            if not ((fk.ref_schema, fk.ref_table) == key and column_name in fk.ref_columns)
        ]
    table.indexes = [i for i in table.indexes if column_name not in i.columns]
    table.foreign_keys = [fk for fk in table.foreign_keys if column_name not in fk.columns]
    table.constraints = [c for c in table.constraints if column_name not in c.columns]
    if column_name in table.primary_key:
        table.primary_key = []
