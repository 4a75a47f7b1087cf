"""The columns a view's query produces: names, types and the table columns they pass through.

PostgreSQL fixes a view's column types when it creates the view; Lockstep derives them from
the query the same way for the common shapes (column references, `*`, casts, literals and
the usual aggregates). What it cannot type is `unknown`.
"""

from __future__ import annotations

from typing import Any

from pglast import ast

from lockstep.core.model import ViewColumn
from lockstep.core.replay.context import StatementContext, names
from lockstep.core.sql.types import format_type

_RESULT_TYPES = {
    "count": "bigint", "row_number": "bigint", "rank": "bigint", "dense_rank": "bigint",
    "avg": "numeric", "now": "timestamp with time zone", "lower": "text", "upper": "text",
    "concat": "text", "concat_ws": "text", "trim": "text", "json_agg": "json",
    "jsonb_agg": "jsonb", "json_build_object": "json", "jsonb_build_object": "jsonb",
    "to_json": "json", "to_jsonb": "jsonb", "bool_and": "boolean", "bool_or": "boolean",
    "length": "integer", "char_length": "integer", "gen_random_uuid": "uuid",
    "string_agg": "text", "format": "text", "date_trunc": "timestamp with time zone",
}
_SAME_AS_ARGUMENT = {"max", "min", "coalesce", "greatest", "least", "abs", "round"}
_AGGREGATES = {"count", "sum", "avg", "max", "min", "array_agg", "json_agg", "jsonb_agg",
               "string_agg", "bool_and", "bool_or"}
Scope = dict[str, list[ViewColumn]]  # alias → its columns


def _relation_columns(context: StatementContext, node: ast.RangeVar) -> list[ViewColumn]:
    table = context.lookup_table(node.schemaname, node.relname)
    if table is not None:
        return [ViewColumn(c.name, c.type, (table.schema, table.name, c.name))
                for c in table.columns.values()]
    schema = context.creation_schema(node.schemaname)
    view = context.schema.views.get((schema, node.relname))
    if view is None and node.schemaname is None:
        view = next((v for (s, n), v in context.schema.views.items() if n == node.relname
                     and s in context.state.search_path), None)
    return [ViewColumn(c.name, c.type, c.origin) for c in view.columns] if view else []


def _scope(context: StatementContext, item: Any, scope: Scope) -> None:
    if isinstance(item, ast.RangeVar):
        alias = item.alias.aliasname if item.alias else item.relname
        scope[alias] = _relation_columns(context, item)
    elif isinstance(item, ast.JoinExpr):
        _scope(context, item.larg, scope)
        _scope(context, item.rarg, scope)
    elif isinstance(item, ast.RangeSubselect) and item.alias is not None:
        scope[item.alias.aliasname] = query_columns(context, item.subquery)


def _find(scope: Scope, fields: list[str]) -> ViewColumn | None:
    if len(fields) >= 2:
        return next((c for c in scope.get(fields[-2], []) if c.name == fields[-1]), None)
    for columns in scope.values():
        for column in columns:
            if column.name == fields[-1]:
                return column
    return None


def _expression(scope: Scope, node: Any) -> tuple[str, ViewColumn | None]:
    """(type, the column it is when it is a plain column reference)."""
    if isinstance(node, ast.ColumnRef):
        found = _find(scope, [getattr(f, "sval", "") for f in node.fields])
        return (found.type, found) if found else ("unknown", None)
    if isinstance(node, ast.TypeCast):
        return format_type(node.typeName), None
    if isinstance(node, ast.A_Const):
        value = node.val
        if isinstance(value, ast.Integer):
            return "integer", None
        if isinstance(value, ast.Float):
            return "numeric", None
        if isinstance(value, ast.Boolean):
            return "boolean", None
        return ("text" if isinstance(value, ast.String) else "unknown"), None
    if isinstance(node, (ast.BoolExpr, ast.NullTest, ast.BooleanTest, ast.SubLink)):
        if isinstance(node, ast.SubLink) and node.subLinkType != 0:  # EXISTS is 0
            return "unknown", None
        return "boolean", None
    if isinstance(node, ast.FuncCall):
        name = names(node.funcname)[-1]
        if name in _RESULT_TYPES:
            return _RESULT_TYPES[name], None
        args = list(node.args or ())
        if name in _SAME_AS_ARGUMENT and args:
            return _expression(scope, args[0])[0], None
        if name == "sum" and args:
            inner = _expression(scope, args[0])[0]
            return ("bigint" if inner in ("integer", "smallint") else
                    "numeric" if inner in ("bigint", "numeric") else inner), None
        if name == "array_agg" and args:
            inner = _expression(scope, args[0])[0]
            return (inner + "[]" if inner != "unknown" else inner), None
    return "unknown", None


