"""Security and performance rules: Supabase's splinter lints, judged on the replayed schema.

Only tables that exist after the last migration are judged, and never tables in Supabase's
own schemas (`auth`, `storage`, …). RLS rules look at the exposed schemas only (the ones
PostgREST serves); `sim_` tables and internal tables are service-role only by design.
"""

from __future__ import annotations

from lockstep.core.diagnostics import Related
from lockstep.core.discovery import TONEY, conventions
from lockstep.core.model import ForeignKey, Key, Table
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.facts import (
    anchor,
    event_locations,
    is_internal,
    is_platform,
    is_sim,
    last_touch,
    sql_name,
    statement_span,
)
from lockstep.core.rules.payloads import ForeignKeyFinding, RlsFinding, TableRef
from lockstep.core.rules.registry.security import (
    FOREIGN_KEY_MISSING_ON_DELETE,
    MISSING_PRIMARY_KEY,
    POLICY_RLS_DISABLED,
    RLS_DISABLED,
    RLS_ENABLED_NO_POLICY,
    UNINDEXED_FOREIGN_KEY,
)
from lockstep.core.sql import ir
from lockstep.core.workspace import Workspace


def _tables(workspace: Workspace) -> list[tuple[Key, Table]]:
    """Tables of the final schema that these rules judge (never Supabase's own schemas)."""
    return [(k, t) for k, t in workspace.schema.tables.items() if not is_platform(t)]


def _exposed(workspace: Workspace, table: Table) -> bool:
    config = workspace.config
    return (
        table.schema in config.exposed_schemas
        and not is_sim(table, config)
        and not is_internal(table, config)
    )


def _reachable(workspace: Workspace, table: Table) -> bool:
    """The Data API serves it and anon or authenticated hold SELECT on it (Supabase's default
    grants, minus any REVOKE): what splinter asks PostgreSQL."""
    readers = workspace.schema.readers.get((table.schema, table.name), set())
    return table.schema in workspace.config.exposed_schemas and bool(
        readers & {"anon", "authenticated", "public"})


@check(POLICY_RLS_DISABLED, RLS_DISABLED, RLS_ENABLED_NO_POLICY)
def row_level_security(workspace: Workspace, findings: Findings) -> None:
    config = workspace.config
    enables = event_locations(workspace, "enable-rls")
    for _, table in _tables(workspace):
        where = anchor(table)
        if table.policies and not table.rls_enabled and not is_sim(table, config):
            policies = [
                Related(p.location, f"policy `{p.name}`")
                for p in table.policies
                if p.location is not None
            ]
            if where is not None:
                fix = f"ALTER TABLE {sql_name(table)} ENABLE ROW LEVEL SECURITY;"
                findings.add(
                    POLICY_RLS_DISABLED,
                    where,
                    f"`{table.name}` has {len(table.policies)} "
                    f"{'policy' if len(table.policies) == 1 else 'policies'} but row level "
                    f"security is off, so they protect nothing: add `{fix}`",
                    policies,
                    RlsFinding(table.name, table.schema, fix),
                )
            continue
        if not table.rls_enabled and where is not None and _reachable(workspace, table):
            fix = f"ALTER TABLE {sql_name(table)} ENABLE ROW LEVEL SECURITY;"
            if _exposed(workspace, table):
                message = (f"`{table.name}` is in the exposed schema `{table.schema}` without "
                           "row level security: anyone with the anon key can read and write "
                           f"it. Add `{fix}` and policies")
            else:
                message = (f"`{table.name}` is meant for the service role only, but Supabase "
                           "grants anon and authenticated every privilege on new tables in "
                           f"`{table.schema}`: anyone with the anon key can read and write it. "
                           f"Add `{fix}` with no policy (the service role bypasses RLS), or "
                           f"`REVOKE ALL ON {sql_name(table)} FROM anon, authenticated;`")
            findings.add(
                RLS_DISABLED, where, message,
                data=RlsFinding(table.name, table.schema, fix, statement_span(workspace, where)),
            )
        elif not _exposed(workspace, table):
            continue
        elif table.rls_enabled and not table.policies:
            at = last_touch(table, enables) or where
            if at is not None:
                findings.add(
                    RLS_ENABLED_NO_POLICY,
                    at,
                    f"`{table.name}` has row level security on but no policy: users can "
                    "neither read nor write it through the Data API (only the service role can)",
                    data=RlsFinding(table.name, table.schema,
                                    statement=statement_span(workspace, at)),
                )


