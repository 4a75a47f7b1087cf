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
from lockstep.core.sql import ir
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
_RESULT_TYPES.update({
    "extract": "numeric", "date_part": "double precision", "age": "interval",
    "to_char": "text", "substring": "text", "substr": "text", "replace": "text",
    "split_part": "text", "initcap": "text", "array_length": "integer",
    "cardinality": "integer", "jsonb_array_length": "integer", "row_to_json": "json",
    "json_build_array": "json", "jsonb_build_array": "jsonb", "array_to_string": "text",
    "md5": "text", "btrim": "text", "ltrim": "text", "rtrim": "text", "left": "text",
    "right": "text", "position": "integer", "strpos": "integer", "octet_length": "integer",
    "to_timestamp": "timestamp with time zone", "ntile": "integer",
    "percent_rank": "double precision", "cume_dist": "double precision",
})
_SAME_AS_ARGUMENT = {"max", "min", "coalesce", "greatest", "least", "abs", "round", "nullif",
                     "floor", "ceil", "ceiling", "lag", "lead", "first_value", "last_value"}
_NULLIF = 5  # A_Expr_Kind.AEXPR_NULLIF
_COMPARISONS = {"=", "<>", "!=", "<", ">", "<=", ">=", "~", "~*", "!~", "!~*", "@>", "<@",
                "&&", "?", "?|", "?&", "~~", "~~*", "!~~", "!~~*"}
_NUMERIC_RANK = {"smallint": 0, "integer": 1, "bigint": 2, "numeric": 3, "real": 4,
                 "double precision": 5}
_TSTZ, _TS = "timestamp with time zone", "timestamp without time zone"
_DATETIME_ARITHMETIC = {
    ("date", "-", "date"): "integer", ("date", "+", "integer"): "date",
    ("date", "-", "integer"): "date", ("integer", "+", "date"): "date",
    ("date", "+", "interval"): _TS, ("date", "-", "interval"): _TS,
    (_TSTZ, "-", _TSTZ): "interval", (_TS, "-", _TS): "interval",
    (_TSTZ, "+", "interval"): _TSTZ, (_TSTZ, "-", "interval"): _TSTZ,
    (_TS, "+", "interval"): _TS, (_TS, "-", "interval"): _TS,
    ("interval", "+", "interval"): "interval", ("interval", "-", "interval"): "interval",
}
# SQLValueFunction ops (CURRENT_DATE, CURRENT_TIME …) in PostgreSQL's enum order
_SQL_VALUE_FUNCTIONS = {0: "date", 1: "time with time zone", 2: "time with time zone",
                        3: "timestamp with time zone", 4: "timestamp with time zone",
                        5: "time without time zone", 6: "time without time zone",
                        7: "timestamp without time zone", 8: "timestamp without time zone"}
_AGGREGATES = {"count", "sum", "avg", "max", "min", "array_agg", "json_agg", "jsonb_agg",
               "string_agg", "bool_and", "bool_or"}
Scope = dict[str, list[ViewColumn]]  # alias → its columns


def _relation_columns(context: StatementContext, node: ast.RangeVar,
                      ctes: Scope) -> list[ViewColumn]:
    if node.schemaname is None and node.relname in ctes:
        return ctes[node.relname]
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


def _scope(context: StatementContext, item: Any, scope: Scope, ctes: Scope) -> None:
    if isinstance(item, ast.RangeVar):
        alias = item.alias.aliasname if item.alias else item.relname
        scope[alias] = _renamed(_relation_columns(context, item, ctes), item.alias)
    elif isinstance(item, ast.JoinExpr):
        _scope(context, item.larg, scope, ctes)
        _scope(context, item.rarg, scope, ctes)
    elif isinstance(item, ast.RangeSubselect) and item.alias is not None:
        scope[item.alias.aliasname] = _renamed(query_columns(context, item.subquery, ctes),
                                               item.alias)


def _renamed(columns: list[ViewColumn], alias: Any) -> list[ViewColumn]:
    """`AS t (a, b)` renames the first columns."""
    return _named(columns, getattr(alias, "colnames", None))


