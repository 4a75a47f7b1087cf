"""Supabase Queues (pgmq): `select pgmq.create('jobs')` makes the tables `pgmq.q_jobs` (the
queue) and `pgmq.a_jobs` (its archive), which splinter 0019 judges like any table.

The replay makes them as pgmq does (lower-cased names, `msg_id` primary key), with no RLS and
the default privileges of schema `pgmq`, so that later `ALTER TABLE pgmq.q_jobs ENABLE ROW
LEVEL SECURITY`, policies and grants apply to them. A migration that calls pgmq needs no
`CREATE EXTENSION pgmq`: the dashboard may have enabled it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lockstep.core.model import Column, Index, Table
from lockstep.core.replay.context import StatementContext
from lockstep.core.sql import ir

_CREATE = ("create", "create_unlogged", "create_partitioned")
_TIMESTAMP = "timestamp with time zone"


def _calls(select: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(function, queue name) of each `pgmq.…('name', …)` in the select list or FROM
    (libpg_query's JSON of the SELECT)."""
    items = [t.get("ResTarget", {}).get("val") for t in select.get("targetList", ())]
    for source in select.get("fromClause", ()):
        functions = source.get("RangeFunction", {}).get("functions", ())
        if functions:
            items.append((functions[0].get("List", {}).get("items") or [None])[0])
    for item in items:
        call = item.get("FuncCall") if isinstance(item, dict) else None
        if call is None:
            continue
        dotted = [n.get("String", {}).get("sval", "") for n in call.get("funcname", ())]
        arguments = call.get("args", ())
        first = arguments[0].get("A_Const", {}).get("sval", {}).get("sval") if arguments \
            else None
        if len(dotted) == 2 and dotted[0] == "pgmq" and isinstance(first, str):
            yield dotted[1], first.lower()


def _table(context: StatementContext, name: str, archive: bool) -> Table:
    columns = [Column("msg_id", "bigint", False, primary_key=True,
                      identity=None if archive else "ALWAYS"),
               Column("read_ct", "integer", False, "0"),
               Column("enqueued_at", _TIMESTAMP, False, "now()"),
               *([Column("archived_at", _TIMESTAMP, False, "now()")] if archive else []),
               Column("vt", _TIMESTAMP, False),
               Column("message", "jsonb")]
    table = Table("pgmq", name, {c.name: c for c in columns}, ["msg_id"],
                  location=context.whole)
    table.indexes.append(Index(f"{name}_pkey", ["msg_id"], True, context.whole, True,
                               shape="unique btree (msg_id)"))
    return table


def _create(context: StatementContext, queue: str) -> None:
    schema = context.schema
    defaults = schema.default_readers.get("pgmq", set()) | schema.default_readers.get("*", set())
    for name in (f"q_{queue}", f"a_{queue}"):
        if ("pgmq", name) in schema.tables:  # pgmq.create is idempotent
            continue
        table = _table(context, name, archive=name.startswith("a_"))
        schema.tables[("pgmq", name)] = table
        schema.readers[("pgmq", name)] = set(defaults)
        context.record(f"create queue table {name}", "create-table", table, list(table.columns))


def observe(context: StatementContext, node: ir.Stmt) -> None:
    """`pgmq.create*(name)` makes a queue; `pgmq.drop_queue(name)` drops it (a top-level
    SELECT: inside a DO block the call is not followed)."""
    if not (isinstance(node, ir.Opaque) and node.kind == "SelectStmt"
            and context.statement.ir is node and isinstance(context.statement.json, dict)):
        return
    for function, queue in _calls(context.statement.json.get("SelectStmt", {})):
        if function in _CREATE:
            _create(context, queue)
        elif function == "drop_queue":
            for name in (f"q_{queue}", f"a_{queue}"):
                if context.schema.tables.pop(("pgmq", name), None) is not None:
                    context.schema.removed_tables += 1
                context.schema.readers.pop(("pgmq", name), None)
