"""The `IF` guards around DDL inside `DO` blocks (the IR's DoBlock lists both).

`IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE …` is how
migrations make DDL idempotent. Applying the guarded statement unconditionally re-creates an
enum that already has more values, or drops a column that stays. A guard that asks the catalog
a question the model can answer (pg_type, pg_class, pg_tables, pg_constraint, pg_indexes,
pg_policies, information_schema.tables/columns) is evaluated against the model at that point;
any other guard leaves the statement "maybe": applied, but never the basis of an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import BoolExprType, SubLinkType
from pglast.parser import ParseError

from lockstep.core.model import Location, Schema
from lockstep.core.replay.context import NestedContext
from lockstep.core.sql import ir

MAYBE = None  # a guard the model cannot answer


class MaybeContext(NestedContext):
    """A statement whose guard the model cannot answer: applied, never the basis of an error."""

    def issue(self, code: str, message: str, location: Location) -> None:
        return None


def evaluate(guards: tuple[ir.Guard, ...], schema: Schema) -> bool | None:
    """False when a guard fails, True when all hold, MAYBE when one cannot be answered."""
    result: bool | None = True
    for guard in guards:
        value = condition_value(guard.condition, schema)
        if value is None:
            result = MAYBE
        elif value != guard.wanted:
            return False
    return result


def condition_value(condition: str, schema: Schema) -> bool | None:
    try:
        [raw] = parse_sql(f"SELECT {condition}")
    except (ParseError, ValueError):
        return MAYBE
    targets: list[Any] = list(getattr(raw.stmt, "targetList", None) or ())
    return _value(targets[0].val, schema) if len(targets) == 1 else MAYBE


def _value(node: Any, schema: Schema) -> bool | None:
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.NOT_EXPR:
        inner = _value(node.args[0], schema)
        return None if inner is None else not inner
    if isinstance(node, ast.SubLink) and node.subLinkType == SubLinkType.EXISTS_SUBLINK:
        return _exists(node.subselect, schema)
    return MAYBE


def _relation(select: ast.SelectStmt) -> str | None:
    """The catalog the subquery reads (`pg_type`, `information_schema.columns` …); a join
    with pg_namespace only narrows the schema, which this check does not need."""
    sources = list(select.fromClause or ())
    if len(sources) != 1:
        return None
    source = sources[0]
    if isinstance(source, ast.JoinExpr) and isinstance(source.rarg, ast.RangeVar) \
            and source.rarg.relname == "pg_namespace":
        source = source.larg
    if not isinstance(source, ast.RangeVar):
        return None
    if source.schemaname not in (None, "pg_catalog", "information_schema"):
        return None
    prefix = "information_schema." if source.schemaname == "information_schema" else ""
    return prefix + str(source.relname)


def _equalities(node: Any, out: dict[str, str]) -> bool:
    """`a = 'x' AND b = 'y'` → {a: x, b: y}; False for any other shape."""
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
        return all(_equalities(arg, out) for arg in node.args)
    if isinstance(node, ast.A_Expr) and [getattr(n, "sval", None) for n in node.name] == ["="]:
        column, constant = node.lexpr, node.rexpr
        if isinstance(column, ast.A_Const):
            column, constant = constant, column
        if isinstance(column, ast.TypeCast):
            column = column.arg
        if isinstance(constant, ast.TypeCast):
            constant = constant.arg
        if isinstance(column, ast.ColumnRef) and isinstance(constant, ast.A_Const):
            name = getattr(column.fields[-1], "sval", None)
            value = getattr(constant.val, "sval", None)
            if isinstance(name, str) and isinstance(value, str):
                out[name] = value
                return True
        return False
    return False


def _tables(schema: Schema, values: dict[str, str], name_key: str, schema_key: str) -> list[Any]:
    wanted = values.get(name_key)
    space = values.get(schema_key)
    return [t for (s, n), t in schema.tables.items()
            if n == wanted and (space is None or s == space)]


def _has_type(schema: Schema, v: dict[str, str]) -> bool:
    name = v.get("typname")
    return any(n == name for collection in (schema.enums, schema.domains, schema.composites)
               for _, n in collection) or any(n == name for _, n in schema.tables)


def _has_column(schema: Schema, v: dict[str, str]) -> bool:
    return any(v.get("column_name") in t.columns
               for t in _tables(schema, v, "table_name", "table_schema"))


def _has_constraint(schema: Schema, v: dict[str, str]) -> bool:
    name = v.get("conname")
    return any(c.name == name for t in schema.tables.values() for c in t.constraints) or \
        any(i.name == name and i.is_constraint for t in schema.tables.values() for i in t.indexes)


def _has_relation(schema: Schema, v: dict[str, str]) -> bool:
    name = v.get("relname")
    return any(n == name for _, n in (*schema.tables, *schema.views)) or \
        any(i.name == name for t in schema.tables.values() for i in t.indexes)


def _has_index(schema: Schema, v: dict[str, str]) -> bool:
    return any(i.name == v.get("indexname") for t in schema.tables.values() for i in t.indexes)


def _has_policy(schema: Schema, v: dict[str, str]) -> bool:
    tables = _tables(schema, v, "tablename", "schemaname") if "tablename" in v \
        else list(schema.tables.values())
    return any(p.name == v.get("policyname") for t in tables for p in t.policies)


def _has_table(schema: Schema, v: dict[str, str]) -> bool:
    return bool(_tables(schema, v, "tablename", "schemaname"))


def _has_table_or_view(schema: Schema, v: dict[str, str]) -> bool:
    wanted, space = v.get("table_name"), v.get("table_schema")
    return any(n == wanted and (space is None or s == space)
               for s, n in (*schema.tables, *schema.views))


# catalog → (the columns that must be given, the question it answers)
_CATALOGS: dict[str, tuple[frozenset[str], Callable[[Schema, dict[str, str]], bool]]] = {
    "pg_type": (frozenset({"typname"}), _has_type),
    "information_schema.columns": (frozenset({"table_name", "column_name"}), _has_column),
    "information_schema.tables": (frozenset({"table_name"}), _has_table_or_view),
    "pg_tables": (frozenset({"tablename"}), _has_table),
    "pg_constraint": (frozenset({"conname"}), _has_constraint),
    "pg_class": (frozenset({"relname"}), _has_relation),
    "pg_indexes": (frozenset({"indexname"}), _has_index),
    "pg_policies": (frozenset({"policyname"}), _has_policy),
}
# Columns that narrow the schema: the model's answer is by name, so they are accepted.
_NARROWING = frozenset({"nspname", "table_schema", "schemaname", "typtype", "relkind",
                        "table_catalog"})


def _exists(select: Any, schema: Schema) -> bool | None:
    if not isinstance(select, ast.SelectStmt):
        return MAYBE
    catalog = _relation(select)
    known = _CATALOGS.get(catalog or "")
    values: dict[str, str] = {}
    if known is None or select.whereClause is None or not _equalities(select.whereClause, values):
        return MAYBE
    required, question = known
    if not required <= set(values) or set(values) - required - _NARROWING:
        return MAYBE
    return question(schema, values)
