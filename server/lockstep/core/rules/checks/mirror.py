"""Rules about the `sim_` simulator mirror: every mirrored table has a twin kept in step.

A table `X` is mirrored when `sim_X` exists in the same schema. The twin differs from `X` on
purpose (FKs to `sim_` tables, a bare `user_id`, no RLS, extra columns, its own defaults);
none of that is drift. This module declares every mirror rule and checks the twins' structure
(references, `auth.users`, RLS); the migration-by-migration drift check is `mirror_drift`.
"""

from __future__ import annotations

from collections.abc import Iterator

from lockstep.core.config import Config
from lockstep.core.diagnostics import Related
from lockstep.core.model import Key, Schema, Table
from lockstep.core.rules.checks.security import (
    anchor,
    event_locations,
    is_internal,
    is_platform,
    is_sim,
    last_touch,
    statement_span,
)
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.registry import rule
from lockstep.core.workspace import Workspace

rule(
    "sim-mirror-drift",
    "warning",
    "mirror",
    "A change to a mirrored table that its `sim_` twin did not get in the same migration.",
    "The simulator clones real users into `sim_` tables and runs the same code on them. A "
    "column that exists on `wins` but not on `sim_wins` (or has another type or nullability "
    "there) makes the clone fail or silently drop data, and it is only noticed when someone "
    "runs the simulator. The workflow repeats every change on the twin in the same migration; "
    "extra columns on the twin, other defaults and FKs to `sim_` tables are allowed.",
    "ALTER TABLE wins ADD COLUMN mood TEXT;",
    "ALTER TABLE wins ADD COLUMN mood TEXT;\n-- Mirror for simulator:\n"
    "ALTER TABLE sim_wins ADD COLUMN mood TEXT;",
)
rule(
    "sim-mirror-missing",
    "warning",
    "mirror",
    "A new table tied to a mirrored table by a foreign key has no `sim_` twin.",
    "When a table references a mirrored table (`sessions`, `wins`, …), its rows belong to "
    "what the simulator clones; without a `sim_` twin the simulator cannot hold them and "
    "persona runs miss that data. Tables that only reference `auth.users`, and internal "
    "tables such as `llm_usage`, need no twin.",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE\n);",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE\n);\n"
    "CREATE TABLE sim_goals (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sim_sessions(id) ON DELETE CASCADE\n);",
)
rule(
    "sim-references-prod-table",
    "error",
    "mirror",
    "A `sim_` table references a production table that has a `sim_` twin.",
    "Simulator rows must point at simulator rows: `sim_wins.session_id` referencing "
    "`sessions(id)` makes every cloned win fail its foreign key (the session was cloned into "
    "`sim_sessions`), or worse, ties simulator data to a real user's session.",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE\n);",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sim_sessions(id) ON DELETE CASCADE\n);",
)
rule(
    "sim-fk-to-auth-users",
    "error",
    "mirror",
    "A `sim_` table has a foreign key to `auth.users`.",
    "Simulated personas are not auth users: a `sim_` table keeps `user_id` as a bare "
    "`UUID NOT NULL`. A foreign key to `auth.users` makes every clone of a persona fail, and "
    "`ON DELETE CASCADE` would tie simulator data to real accounts.",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n"
    "  user_id UUID NOT NULL REFERENCES auth.users(id)\n);",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n  user_id UUID NOT NULL\n);",
)
rule(
    "sim-table-rls",
    "warning",
    "mirror",
    "Row level security enabled, or a policy created, on a `sim_` table.",
    "`sim_` tables are written and read only by the service role (the simulator and the "
    "admin app), which bypasses RLS. RLS there protects nothing and suggests the table is "
    "meant for end users; a policy keyed on `auth.uid()` never matches a persona.",
    "ALTER TABLE sim_wins ENABLE ROW LEVEL SECURITY;",
    "-- sim_ tables are service-role only: no RLS.",
)