def _named(columns: list[ViewColumn], names_list: Any) -> list[ViewColumn]:
    """A column name list (`v (a, b)`, `cte (a, b)`) renames the first columns."""
    new = [getattr(n, "sval", "") for n in names_list or ()]
    return [ViewColumn(new[i] if i < len(new) else c.name, c.type, c.origin)
            for i, c in enumerate(columns)]


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
    return expression_type(scope, node), None


def expression_type(scope: Scope, node: Any) -> str:
    """The type PostgreSQL gives an expression, for the common forms; else "unknown"."""
    if isinstance(node, ast.ColumnRef):
        return _expression(scope, node)[0]
    if isinstance(node, ast.TypeCast):
        return format_type(node.typeName)
    if isinstance(node, ast.A_Const):
        return _constant_type(node)
    if isinstance(node, (ast.BoolExpr, ast.NullTest, ast.BooleanTest)):
        return "boolean"
    if isinstance(node, ast.SubLink):
        return "boolean" if node.subLinkType == 0 else "unknown"  # EXISTS
    if isinstance(node, (ast.CoalesceExpr, ast.MinMaxExpr)):
        return expression_type(scope, node.args[0]) if node.args else "unknown"
    if isinstance(node, ast.CaseExpr):
        results = [w.result for w in node.args or ()] + [node.defresult]
        typed = [expression_type(scope, r) for r in results if r is not None and not (
            isinstance(r, ast.A_Const) and r.isnull)]
        return next((t for t in typed if t != "unknown"), "unknown")
    if isinstance(node, ast.A_ArrayExpr) and node.elements:
        element = expression_type(scope, node.elements[0])
        return element + "[]" if element != "unknown" else element
    if isinstance(node, ast.SQLValueFunction):
        return _SQL_VALUE_FUNCTIONS.get(int(node.op), "unknown")
    if isinstance(node, ast.A_Expr):
        return _operator_type(scope, node)
    if isinstance(node, ast.FuncCall):
        return _function_type(scope, node)
    return "unknown"


def _constant_type(node: ast.A_Const) -> str:
    value = node.val
    if isinstance(value, ast.Integer):
        return "integer"
    if isinstance(value, ast.Float):
        return "numeric"
    if isinstance(value, ast.Boolean):
        return "boolean"
    return "text" if isinstance(value, ast.String) else "unknown"


def _operator_type(scope: Scope, node: ast.A_Expr) -> str:
    if node.kind == _NULLIF:
        return expression_type(scope, node.lexpr)
    if node.kind != 0:
        return "boolean"  # IN, LIKE, BETWEEN, IS DISTINCT FROM, ANY/ALL …
    operator = names(node.name)[-1]
    right = expression_type(scope, node.rexpr)
    if node.lexpr is None:
        return right if operator in ("-", "+") else "unknown"
    left = expression_type(scope, node.lexpr)
    if operator in _COMPARISONS:
        return "boolean"
    if operator in ("->>", "#>>"):
        return "text"
    if operator in ("->", "#>"):
        return left
    if operator == "||":
        if "jsonb" in (left, right):
            return "jsonb"
        return left if left.endswith("[]") else "text"
    left, right = _base(left), _base(right)
    if operator in ("+", "-", "*", "/", "%") and left in _NUMERIC_RANK and right in _NUMERIC_RANK:
        return max(left, right, key=_NUMERIC_RANK.__getitem__)
    return _DATETIME_ARITHMETIC.get((left, operator, right), "unknown")


def _base(type_: str) -> str:
    """`numeric(10,2)` → `numeric`: typmods do not change an operator's result type."""
    cut = type_.find("(")
    if cut < 0:
        return type_
    close = type_.find(")", cut)
    return (type_[:cut] + type_[close + 1:]) if close > 0 else type_


def _function_type(scope: Scope, node: ast.FuncCall) -> str:
    name = names(node.funcname)[-1]
    if name in _RESULT_TYPES:
        return _RESULT_TYPES[name]
    args = list(node.args or ())
    if name in _SAME_AS_ARGUMENT and args:
        return expression_type(scope, args[0])
    if name == "sum" and args:
        inner = expression_type(scope, args[0])
        return ("bigint" if inner in ("integer", "smallint") else
                "numeric" if inner in ("bigint", "numeric") else inner)
    if name == "array_agg" and args:
        inner = expression_type(scope, args[0])
        return inner + "[]" if inner != "unknown" else inner
    return "unknown"


