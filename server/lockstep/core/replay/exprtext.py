"""Expressions as PostgreSQL prints them back: `pg_get_expr` for column defaults (not pretty)
and `pg_get_indexdef`/`pg_get_expr(…, true)` for index expressions and predicates (pretty).

PostgreSQL stores the *analysed* expression, so what it prints differs from what the
migration said: literals carry the type they were resolved to (`'x'::text`), negative
numbers are quoted (`'-1'::integer`), implicit casts disappear and the casts needed to reach
an operator or function argument type appear (`lower(title::text)` for a varchar column).
This module types a small expression language (literals, columns, casts, common functions,
operators, IS NULL, AND/OR/NOT) just enough to print it the same way; anything else falls
back to pglast's deparser.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pglast import ast
from pglast.enums import BoolExprType, NullTestType, SQLValueFunctionOp

from lockstep.core.model import Table
from lockstep.core.replay.context import deparse
from lockstep.core.sql.types import format_type, quote_ident

TEXTUAL = ("text", "character varying", "character", "bpchar")
_INTEGERS = {"integer": "integer", "smallint": "smallint", "bigint": "bigint"}
_SAME_TYPE_FUNCTIONS = {"abs"}  # the result is typed as the argument
_TEXT_FUNCTIONS = {"lower", "upper", "btrim", "ltrim", "rtrim", "md5", "initcap"}
_SQL_VALUES = {
    SQLValueFunctionOp.SVFOP_CURRENT_DATE: "CURRENT_DATE",
    SQLValueFunctionOp.SVFOP_CURRENT_TIME: "CURRENT_TIME",
    SQLValueFunctionOp.SVFOP_CURRENT_TIMESTAMP: "CURRENT_TIMESTAMP",
    SQLValueFunctionOp.SVFOP_LOCALTIME: "LOCALTIME",
    SQLValueFunctionOp.SVFOP_LOCALTIMESTAMP: "LOCALTIMESTAMP",
    SQLValueFunctionOp.SVFOP_CURRENT_USER: "CURRENT_USER",
    SQLValueFunctionOp.SVFOP_SESSION_USER: "SESSION_USER",
    SQLValueFunctionOp.SVFOP_CURRENT_ROLE: "CURRENT_ROLE",
    SQLValueFunctionOp.SVFOP_USER: "CURRENT_USER",
}


def base_type(printed: str) -> str:
    """A format_type() text without its type modifier: `character varying(20)` →
    `character varying`, `character(2)` → `bpchar` (as a label with typmod -1 prints)."""
    array = printed.endswith("[]")
    core = printed[:-2] if array else printed
    if "(" in core:
        head, _, rest = core.partition("(")
        tail = rest.partition(")")[2]
        core = (head + tail).strip()
    if core == "character":
        core = "bpchar"
    return core + ("[]" if array else "")


def has_typmod(printed: str) -> bool:
    return "(" in printed and not printed.startswith('"')


def _family(printed: str) -> str:
    core = base_type(printed)
    if core.endswith("[]"):
        return "array"
    if core in TEXTUAL:
        return "text"
    if core in _INTEGERS:
        return "int"
    return core


class Printer:
    """Prints expressions over one table's columns (name → format_type text)."""

    def __init__(self, columns: dict[str, str], pretty: bool) -> None:
        self.columns = columns
        self.pretty = pretty

    # -- literals -----------------------------------------------------------------------
    def literal(self, value: Any, target: str | None) -> str:
        """An untyped string literal resolved to `target` (or text when nothing says)."""
        label = base_type(target) if target else "text"
        if target and _family(target) == "int" and _is_int(value):
            number = int(value)
            if label == "integer":
                return str(number) if number >= 0 else f"'{number}'::integer"
            return f"'{number}'::{label}"
        if target and label == "numeric":
            normal = _numeric(value)
            if normal is not None:
                return self._numeric(normal)
        if target and label == "boolean" and value.lower() in _BOOLS:
            return _BOOLS[value.lower()]
        escaped = value.replace("'", "''")
        return f"'{escaped}'::{label}"

    def _numeric(self, text: str) -> str:
        if text[:1].isdigit() and any(c in text for c in ".eE"):
            return text
        return f"'{text}'::numeric"

    def constant(self, node: ast.A_Const, target: str | None) -> tuple[str, str | None]:
        """A literal and the type it has after parsing (None: unknown, resolved by context)."""
        if node.isnull:
            return (f"NULL::{base_type(target)}" if target else "NULL"), target
        value = node.val
        if isinstance(value, ast.Integer):
            number = int(value.ival)
            return (str(number) if number >= 0 else f"'{number}'::integer"), "integer"
        if isinstance(value, ast.Float):
            normal = _numeric(value.fval) or value.fval
            return self._numeric(normal), "numeric"
        if isinstance(value, ast.Boolean):
            return ("true" if value.boolval else "false"), "boolean"
        return self.literal(str(value.sval), target), (target or "text")

    # -- expressions ---------------------------------------------------------------------
    def expr(
        self, node: Any, target: str | None = None, top: bool = True
    ) -> tuple[str, str | None]:
        """(text, type) of `node`; `target` is the type the context wants for literals."""
        if isinstance(node, ast.A_Const):
            return self.constant(node, target)
        if isinstance(node, ast.ColumnRef):
            name = getattr(node.fields[-1], "sval", None)
            if name is None:
                return "*", None
            return quote_ident(name), self.columns.get(name)
        if isinstance(node, ast.TypeCast):
            return self.cast(node, top)
        if isinstance(node, ast.SQLValueFunction):
            return _SQL_VALUES.get(node.op, deparse(node)), None
        if isinstance(node, ast.FuncCall):
            return self.call(node)
        if isinstance(node, ast.CoalesceExpr):
            return self.coalesce(node)
        if isinstance(node, ast.A_Expr) and node.kind == 0 and len(node.name) == 1:
            return self.operator(node, top)
        if isinstance(node, ast.NullTest):
            arg, _ = self.expr(node.arg, None, top=False)
            test = "IS NULL" if node.nulltesttype == NullTestType.IS_NULL else "IS NOT NULL"
            return self.wrap(f"{arg} {test}", top), "boolean"
        if isinstance(node, ast.BoolExpr):
            return self.boolean(node, top)
        if isinstance(node, ast.A_ArrayExpr):
            items = [self.expr(e, _element(target), top=False)[0] for e in node.elements or ()]
            return f"ARRAY[{', '.join(items)}]", target
        return deparse(node), None

    def wrap(self, text: str, top: bool) -> str:
        if self.pretty and top:
            return text
        return f"({text})"

    def cast(self, node: ast.TypeCast, top: bool) -> tuple[str, str | None]:
        typ = format_type(node.typeName)
        if isinstance(node.arg, ast.A_Const) and not node.arg.isnull and isinstance(
            node.arg.val, ast.String
        ):
            return self.literal(str(node.arg.val.sval), typ), typ
        if isinstance(node.arg, ast.A_ArrayExpr) and not node.arg.elements:
            return f"ARRAY[]::{typ}", typ
        inner, inner_type = self.expr(node.arg, typ, top=False)
        if inner_type is not None and base_type(inner_type) == base_type(typ) \
                and not has_typmod(typ):
            return inner, inner_type
        return self.coerce(inner, typ, node.arg), typ

    def coerce(self, text: str, typ: str, node: Any) -> str:
        """A visible cast: `x::text` pretty (parenthesised unless `node` is simple),
        `(x)::text` otherwise."""
        if self.pretty and isinstance(node, _SIMPLE):
            return f"{text}::{typ}"
        return f"({text})::{typ}"

    def as_text(self, node: Any) -> str:
        """An argument of a text function or operator: varchar/char columns get `::text`."""
        text, typ = self.expr(node, "text", top=False)
        if typ is not None and base_type(typ) != "text" and _family(typ) == "text":
            return self.coerce(text, "text", node)
        return text

    def call(self, node: ast.FuncCall) -> tuple[str, str | None]:
        parts = [getattr(n, "sval", "") for n in node.funcname]
        name = parts[-1]
        args = list(node.args or ())
        if parts[0] == "pg_catalog" and name == "timezone" and len(args) == 2:
            zone = self.as_text(args[0])
            value, _ = self.expr(args[1], None, top=False)
            return self.wrap(f"{value} AT TIME ZONE {zone}", False), "timestamp"
        if name in _TEXT_FUNCTIONS:
            printed = [self.as_text(a) for a in args]
            return f"{quote_ident(name)}({', '.join(printed)})", "text"
        if name == "timezone" and args:
            first = self.as_text(args[0])
            rest = [self.expr(a, None, top=False)[0] for a in args[1:]]
            return f"timezone({', '.join([first, *rest])})", None
        typed = [self.expr(a, None, top=False) for a in args]
        printed = [text for text, _ in typed]
        result = typed[0][1] if name in _SAME_TYPE_FUNCTIONS and typed else None
        return f"{'.'.join(quote_ident(p) for p in parts)}({', '.join(printed)})", result

    def coalesce(self, node: ast.CoalesceExpr) -> tuple[str, str | None]:
        args = list(node.args)
        known = [t for t in (self._type_of(a) for a in args) if t]
        typ = known[0] if known else None
        if len({base_type(t) for t in known}) > 1 and all(_family(t) == "text" for t in known):
            typ = "text"  # the preferred type of the string category
        printed: list[str] = []
        for arg in args:
            text, own = self.expr(arg, typ, top=False)
            if typ and own and base_type(own) != base_type(typ):
                text = self.coerce(text, base_type(typ), arg)
            printed.append(text)
        return f"COALESCE({', '.join(printed)})", typ

    def _type_of(self, node: Any) -> str | None:
        if isinstance(node, ast.A_Const | ast.A_ArrayExpr):
            return None
        return self.expr(node, None, top=False)[1]

    def operator(self, node: ast.A_Expr, top: bool) -> tuple[str, str | None]:
        op = node.name[0].sval
        left_type = self._type_of(node.lexpr) if node.lexpr is not None else None
        right_type = self._type_of(node.rexpr)
        if op == "||" or (_family(left_type or "") == "text" and _family(right_type or "text")
                          == "text" and op in ("=", "<>", "<", ">", "<=", ">=", "!=")):
            textual = [t for t in (left_type, right_type) if t]
            if op == "||" or any(base_type(t) != "text" for t in textual):
                left = self.as_text(node.lexpr)
                right = self.as_text(node.rexpr)
                joined = "text" if op == "||" else "boolean"
                return self.wrap(f"{left} {_op(op)} {right}", top), joined
        left = self.expr(node.lexpr, right_type, top=False)[0] if node.lexpr is not None else ""
        right = self.expr(node.rexpr, left_type, top=False)[0]
        if node.lexpr is not None:
            left, right, left_type = self._promote(node, left, right, left_type, right_type)
        kind = "boolean" if op in ("=", "<>", "<", ">", "<=", ">=", "!=") else left_type
        text = f"{left} {_op(op)} {right}" if node.lexpr is not None else f"{_op(op)} {right}"
        return self.wrap(text, top), kind

    def _promote(self, node: ast.A_Expr, left: str, right: str, left_type: str | None,
                 right_type: str | None) -> tuple[str, str, str | None]:
        """Mixed numeric operands: the lower side is cast to the higher type (integers mix
        freely: PostgreSQL has int2/int4/int8 cross-type operators)."""
        left_type = left_type or _literal_type(node.lexpr)
        right_type = right_type or _literal_type(node.rexpr)
        families = (_family(left_type or ""), _family(right_type or ""))
        if families[0] == "time without time zone" and families[1] in _RANK \
                and node.name[0].sval in ("*", "/"):  # time * n resolves to interval * float8
            left, left_type = self.coerce(left, "interval", node.lexpr), "interval"
            families = ("interval", families[1])
        if "interval" in families and node.name[0].sval in ("*", "/"):  # interval_mul(float8)
            if families[1] in _RANK and families[1] != "double precision":
                return left, self.coerce(right, "double precision", node.rexpr), left_type
            if families[0] in _RANK and families[0] != "double precision":
                return self.coerce(left, "double precision", node.lexpr), right, right_type
        ranks = (_RANK.get(families[0]), _RANK.get(families[1]))
        if ranks[0] is None or ranks[1] is None or ranks[0] == ranks[1]:
            return left, right, left_type
        if ranks[0] < ranks[1]:
            target = "double precision" if ranks[1] == 2 else base_type(right_type or "")
            return self.coerce(left, target, node.lexpr), right, right_type
        target = "double precision" if ranks[0] == 2 else base_type(left_type or "")
        return left, self.coerce(right, target, node.rexpr), left_type

    def _bare_in(self, node: Any, parent: BoolExprType) -> bool:
        """Pretty printing leaves out the parentheses precedence makes redundant."""
        if not self.pretty:
            return False
        if not isinstance(node, ast.BoolExpr):
            return True
        if node.boolop == BoolExprType.OR_EXPR:
            return bool(parent == BoolExprType.OR_EXPR)
        return bool(parent != BoolExprType.NOT_EXPR)

    def boolean(self, node: ast.BoolExpr, top: bool) -> tuple[str, str | None]:
        args = [self.expr(a, "boolean", top=self._bare_in(a, node.boolop))[0]
                for a in node.args]
        if node.boolop == BoolExprType.NOT_EXPR:
            return self.wrap(f"NOT {args[0]}", top), "boolean"
        word = " AND " if node.boolop == BoolExprType.AND_EXPR else " OR "
        return self.wrap(word.join(args), top), "boolean"


