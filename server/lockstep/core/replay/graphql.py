"""pg_graphql's introspection switch (splinter 0026/0027): since pg_graphql 1.6.0 GraphQL
introspection is off unless a schema's comment opts in with `@graphql({"introspection":
true})`, which `COMMENT ON SCHEMA` sets (replacing the whole comment) and `DROP SCHEMA`
takes away. Runs after the main handler (engine.py).
"""

from __future__ import annotations

import json

from pglast import ast
from pglast.enums import ObjectType

from lockstep.core.replay.context import StatementContext

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


def observe(context: StatementContext, node: object) -> None:
    """Follow COMMENT ON SCHEMA and DROP SCHEMA."""
    opted = context.schema.graphql_introspection
    if isinstance(node, ast.CommentStmt) and node.objtype == ObjectType.OBJECT_SCHEMA:
        name = getattr(node.object, "sval", "")
        if introspection_on(node.comment):
            opted.add(name)
        else:
            opted.discard(name)
    elif isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_SCHEMA:
        opted -= {getattr(o, "sval", "") for o in node.objects or ()}
