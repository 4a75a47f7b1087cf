"""Supabase's advisors about what the API roles can reach: foreign tables, queues, GraphQL
introspection and SECURITY DEFINER functions (splinter 0017, 0019, 0026–0029).

Privileges are those replay tracked (replay/security.py for SELECT, replay/routine_grants.py
for EXECUTE): Supabase's default grants, then every GRANT, REVOKE and ALTER DEFAULT PRIVILEGES
of the migrations. PUBLIC's privileges reach every role.
"""

from __future__ import annotations

from lockstep.core.model import Key, Location
from lockstep.core.rules.checks.advisors import api_readable, exposed_schemas
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.facts import anchor
from lockstep.core.rules.payloads import AdvisorFinding
from lockstep.core.rules.registry.advisors import (
    FOREIGN_TABLE_IN_API,
    GRAPHQL_TABLE_EXPOSED,
    INSECURE_QUEUE_EXPOSED_IN_API,
    SECURITY_DEFINER_FUNCTION_EXECUTABLE,
)
from lockstep.core.workspace import Workspace

_ROLES = ("anon", "authenticated")
_TRIGGERS = ("trigger", "event_trigger")
# The schemas splinter never judges (Supabase's and well-known extensions' own).
SPLINTER_SKIPS = frozenset({
    "_timescaledb_cache", "_timescaledb_catalog", "_timescaledb_config",
    "_timescaledb_internal", "auth", "cron", "extensions", "graphql", "graphql_public",
    "information_schema", "net", "pgmq", "pgroonga", "pgsodium", "pgsodium_masks", "pgtle",
    "pgbouncer", "pg_catalog", "realtime", "repack", "storage", "supabase_functions",
    "supabase_migrations", "tiger", "topology", "vault",
})


def _holders(granted: set[str]) -> list[str]:
    return [r for r in _ROLES if r in granted or "public" in granted]


@check(FOREIGN_TABLE_IN_API)
def foreign_tables(workspace: Workspace, findings: Findings) -> None:
    for key, table in workspace.schema.foreign_tables.items():
        if key[0] in SPLINTER_SKIPS or table.location is None \
                or not api_readable(workspace, key):
            continue
        findings.add(FOREIGN_TABLE_IN_API, table.location,
                     f"Foreign table `{table.name}` has no row level security and anon or "
                     "authenticated can read it through the API: revoke SELECT or move it",
                     data=AdvisorFinding(key[0], key[1], "foreign table",
                                         detail=[table.server]))


@check(INSECURE_QUEUE_EXPOSED_IN_API)
def queues(workspace: Workspace, findings: Findings) -> None:
    if "pgmq_public" not in exposed_schemas(workspace):
        return
    schema = workspace.schema
    for key, table in schema.tables.items():
        # splinter's `relname like 'q_%'`: `_` matches any one character
        if key[0] != "pgmq" or len(key[1]) < 2 or not key[1].startswith("q") \
                or table.partitioned or table.rls_enabled or table.location is None:
            continue
        roles = _holders(schema.readers.get(key, set()))
        if roles:
            findings.add(INSECURE_QUEUE_EXPOSED_IN_API, table.location,
                         f"Queue table `pgmq.{key[1]}` has no RLS and {' and '.join(roles)} "
                         "can use it through `pgmq_public`: enable row level security on it",
                         data=AdvisorFinding(key[0], key[1], "table", detail=roles))


def _relations(workspace: Workspace) -> list[tuple[Key, str, Location | None, tuple[str, ...]]]:
    """(key, kind, where, roles whose SELECT shows it): 0026 counts partitioned tables but
    not foreign ones, 0027 the reverse, as pg_graphql itself does."""
    schema = workspace.schema
    found: list[tuple[Key, str, Location | None, tuple[str, ...]]] = []
    for key, table in schema.tables.items():
        if table.external is None:
            found.append((key, "table", anchor(table),
                          ("anon",) if table.partitioned else _ROLES))
    for key, view in schema.views.items():
        found.append((key, "materialized view" if view.materialized else "view",
                      view.location, _ROLES))
    for key, foreign in schema.foreign_tables.items():
        found.append((key, "foreign table", foreign.location, ("authenticated",)))
    return found


@check(GRAPHQL_TABLE_EXPOSED)
def graphql_tables(workspace: Workspace, findings: Findings) -> None:
    """Only in schemas whose comment opts into introspection: pg_graphql 1.6.0+ lists
    nothing elsewhere, and new Supabase projects do not even enable pg_graphql."""
    schema = workspace.schema
    for key, kind, where, counted in _relations(workspace):
        roles = [r for r in _holders(schema.readers.get(key, set())) if r in counted]
        if key[0] in SPLINTER_SKIPS or key[0] not in schema.graphql_introspection \
                or where is None or not roles:
            continue
        findings.add(GRAPHQL_TABLE_EXPOSED, where,
                     f"pg_graphql lists {kind} `{key[1]}` (its columns and relationships) to "
                     f"{' and '.join(roles)}: revoke SELECT if they must not discover it",
                     data=AdvisorFinding(key[0], key[1], kind, detail=roles))


@check(SECURITY_DEFINER_FUNCTION_EXECUTABLE)
def definer_functions(workspace: Workspace, findings: Findings) -> None:
    """Trigger functions are left out (splinter counts them): PostgreSQL refuses to call one
    outside its trigger, so `/rest/v1/rpc` cannot run it."""
    schema = workspace.schema
    for key, signature in schema.signatures.items():
        if not signature.security_definer or key[0] in SPLINTER_SKIPS \
                or signature.location is None or signature.returns in _TRIGGERS:
            continue
        roles = _holders(schema.executors.get(key, set()))
        if roles:
            findings.add(
                SECURITY_DEFINER_FUNCTION_EXECUTABLE, signature.location,
                f"SECURITY DEFINER function `{key[1]}({key[2]})` bypasses RLS and "
                f"{' and '.join(roles)} may call it through `/rest/v1/rpc/{key[1]}`: revoke "
                "EXECUTE from PUBLIC, anon and authenticated, or make it SECURITY INVOKER",
                data=AdvisorFinding(key[0], key[1], "function", columns=[key[2]],
                                    detail=roles))
