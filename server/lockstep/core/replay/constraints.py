"""Column definitions and constraints: shared by CREATE TABLE and ALTER TABLE."""

from __future__ import annotations

from typing import Any

from pglast import ast

from lockstep.core.model import Column, Constraint, ForeignKey, Index, Table
from lockstep.core.replay.context import StatementContext, names
from lockstep.core.replay.exprtext import default_text
from lockstep.core.replay.reprint import reparse
from lockstep.core.replay.sequences import sequence_default, sequence_names
from lockstep.core.sql import ir
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


def figure_name(node: Any) -> str | None:
    """FigureColname: what a generated index name calls an expression (None: `expr`)."""
    if isinstance(node, ast.ColumnRef):
        return getattr(node.fields[-1], "sval", None)
    if isinstance(node, ast.FuncCall):
        return str(names(node.funcname)[-1])
    if isinstance(node, ast.TypeCast):
        return figure_name(node.arg) or names(node.typeName.names)[-1]
    if isinstance(node, ast.CoalesceExpr):
        return "coalesce"
    if isinstance(node, ast.A_ArrayExpr):
        return "array"
    return None


def unique_parts(parts: list[str]) -> list[str]:
    """ChooseIndexColumnNames: a repeated name gets a number (`title`, `title1`)."""
    out: list[str] = []
    for part in parts:
        candidate, number = part, 0
        while candidate in out:
            number += 1
            candidate = f"{part}{number}"
        out.append(candidate)
    return out

def is_primary_index(table: Table, index: Index) -> bool:
    """Whether the index backs the primary key (a UNIQUE on the same columns does not)."""
    return index.is_constraint and any(
        c.kind == "primary" and c.name == index.name for c in table.constraints)


def index_name_parts(table: Table, index: Index) -> list[str]:
    """The name parts of an index being copied (LIKE, partitions): key and INCLUDE columns,
    as the index named them when it was made."""
    if index.own_names:
        return list(index.own_names)
    parts: list[str] = []
    for entry in [*index.columns, *index.include]:
        if entry in table.columns:
            parts.append(entry)
            continue
        try:
            parts.append(figure_name(reparse(entry)) or "expr")
        except Exception:  # noqa: BLE001 - not text we printed
            parts.append("expr")
    return unique_parts(parts)


def relation_names(context: StatementContext, schema: str) -> set[str]:
    """Relation names in a schema (tables, indexes, views share PostgreSQL's relation
    namespace) and constraint names, which generated index names also avoid."""
    taken = {name for (s, name) in context.schema.tables if s == schema}
    taken |= {name for (s, name) in context.schema.views if s == schema}
    taken |= constraint_names(context, schema)
    taken |= sequence_names(context.schema, schema)
    for (s, _), table in context.schema.tables.items():
        if s == schema:
            taken.update(index.name for index in table.indexes)
    return taken


def column_type(context: StatementContext, type_name: ir.TypeRef) -> str:
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


def column_from_def(context: StatementContext, table: Table, definition: ir.Column) -> Column:
    printed = column_type(context, definition.type) if definition.type else "unknown"
    column = Column(name=definition.name, type=printed)
    column.location = context.clause_of(definition.span)
    if definition.type is not None and serial_base(definition.type):
        column.nullable = False
        column.default = sequence_default(table.schema, own_sequence(context, table, column))
    return column


def own_sequence(context: StatementContext, table: Table, column: Column) -> str:
    """A serial or identity column's new sequence, named as ChooseRelationName picks it."""
    sequence = choose_name(relation_names(context, table.schema), table.name, [column.name],
                           "seq")
    column.owned_sequence = (table.schema, sequence)
    return sequence


Deferred = list[tuple[ir.Constraint, Column | None]]
_INDEXED = ("primary-key", "unique")


def apply_column_constraints(
    context: StatementContext, table: Table, column: Column, definition: ir.Column,
    later: Deferred | None = None,
) -> None:
    """A column's constraints; with `later`, keys and foreign keys wait there (CREATE TABLE
    makes its indexes after the columns, the primary key first, then the foreign keys)."""
    for constraint in definition.constraints:
        if later is not None and constraint.kind in (*_INDEXED, "foreign-key"):
            later.append((constraint, column))
        else:
            apply_constraint(context, table, constraint, column=column)


def apply_deferred(context: StatementContext, table: Table, later: Deferred) -> None:
    """PostgreSQL's transformIndexConstraints: the primary key first, then the other keys in
    order, a key equal to an earlier one dropped (its name going to an unnamed earlier one);
    then the foreign keys."""
    keyed = [(c, col) for c, col in later if c.kind in _INDEXED and not c.index_name]
    keyed.sort(key=lambda pair: pair[0].kind != "primary-key")
    kept: list[tuple[ir.Constraint, Column | None, list[str], str | None]] = []
    for constraint, column in keyed:
        keys = [column.name] if column is not None else list(constraint.columns)
        prior = next((i for i, k in enumerate(kept) if k[2] == keys), None)
        if prior is None:
            kept.append((constraint, column, keys, constraint.name))
        elif kept[prior][3] is None and constraint.name:
            kept[prior] = (*kept[prior][:3], constraint.name)
    for constraint, column, _, name in kept:
        apply_constraint(context, table, constraint, column=column, name=name)
    for constraint, column in later:
        if constraint.kind not in _INDEXED or constraint.index_name:
            apply_constraint(context, table, constraint, column=column)