def _output_name(target: ast.ResTarget) -> str:
    """PostgreSQL's FigureColname for the common expressions."""
    if target.name:
        return str(target.name)
    node = target.val
    while isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.ColumnRef):
        node = node.arg
    if isinstance(node, ast.ColumnRef):
        return str(getattr(node.fields[-1], "sval", "?column?"))
    if isinstance(node, ast.FuncCall):
        return names(node.funcname)[-1]
    if isinstance(node, ast.TypeCast):
        return str(names(node.typeName.names)[-1])
    return "?column?"


def query_columns(context: StatementContext, query: Any) -> list[ViewColumn]:
    if isinstance(query, ast.SelectStmt) and query.larg is not None:
        # UNION …: the first branch names and types the columns, which come from no table
        return [ViewColumn(c.name, c.type) for c in query_columns(context, query.larg)]
    if not isinstance(query, ast.SelectStmt):
        return []
    scope: Scope = {}
    for item in query.fromClause or ():
        _scope(context, item, scope)
    columns: list[ViewColumn] = []
    for target in query.targetList or ():
        value = target.val
        if isinstance(value, ast.ColumnRef) and isinstance(value.fields[-1], ast.A_Star):
            qualifier = [getattr(f, "sval", "") for f in value.fields[:-1]]
            sources = [scope.get(qualifier[-1], [])] if qualifier else list(scope.values())
            columns.extend(ViewColumn(c.name, c.type, c.origin) for s in sources for c in s)
            continue
        type_, column = _expression(scope, value)
        columns.append(ViewColumn(_output_name(target), type_,
                                  column.origin if column else None))
    return columns


def _auto_updatable(context: StatementContext, query: Any) -> bool:
    """PostgreSQL's view_query_is_auto_updatable, for the shapes a migration writes."""
    if not isinstance(query, ast.SelectStmt) or query.larg is not None:
        return False
    if (query.distinctClause or query.groupClause or query.havingClause or query.limitCount
            or query.limitOffset or query.withClause or query.windowClause):
        return False
    sources = list(query.fromClause or ())
    if len(sources) != 1 or not isinstance(sources[0], ast.RangeVar):
        return False
    for target in query.targetList or ():
        value = target.val
        if isinstance(value, ast.FuncCall) and (
                names(value.funcname)[-1] in _AGGREGATES or value.over is not None):
            return False
    source = sources[0]
    if context.lookup_table(source.schemaname, source.relname) is not None:
        return True
    schema = context.creation_schema(source.schemaname)
    view = context.schema.views.get((schema, source.relname))
    return bool(view and not view.materialized and view.auto_updatable)


def describe_view(context: StatementContext, schema: str, name: str, query: Any) -> None:
    view = context.schema.views.get((schema, name))
    if view is None:
        return
    view.columns = query_columns(context, query)
    view.auto_updatable = not view.materialized and _auto_updatable(context, query)


_TRIGGER_INSTEAD = 64  # pg_trigger.tgtype bits
_TRIGGER_EVENTS = {4: "INSERT", 8: "DELETE", 16: "UPDATE"}


def instead_of_trigger(context: StatementContext, node: ast.CreateTrigStmt) -> None:
    """INSTEAD OF triggers make a view writable for their events (as PostgREST sees it)."""
    if not (node.timing or 0) & _TRIGGER_INSTEAD:
        return
    relation = node.relation
    schema = context.creation_schema(relation.schemaname)
    view = context.schema.views.get((schema, relation.relname))
    if view is not None:
        view.instead_of.update(name for bit, name in _TRIGGER_EVENTS.items()
                               if (node.events or 0) & bit)
