"""The DDL inside a `DO` block, with the `IF` guards around each statement.

`IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE …` is how
migrations make DDL idempotent; the replay decides from the guards whether each statement runs.
Nested statements get the DO statement's span: their text is not the file's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pglast import parse_plpgsql
from pglast.parser import ParseError, parse_sql_json, scan

from lockstep.core.sql import ir
from lockstep.core.sql.ir_parts import Builder, Token
from lockstep.core.sql.pgnode import byte_to_char

Json = dict[str, Any]
Build = Callable[[Json, Builder], ir.Stmt]


def do_block(fields: Json, builder: Builder, build: Build) -> ir.Stmt:
    options = dict(builder.options(fields.get("args")))
    body = options.get("as")
    language = options.get("language") or "plpgsql"
    if not isinstance(body, str) or language.lower() != "plpgsql":
        return ir.DoBlock(builder.whole, language, body)
    nested: list[ir.Nested] = []
    for text, guards in guarded_queries(body):
        try:
            parsed = json.loads(parse_sql_json(text))
        except ParseError:
            continue
        inner = Builder(text, 0, len(text), tokens(text), byte_to_char(text), nested=True)
        inner.whole = builder.whole
        nested.extend(ir.Nested(text, build(s["stmt"], inner), guards)
                      for s in parsed.get("stmts", ()))
    return ir.DoBlock(builder.whole, language, body, tuple(nested))


def tokens(text: str) -> list[Token]:
    try:
        return [Token(t.start, t.end + 1, t.name) for t in scan(text)]
    except ParseError:
        return []


def guarded_queries(body: str) -> list[tuple[str, tuple[ir.Guard, ...]]]:
    """The SQL statements of a PL/pgSQL body, each with the IF conditions around it."""
    try:
        tree = parse_plpgsql(f"DO $lockstep$ {body} $lockstep$")
    except Exception:  # noqa: BLE001 - PL/pgSQL we cannot read is left alone
        return []
    found: list[tuple[str, tuple[ir.Guard, ...]]] = []
    _collect(tree, (), found)
    return found


def _query(expression: Any) -> str:
    inner = expression.get("PLpgSQL_expr", {}) if isinstance(expression, dict) else {}
    query = inner.get("query")
    return query if isinstance(query, str) else "<unknown>"


def _collect(value: Any, guards: tuple[ir.Guard, ...],
             out: list[tuple[str, tuple[ir.Guard, ...]]]) -> None:
    if isinstance(value, list):
        for item in value:
            _collect(item, guards, out)
        return
    if not isinstance(value, dict):
        return
    execsql = value.get("PLpgSQL_stmt_execsql")
    if isinstance(execsql, dict):
        query = _query(execsql.get("sqlstmt"))
        if query != "<unknown>":
            out.append((query, guards))
        return
    branch = value.get("PLpgSQL_stmt_if")
    if isinstance(branch, dict):
        before: tuple[ir.Guard, ...] = ()
        arms = [(branch.get("cond"), branch.get("then_body"))]
        arms += [(e.get("PLpgSQL_if_elsif", {}).get("cond"), e.get("PLpgSQL_if_elsif", {})
                  .get("stmts")) for e in branch.get("elsif_list") or () if isinstance(e, dict)]
        for condition, body in arms:
            text = _query(condition)
            _collect(body, (*guards, *before, ir.Guard(text, True)), out)
            before += (ir.Guard(text, False),)
        _collect(branch.get("else_body"), (*guards, *before), out)
        return
    for item in value.values():
        _collect(item, guards, out)