_SQL_VALUE_NAMES = ["current_date", "current_time", "current_time", "current_timestamp",
                    "current_timestamp", "localtime", "localtime", "localtimestamp",
                    "localtimestamp", "current_role", "current_user", "user", "session_user",
                    "current_catalog", "current_schema"]


def _figure(node: Any) -> tuple[str, int]:
    """PostgreSQL's FigureColnameInternal: (name, strength); 2 beats a cast's type name."""
    if isinstance(node, ast.ColumnRef):
        last = node.fields[-1]
        return (str(last.sval), 2) if isinstance(last, ast.String) else ("?column?", 0)
    if isinstance(node, ast.FuncCall):
        return names(node.funcname)[-1], 2
    if isinstance(node, ast.TypeCast):
        name, strength = _figure(node.arg)
        return (name, strength) if strength > 1 else (str(names(node.typeName.names)[-1]), 1)
    if isinstance(node, ast.A_Expr) and node.kind == _NULLIF:
        return "nullif", 2
    if isinstance(node, ast.CaseExpr):
        name, strength = _figure(node.defresult) if node.defresult is not None else ("", 0)
        return (name, strength) if strength > 1 else ("case", 1)
    if isinstance(node, ast.CoalesceExpr):
        return "coalesce", 2
    if isinstance(node, ast.MinMaxExpr):
        return ("greatest" if int(node.op) == 0 else "least"), 2
    if isinstance(node, ast.A_ArrayExpr):
        return "array", 2
    if isinstance(node, ast.SQLValueFunction) and int(node.op) < len(_SQL_VALUE_NAMES):
        return _SQL_VALUE_NAMES[int(node.op)], 2
    if isinstance(node, ast.SubLink):
        kinds = {0: "exists", 6: "array"}  # EXISTS_SUBLINK, ARRAY_SUBLINK
        if int(node.subLinkType) in kinds:
            return kinds[int(node.subLinkType)], 2
    return "?column?", 0


def _output_name(target: ast.ResTarget) -> str:
    return str(target.name) if target.name else _figure(target.val)[0]


def query_columns(context: StatementContext, query: Any,
                  outer: Scope | None = None) -> list[ViewColumn]:
    ctes: Scope = dict(outer or {})
    if isinstance(query, ast.SelectStmt) and query.withClause is not None:
        for cte in query.withClause.ctes or ():
            ctes[cte.ctename] = _named(query_columns(context, cte.ctequery, ctes),
                                       cte.aliascolnames)
    if isinstance(query, ast.SelectStmt) and query.larg is not None:
        # UNION …: the first branch names and types the columns, which come from no table
        return [ViewColumn(c.name, c.type) for c in query_columns(context, query.larg, ctes)]
    if not isinstance(query, ast.SelectStmt):
        return []
    scope: Scope = {}
    for item in query.fromClause or ():
        _scope(context, item, scope, ctes)
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


def describe_view(context: StatementContext, schema: str, name: str, query: Any,
                  aliases: tuple[str, ...] = ()) -> None:
    """`aliases`: the column names of `CREATE VIEW v (a, b)`, which rename the first ones."""
    view = context.schema.views.get((schema, name))
    if view is None:
        return
    columns = query_columns(context, query)
    view.columns = [ViewColumn(aliases[i] if i < len(aliases) else c.name, c.type, c.origin)
                    for i, c in enumerate(columns)]
    view.auto_updatable = not view.materialized and _auto_updatable(context, query)


_TRIGGER_EVENTS = ("insert", "delete", "update")


def instead_of_trigger(context: StatementContext, node: ir.CreateTrigger) -> None:
    """INSTEAD OF triggers make a view writable for their events (as PostgREST sees it)."""
    if node.timing != "instead of":
        return
    view = context.schema.views.get(node.table.resolved(context.state.search_path))
    if view is not None:
        view.instead_of.update(e.upper() for e in node.events if e in _TRIGGER_EVENTS)