def _covered(table: Table, fk: ForeignKey) -> bool:
    """Whether some index (or the primary key) starts with exactly the FK's columns."""
    wanted = set(fk.columns)
    leads = [table.primary_key, *(index.columns for index in table.indexes)]
    return any(
        len(lead) >= len(fk.columns) and set(lead[: len(fk.columns)]) == wanted for lead in leads
    )


def _fk_data(table: Table, fk: ForeignKey, fix: str | None = None) -> ForeignKeyFinding:
    return ForeignKeyFinding(table.name, table.schema, list(fk.columns),
                             f"{fk.ref_schema}.{fk.ref_table}", list(fk.ref_columns), fk.name, fix)


# Schemas whose rows Supabase deletes (a user removed in the dashboard or the Auth API, an
# object removed through Storage): there a silent NO ACTION surfaces as a platform error. Other
# references are often left NO ACTION on purpose; Toney's convention asks for every one.
_PLATFORM_DELETES = frozenset({"auth", "storage"})


@check(FOREIGN_KEY_MISSING_ON_DELETE, UNINDEXED_FOREIGN_KEY)
def foreign_keys(workspace: Workspace, findings: Findings) -> None:
    every = TONEY in conventions(workspace)
    for _, table in _tables(workspace):
        for fk in table.foreign_keys:
            if fk.location is None:
                continue
            columns = ", ".join(fk.columns)
            target = (
                fk.ref_table if fk.ref_schema == "public" else f"{fk.ref_schema}.{fk.ref_table}"
            )
            if fk.on_delete is None and (every or fk.ref_schema in _PLATFORM_DELETES):
                findings.add(
                    FOREIGN_KEY_MISSING_ON_DELETE,
                    fk.location,
                    f"`{table.name}.{columns}` references `{target}` without ON DELETE, so "
                    f"deleting a referenced row of `{fk.ref_table}` fails (NO ACTION): say "
                    "CASCADE, SET NULL or RESTRICT",
                    data=_fk_data(table, fk),
                )
            if not _covered(table, fk):
                name = "_".join(fk.columns)
                fix = f"CREATE INDEX idx_{table.name}_{name} ON {sql_name(table)}({columns});"
                findings.add(
                    UNINDEXED_FOREIGN_KEY,
                    fk.location,
                    f"`{table.name}.{columns}` references `{target}` but no index starts with "
                    f"it: deletes on `{fk.ref_table}` and joins scan all of `{table.name}`. "
                    f"Add `{fix}`",
                    data=_fk_data(table, fk, fix),
                )


def _is_partition(workspace: Workspace, table: Table) -> bool:
    """`CREATE TABLE … PARTITION OF parent`: it gets the parent's primary key in PostgreSQL."""
    if table.location is None:
        return False
    span = statement_span(workspace, table.location)
    doc = workspace.migrations.get(table.location.path)
    if span is None or doc is None:
        return False
    return any(
        s.start == span[0] and isinstance(s.ir, ir.CreateTable) and s.ir.partition_of is not None
        for s in doc.parsed.statements
    )


@check(MISSING_PRIMARY_KEY)
def primary_keys(workspace: Workspace, findings: Findings) -> None:
    for _, table in _tables(workspace):
        where = anchor(table)
        if table.primary_key or where is None or _is_partition(workspace, table):
            continue
        findings.add(
            MISSING_PRIMARY_KEY,
            where,
            f"`{table.name}` has no primary key: rows cannot be addressed one at a time "
            "(updates, deletes, Realtime, replication)",
            data=TableRef(table.name, table.schema),
        )
