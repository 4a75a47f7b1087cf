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

from pglast import ast

from lockstep.core.model import Column, Index, Table
from lockstep.core.replay.context import StatementContext, names

_CREATE = ("create", "create_unlogged", "create_partitioned")
_TIMESTAMP = "timestamp with time zone"


def _calls(node: ast.SelectStmt) -> Iterator[tuple[str, str]]:
    """(function, queue name) of each `pgmq.…('name', …)` in the select list or FROM."""
    items: list[Any] = [t.val for t in node.targetList or ()]
    items += [getattr(f, "functions", None) and f.functions[0][0] for f in node.fromClause or ()]
    for item in items:
        if not isinstance(item, ast.FuncCall):
            continue
        dotted = names(item.funcname)
        first = (item.args or (None,))[0]
        value = getattr(getattr(first, "val", None), "sval", None)
        if len(dotted) == 2 and dotted[0] == "pgmq" and isinstance(value, str):
            yield dotted[1], value.lower()


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


def observe(context: StatementContext, node: object) -> None:
    """`pgmq.create*(name)` makes a queue; `pgmq.drop_queue(name)` drops it."""
    if not isinstance(node, ast.SelectStmt):
        return
    for function, queue in _calls(node):
        if function in _CREATE:
            _create(context, queue)
        elif function == "drop_queue":
            for name in (f"q_{queue}", f"a_{queue}"):
                context.schema.tables.pop(("pgmq", name), None)
                context.schema.readers.pop(("pgmq", name), None)
