"""pg_graphql's introspection switch (splinter 0026/0027): since pg_graphql 1.6.0 GraphQL
introspection is off unless a schema's comment opts in with `@graphql({"introspection":
true})`, which `COMMENT ON SCHEMA` sets (replacing the whole comment) and `DROP SCHEMA`
takes away. Runs after the main handler (engine.py).
"""

from __future__ import annotations

import json

from lockstep.core.replay.context import StatementContext
from lockstep.core.sql import ir

_DIRECTIVE = "@graphql("


def introspection_on(comment: str | None) -> bool:
    """The `introspection` option of the comment's `@graphql({...})` directive."""
    at = (comment or "").find(_DIRECTIVE)
    if at < 0:
        return False
    try:
        options, _ = json.JSONDecoder().raw_decode(comment or "", at + len(_DIRECTIVE))
    except ValueError:
        return False
    return isinstance(options, dict) and options.get("introspection") is True


def observe(context: StatementContext, node: ir.Stmt) -> None:
    """Follow COMMENT ON SCHEMA and DROP SCHEMA."""
    opted = context.schema.graphql_introspection
    if isinstance(node, ir.Comment) and node.object_kind == "schema" and node.target:
        if introspection_on(node.text):
            opted.add(node.target[-1])
        else:
            opted.discard(node.target[-1])
    elif isinstance(node, ir.Drop) and node.object_kind == "schema":
        opted -= {name.name for name in node.names}
