"""Objects every Supabase database has although no migration creates them.

`supabase init` exposes `graphql_public` in config.toml (`[api] schemas`), so most generated
files carry its one function, `graphql`. The stack creates it (pg_graphql), not a migration.
"""

from __future__ import annotations

from lockstep.core.model import Parameter, Schema, Signature


def graphql_public() -> Signature:
    parameters = [Parameter("operationName", "in", "text", True),
                  Parameter("query", "in", "text", True),
                  Parameter("variables", "in", "jsonb", True),
                  Parameter("extensions", "in", "jsonb", True)]
    return Signature("graphql_public", "graphql", parameters, "jsonb")


def platform_signatures(schema: Schema, schemas: list[str]) -> list[Signature]:
    """The platform's functions in the requested schemas the migrations leave alone."""
    if "graphql_public" not in schemas:
        return []
    if any(key[0] == "graphql_public" for key in schema.signatures):
        return []
    return [graphql_public()]
