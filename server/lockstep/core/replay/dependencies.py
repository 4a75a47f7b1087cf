"""What depends on what: views on tables, partitions on parents.

PostgreSQL drops dependent views with CASCADE and copies columns and indexes to partitions;
the replay has to do the same for the model to match a real server.
"""

from __future__ import annotations

from typing import Any

from pglast import ast, visitors

from lockstep.core.model import Column, Index, Table, View
from lockstep.core.replay.constraints import (
    choose_name,
    index_name_parts,
    is_primary_index,
    relation_names,
)
from lockstep.core.replay.context import StatementContext


class _References(visitors.Visitor):  # type: ignore[misc]
    def __init__(self) -> None:
        self.relations: list[tuple[str | None, str, str]] = []  # schema, name, alias
        self.columns: list[tuple[str | None, str]] = []  # qualifier, column (or `*`)

    def visit_RangeVar(self, ancestors: Any, node: ast.RangeVar) -> None:
        alias = node.alias.aliasname if node.alias is not None else node.relname
        self.relations.append((node.schemaname, node.relname, alias))

    def visit_ColumnRef(self, ancestors: Any, node: ast.ColumnRef) -> None:
        *qualifiers, last = node.fields
        qualifier = getattr(qualifiers[-1], "sval", None) if qualifiers else None
        if isinstance(last, ast.A_Star):
            self.columns.append((qualifier, "*"))
        elif hasattr(last, "sval"):
            self.columns.append((qualifier, last.sval))


def record_view_dependencies(context: StatementContext, view: View, query: Any) -> None:
    """The relations a view reads and, where they resolve, the columns: a qualified reference
    by its alias, an unqualified one by the only relation that has it, `*` expanded."""
    references = _References()
    references(query)
    sources: dict[str, Table] = {}
    for schema, name, alias in references.relations:
        table = context.lookup_table(schema, name)
        if table is not None:
            view.depends_on.add((table.schema, table.name))
            sources[alias] = table
        else:
            view.depends_on.add((context.creation_schema(schema), name))
    for qualifier, column in references.columns:
        if qualifier is not None:
            chosen = [sources[qualifier]] if qualifier in sources else []
        elif column == "*":
            chosen = list(sources.values())
        else:
            chosen = [t for t in sources.values() if column in t.columns]
            chosen = chosen if len(chosen) == 1 else []
        for table in chosen:
            names = list(table.columns) if column == "*" else [column]
            view.column_reads |= {(table.schema, table.name, n) for n in names}
    view.columns_used = {c for _, c in references.columns if c != "*"} | {
        c for _, _, c in view.column_reads}
    view.uses_star = any(c == "*" for _, c in references.columns)


def table_from_query(context: StatementContext, table: Table, query: Any) -> None:
    """CREATE TABLE … AS SELECT: columns of plain column references and stars, typed from
    their source tables (computed expressions are beyond a static replay)."""
    if not isinstance(query, ast.SelectStmt):
        return
    sources = [context.lookup_table(r.schemaname, r.relname)
               for r in query.fromClause or () if isinstance(r, ast.RangeVar)]
    known = [s for s in sources if s is not None]
    for target in query.targetList or ():
        value = target.val
        if not isinstance(value, ast.ColumnRef):
            if target.name:
                table.columns[target.name] = Column(target.name, "unknown",
                                                    location=context.whole)
            continue
        last = value.fields[-1]
        if isinstance(last, ast.A_Star):
            for source in known:
                for name, original in source.columns.items():
                    table.columns[name] = Column(name, original.type, location=context.whole)
            continue
        name = target.name or last.sval
        found = next((s.columns[last.sval] for s in known if last.sval in s.columns), None)
        table.columns[name] = Column(name, found.type if found else "unknown",
                                     location=context.whole)


def inherit_from(context: StatementContext, table: Table, parent: Table, partition: bool) -> None:
    """Columns come from the parent first; partitions also get the parent's indexes."""
    table.parent = (parent.schema, parent.name)
    table.is_partition = partition
    for name, original in parent.columns.items():
        table.columns[name] = Column(name, original.type, original.nullable, original.default,
                                     location=context.whole)
    if partition:
        for index in parent.indexes:
            copy_index_to_partition(context, table, parent, index)


def copy_index_to_partition(
    context: StatementContext, child: Table, parent: Table, index: Index
) -> None:
    is_pkey = is_primary_index(parent, index)
    if is_pkey:
        child.primary_key = list(index.columns)
        for key in index.columns:
            if key in child.columns:
                child.columns[key].primary_key = True
                child.columns[key].nullable = False
    label = "pkey" if is_pkey else ("key" if index.is_constraint else "idx")
    parts = [] if is_pkey else index_name_parts(parent, index)
    name = choose_name(relation_names(context, child.schema), child.name, parts, label)
    child.indexes.append(Index(name, list(index.columns), index.unique, context.whole,
                               index.is_constraint))


def partitions_of(context: StatementContext, parent: Table) -> list[Table]:
    if not parent.partitioned:
        return []
    key = (parent.schema, parent.name)
    return [t for t in context.schema.tables.values() if t.parent == key and t.is_partition]