def mirrored(schema: Schema, config: Config) -> Iterator[tuple[Table, Table]]:
    """(X, sim_X) pairs; internal, platform and `sim_` tables are never mirrored."""
    for (schema_name, name), table in schema.tables.items():
        if is_sim(table, config) or is_internal(table, config) or is_platform(table):
            continue
        twin = schema.tables.get((schema_name, config.mirror_prefix + name))
        if twin is not None:
            yield table, twin


# -- structure of the mirror ---------------------------------------------------------------
@check
def mirror_structure(workspace: Workspace, findings: Findings) -> None:
    config = workspace.config
    schema = workspace.replay.schema
    twins = {(t.schema, t.name): s for t, s in mirrored(schema, config)}
    for table in schema.tables.values():
        if is_platform(table):
            continue
        if is_sim(table, config):
            _check_twin(table, twins, findings)
        elif not is_internal(table, config) and (table.schema, table.name) not in twins:
            _check_missing(table, twins, config, findings)


def _check_twin(table: Table, twins: dict[Key, Table], findings: Findings) -> None:
    for fk in table.foreign_keys:
        if fk.location is None:
            continue
        target = (fk.ref_schema, fk.ref_table)
        if target == ("auth", "users"):
            findings.add(
                "sim-fk-to-auth-users",
                fk.location,
                f"`{table.name}` references `auth.users`: simulated personas are not auth "
                f"users; keep `{', '.join(fk.columns)}` a bare UUID without a foreign key",
                data={
                    "table": table.name,
                    "schema": table.schema,
                    "columns": fk.columns,
                    "constraint": fk.name,
                },
            )
        elif target in twins:
            twin = twins[target]
            where = anchor(twin)
            related = [Related(where, f"`{twin.name}` is defined here")] if where else []
            findings.add(
                "sim-references-prod-table",
                fk.location,
                f"`{table.name}` references `{fk.ref_table}`, a production table: reference "
                f"`{twin.name}({', '.join(fk.ref_columns)})` instead",
                related,
                {
                    "table": table.name,
                    "schema": table.schema,
                    "columns": fk.columns,
                    "references": fk.ref_table,
                    "sim_table": twin.name,
                    "ref_columns": fk.ref_columns,
                },
            )


def _check_missing(
    table: Table, twins: dict[Key, Table], config: Config, findings: Findings
) -> None:
    where = anchor(table)
    if where is None:
        return
    for fk in table.foreign_keys:
        target = (fk.ref_schema, fk.ref_table)
        if target in twins and target != (table.schema, table.name):
            twin = twins[target]
            related = (
                [Related(fk.location, f"references mirrored `{fk.ref_table}`")]
                if fk.location
                else []
            )
            findings.add(
                "sim-mirror-missing",
                where,
                f"`{table.name}` references `{fk.ref_table}`, which the simulator mirrors as "
                f"`{twin.name}`, but has no `{config.mirror_prefix}{table.name}` twin",
                related,
                {
                    "table": table.name,
                    "schema": table.schema,
                    "sim_table": config.mirror_prefix + table.name,
                    "references": fk.ref_table,
                },
            )
            return


@check
def sim_rls(workspace: Workspace, findings: Findings) -> None:
    config = workspace.config
    replayed = workspace.replay
    enables = event_locations(workspace, "enable-rls")
    for table in replayed.schema.tables.values():
        if not is_sim(table, config) or is_platform(table):
            continue
        where = last_touch(table, enables) or anchor(table)
        if table.rls_enabled and where is not None:
            findings.add(
                "sim-table-rls",
                where,
                f"`{table.name}` is a simulator table (service role only): row level "
                "security there protects nothing",
                data={
                    "table": table.name,
                    "schema": table.schema,
                    "kind": "enable-rls",
                    "statement": statement_span(workspace, where),
                },
            )
        for policy in table.policies:
            if policy.location is None:
                continue
            findings.add(
                "sim-table-rls",
                policy.location,
                f"Policy `{policy.name}` on simulator table `{table.name}`: `sim_` tables are "
                "service role only and have no policies",
                data={
                    "table": table.name,
                    "schema": table.schema,
                    "kind": "create-policy",
                    "policy": policy.name,
                    "statement": statement_span(workspace, policy.location),
                },
            )