# Numeric categories, lowest first; real and double precision mix freely (float48 operators),
# a lower operand is cast to double precision.
_RANK = {"int": 0, "numeric": 1, "double precision": 2, "real": 2}


def _literal_type(node: Any) -> str | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
        return "integer"
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Float):
        return "numeric"
    return None


_SIMPLE = (ast.ColumnRef, ast.FuncCall, ast.A_Const, ast.TypeCast, ast.CoalesceExpr,
           ast.SQLValueFunction)
_BOOLS = {"t": "true", "true": "true", "yes": "true", "on": "true", "1": "true",
          "f": "false", "false": "false", "no": "false", "off": "false", "0": "false"}


def _op(op: str) -> str:
    return "<>" if op == "!=" else op


def _element(target: str | None) -> str | None:
    return target[:-2] if target and target.endswith("[]") else None


def _is_int(value: str) -> bool:
    try:
        int(value.strip())
    except ValueError:
        return False
    return True


def _numeric(value: str) -> str | None:
    """numeric_out of a literal (1e3 → 1000), or None when it is not a number."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return format(number, "f")


def default_text(node: Any, column_type: str) -> str | None:
    """A DEFAULT as pg_attrdef prints it; None when PostgreSQL stores no default (a bare
    NULL for a type without a modifier: with one, the length coercion keeps `NULL::type`)."""
    if isinstance(node, ast.A_Const) and node.isnull:
        return f"NULL::{base_type(column_type)}" if has_typmod(column_type) else None
    try:
        return Printer({}, pretty=False).expr(node, column_type)[0]
    except (AttributeError, TypeError, ValueError, IndexError):
        return deparse(node)


def column_types(table: Table) -> dict[str, str]:
    return {name: column.type for name, column in table.columns.items()}


def index_element(node: Any, columns: dict[str, str]) -> str:
    """An expression column of an index, as pg_get_indexdef(index, n, true) prints it."""
    printer = Printer(columns, pretty=True)
    text, _ = printer.expr(node)
    if _looks_like_function(node, text):
        return text
    return f"({text})"


def _looks_like_function(node: Any, text: str) -> bool:
    if isinstance(node, ast.FuncCall):
        return node.funcname[-1].sval != "timezone" or " AT TIME ZONE " not in text
    return isinstance(node, ast.CoalesceExpr | ast.SQLValueFunction)


def predicate(node: Any, columns: dict[str, str]) -> str:
    """A partial index's WHERE, as pg_get_expr(indpred, indrelid, true) prints it."""
    return Printer(columns, pretty=True).expr(node)[0]