def apply_constraint(
    context: StatementContext,
    table: Table,
    constraint: ir.Constraint,
    column: Column | None = None,
    name: str | None = None,
) -> None:
    kind = constraint.kind
    keys = [column.name] if column is not None else \
        ([] if kind == "foreign-key" else list(constraint.columns))
    if constraint.index_name and kind in _INDEXED:
        keys = _adopt_index(table, constraint)
        name = name or constraint.name or constraint.index_name  # the index keeps its name
    expr = constraint.expr
    if kind == "not-null" and column is not None:
        column.nullable = False
    elif kind == "null" and column is not None:
        column.nullable = True
    elif kind == "default" and column is not None and expr is not None:
        column.default = default_text(expr.node, column.type)
    elif kind == "identity" and column is not None:
        column.identity = "ALWAYS" if constraint.always else "BY DEFAULT"
        column.nullable = False
        own_sequence(context, table, column)
    elif kind == "generated" and column is not None and expr is not None:
        column.generated = expr.sql
    elif kind == "primary-key":
        _primary_key(context, table, constraint, keys, name or constraint.name)
    elif kind == "unique":
        _unique(context, table, constraint, keys, name or constraint.name)
    elif kind == "foreign-key":
        _foreign_key(context, table, constraint, keys if column is not None else None)
    elif kind == "check":
        used = sorted(expr.columns_read() if expr is not None else ())
        name = constraint.name or choose_name(
            constraint_names(context, table.schema), table.name, used[:1] if len(used) == 1
            else [], "check")
        table.constraints.append(Constraint(name, "check", sorted(set(used) | set(keys))))
    elif kind == "exclusion":
        name = constraint.name or f"{table.name}_excl"
        table.constraints.append(Constraint(name, "exclusion", []))


def _adopt_index(table: Table, constraint: ir.Constraint) -> list[str]:
    """`ADD CONSTRAINT … USING INDEX i`: the index becomes the constraint's (renamed to it)."""
    for index in list(table.indexes):
        if index.name == constraint.index_name:
            table.indexes.remove(index)
            return list(index.columns)
    return []


def constraint_names(context: StatementContext, schema: str) -> set[str]:
    """Constraint names in a schema: PostgreSQL's generated names avoid all of them."""
    return {c.name for t in context.schema.tables.values() if t.schema == schema
            for c in t.constraints}


def _check_columns(context: StatementContext, table: Table, keys: list[str],
                   where: ir.Span) -> None:
    for key in keys:
        if key not in table.columns:
            context.missing_column(table, key, context.clause_of(where))


def _primary_key(
    context: StatementContext, table: Table, constraint: ir.Constraint, keys: list[str],
    given: str | None,
) -> None:
    _check_columns(context, table, keys, constraint.span)
    table.primary_key = list(keys)
    for key in keys:
        if key in table.columns:
            table.columns[key].nullable = False
            table.columns[key].primary_key = True
    name = given or choose_name(relation_names(context, table.schema), table.name, [], "pkey")
    table.constraints.append(Constraint(name, "primary", list(keys)))
    table.indexes.append(
        Index(name, list(keys), unique=True, location=context.clause_of(constraint.span),
              is_constraint=True)
    )


def _unique(
    context: StatementContext, table: Table, constraint: ir.Constraint, keys: list[str],
    given: str | None,
) -> None:
    _check_columns(context, table, keys, constraint.span)
    name = given or choose_name(relation_names(context, table.schema), table.name, keys, "key")
    table.constraints.append(Constraint(name, "unique", list(keys)))
    table.indexes.append(
        Index(name, list(keys), unique=True, location=context.clause_of(constraint.span),
              is_constraint=True)
    )


def _foreign_key(
    context: StatementContext, table: Table, constraint: ir.Constraint, keys: list[str] | None
) -> None:
    local = keys if keys is not None else list(constraint.columns)
    if keys is None:
        _check_columns(context, table, local, constraint.span)
    target = constraint.references
    if target is None:
        return
    ref_schema = target.schema
    referenced = context.require(target)
    ref_columns = list(constraint.ref_columns)
    if referenced is not None:
        ref_schema = referenced.schema
        if not ref_columns:
            ref_columns = list(referenced.primary_key)
        for column_name in ref_columns:
            if column_name not in referenced.columns:
                context.missing_column(referenced, column_name,
                                       context.clause_of(constraint.references_at))
    elif not ref_columns:
        ref_columns = ["id"]
    backing = _referenced_index(referenced, ref_columns, bool(constraint.ref_columns)) \
        if referenced is not None else None
    name = constraint.name or choose_name(
        constraint_names(context, table.schema), table.name, local, "fkey"
    )
    table.constraints.append(Constraint(name, "foreign", list(local)))
    table.foreign_keys.append(
        ForeignKey(
            columns=list(local),
            ref_schema=ref_schema or context.creation_schema(None),
            ref_table=target.name,
            ref_columns=ref_columns,
            on_delete=_FK_ACTIONS.get(constraint.on_delete or ""),
            on_update=_FK_ACTIONS.get(constraint.on_update or ""),
            name=name,
            location=context.clause_of(constraint.span),
            ref_index=backing,
        )
    )


def _referenced_index(table: Table, columns: list[str], explicit: bool) -> Index | None:
    """The unique index a foreign key relies on: the primary key when it names no columns,
    else the first plain unique index over exactly those columns (in any order)."""
    for index in table.indexes:
        if not explicit and not (index.is_constraint and index.columns == table.primary_key):
            continue
        if index.unique and index.where is None and set(index.columns) == set(columns) \
                and len(index.columns) == len(columns):
            return index
    return None
