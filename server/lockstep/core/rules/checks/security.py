"""Security and performance rules: Supabase's splinter lints, judged on the replayed schema.

Only tables that exist after the last migration are judged, and never tables in Supabase's
own schemas (`auth`, `storage`, …). RLS rules look at the exposed schemas only (the ones
PostgREST serves); `sim_` tables and internal tables are service-role only by design.
"""

from __future__ import annotations

from pglast import ast
from pglast.stream import maybe_double_quote_name

from lockstep.core.config import Config
from lockstep.core.diagnostics import Related
from lockstep.core.model import ForeignKey, Key, Location, Table
from lockstep.core.replay.context import PLATFORM_SCHEMAS
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.registry import rule
from lockstep.core.workspace import Workspace

rule(
    "rls-disabled",
    "error",
    "security",
    "A table in an exposed schema without row level security.",
    "Tables in `public` are served by the Data API to anyone holding the anon key, which "
    "ships in every browser bundle. Without RLS every row can be read and written by anyone. "
    "Internal tables written only by the service role (`llm_usage`) can be listed in "
    "`internal_tables`; `sim_` tables are exempt by design.",
    "CREATE TABLE goals (id UUID PRIMARY KEY, user_id UUID NOT NULL);",
    "CREATE TABLE goals (id UUID PRIMARY KEY, user_id UUID NOT NULL);\n"
    "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n"
    'CREATE POLICY "Users can read own rows" ON goals\n'
    "  FOR SELECT USING (auth.uid() = user_id);",
)
rule(
    "rls-enabled-no-policy",
    "information",
    "security",
    "Row level security is on but the table has no policy.",
    "With RLS on and no policy, the Data API returns no rows and rejects every write for "
    "users; only the service role gets through. That is sometimes the intent (a table only "
    "the server touches), so this is information, not a warning: add the policies users "
    "need, or say so in a comment and suppress it.",
    "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;",
    "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n"
    'CREATE POLICY "Users can read own rows" ON goals\n'
    "  FOR SELECT USING (auth.uid() = user_id);",
)
rule(
    "policy-rls-disabled",
    "error",
    "security",
    "A table has policies but row level security is off.",
    "Policies do nothing until RLS is enabled on the table: the author meant to restrict "
    "access, yet every row is open to anyone with the anon key. Usually a forgotten "
    "`ENABLE ROW LEVEL SECURITY`, or a `DISABLE` left over from debugging.",
    'CREATE POLICY "Users can read own rows" ON goals\n  FOR SELECT USING (auth.uid() = user_id);',
    "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n"
    'CREATE POLICY "Users can read own rows" ON goals\n'
    "  FOR SELECT USING (auth.uid() = user_id);",
)
rule(
    "unindexed-foreign-key",
    "warning",
    "performance",
    "A foreign key whose columns are not the leading columns of any index.",
    "PostgreSQL indexes the referenced side of a foreign key, never the referencing side. "
    "Without an index, every delete or key update on the referenced table scans the whole "
    "referencing table (and so does a join or filter on the column). A primary key or "
    "unique constraint that starts with the columns counts as an index.",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  user_id UUID REFERENCES auth.users(id) ON DELETE CASCADE\n);",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  user_id UUID REFERENCES auth.users(id) ON DELETE CASCADE\n);\n"
    "CREATE INDEX idx_goals_user_id ON goals(user_id);",
)
rule(
    "foreign-key-missing-on-delete",
    "warning",
    "performance",
    "A foreign key that does not say what happens when the referenced row is deleted.",
    "The default, `NO ACTION`, makes deleting the referenced row fail while rows point at "
    "it: deleting an account or a session errors out far from the migration that caused it. "
    "Say `ON DELETE CASCADE`, `SET NULL` or `RESTRICT` so the choice is deliberate.",
    "user_id UUID NOT NULL REFERENCES auth.users(id)",
    "user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE",
)
rule(
    "missing-primary-key",
    "warning",
    "performance",
    "A table without a primary key.",
    "Rows without a key cannot be updated or deleted one at a time reliably (supabase-js "
    "`.update().eq('id', …)`, the dashboard's table editor), logical replication and "
    "Realtime need one, and duplicates creep in unnoticed.",
    "CREATE TABLE goals (id UUID DEFAULT gen_random_uuid(), title TEXT);",
    "CREATE TABLE goals (id UUID DEFAULT gen_random_uuid() PRIMARY KEY, title TEXT);",
)


# -- helpers, shared with the mirror rules ------------------------------------------------------
def is_sim(table: Table | Key, config: Config) -> bool:
    name = table.name if isinstance(table, Table) else table[1]
    return name.startswith(config.mirror_prefix)


def is_internal(table: Table, config: Config) -> bool:
    return table.name in config.internal_tables or table.qualified_name in config.internal_tables


def is_platform(table: Table) -> bool:
    return table.schema in PLATFORM_SCHEMAS


def anchor(table: Table) -> Location | None:
    """The table's name in its CREATE TABLE (or the statement when the name is unknown)."""
    return table.name_location or table.location


def sql_name(table: Table | Key) -> str:
    schema, name = (table.schema, table.name) if isinstance(table, Table) else table
    quoted = maybe_double_quote_name(name)
    return quoted if schema == "public" else f"{maybe_double_quote_name(schema)}.{quoted}"


def statement_span(workspace: Workspace, location: Location) -> list[int] | None:
    """[start, end) character offsets of the statement holding `location`, for quick fixes."""
    doc = workspace.migrations.get(location.path)
    if doc is None:
        return None
    offset = doc.parsed.lines.offset(location.range.start)
    for statement in doc.parsed.statements:
        if statement.start <= offset <= statement.end:
            return [statement.start, statement.end]
    return None


def event_locations(workspace: Workspace, kind: str) -> set[Location]:
    return {
        e.location for events in workspace.replay.events.values() for e in events if e.kind == kind
    }


def last_touch(table: Table, wanted: set[Location]) -> Location | None:
    """The table's last statement among `wanted` (history follows renames; event keys do not)."""
    touches = [t.location for t in table.history if t.location in wanted]
    return touches[-1] if touches else None


def _tables(workspace: Workspace) -> list[tuple[Key, Table]]:
    """Tables of the final schema that these rules judge (never Supabase's own schemas)."""
    return [(k, t) for k, t in workspace.replay.schema.tables.items() if not is_platform(t)]


def _exposed(workspace: Workspace, table: Table) -> bool:
    config = workspace.config
    return (
        table.schema in config.exposed_schemas
        and not is_sim(table, config)
        and not is_internal(table, config)
    )


@check
def row_level_security(workspace: Workspace, findings: Findings) -> None:
    config = workspace.config
    enables = event_locations(workspace, "enable-rls")
    for _, table in _tables(workspace):
        where = anchor(table)
        base = {"table": table.name, "schema": table.schema}
        if table.policies and not table.rls_enabled and not is_sim(table, config):
            policies = [
                Related(p.location, f"policy `{p.name}`")
                for p in table.policies
                if p.location is not None
            ]
            if where is not None:
                fix = f"ALTER TABLE {sql_name(table)} ENABLE ROW LEVEL SECURITY;"
                findings.add(
                    "policy-rls-disabled",
                    where,
                    f"`{table.name}` has {len(table.policies)} "
                    f"{'policy' if len(table.policies) == 1 else 'policies'} but row level "
                    f"security is off, so they protect nothing: add `{fix}`",
                    policies,
                    {**base, "fix": fix},
                )
            continue
        if not _exposed(workspace, table):
            continue
        if not table.rls_enabled and where is not None:
            fix = f"ALTER TABLE {sql_name(table)} ENABLE ROW LEVEL SECURITY;"
            findings.add(
                "rls-disabled",
                where,
                f"`{table.name}` is in the exposed schema `{table.schema}` without row level "
                f"security: anyone with the anon key can read and write it. Add `{fix}` and "
                "policies (or list it in `internal_tables` if only the service role uses it)",
                data={**base, "fix": fix, "statement": statement_span(workspace, where)},
            )
        elif table.rls_enabled and not table.policies:
            at = last_touch(table, enables) or where
            if at is not None:
                findings.add(
                    "rls-enabled-no-policy",
                    at,
                    f"`{table.name}` has row level security on but no policy: users can "
                    "neither read nor write it through the Data API (only the service role can)",
                    data={**base, "statement": statement_span(workspace, at)},
                )


def _covered(table: Table, fk: ForeignKey) -> bool:
    """Whether some index (or the primary key) starts with exactly the FK's columns."""
    wanted = set(fk.columns)
    leads = [table.primary_key, *(index.columns for index in table.indexes)]
    return any(
        len(lead) >= len(fk.columns) and set(lead[: len(fk.columns)]) == wanted for lead in leads
    )


def _fk_data(table: Table, fk: ForeignKey) -> dict[str, object]:
    return {
        "table": table.name,
        "schema": table.schema,
        "columns": fk.columns,
        "references": f"{fk.ref_schema}.{fk.ref_table}",
        "ref_columns": fk.ref_columns,
        "constraint": fk.name,
    }


@check
def foreign_keys(workspace: Workspace, findings: Findings) -> None:
    for _, table in _tables(workspace):
        for fk in table.foreign_keys:
            if fk.location is None:
                continue
            columns = ", ".join(fk.columns)
            target = (
                fk.ref_table if fk.ref_schema == "public" else f"{fk.ref_schema}.{fk.ref_table}"
            )
            if fk.on_delete is None:
                findings.add(
                    "foreign-key-missing-on-delete",
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
                    "unindexed-foreign-key",
                    fk.location,
                    f"`{table.name}.{columns}` references `{target}` but no index starts with "
                    f"it: deletes on `{fk.ref_table}` and joins scan all of `{table.name}`. "
                    f"Add `{fix}`",
                    data={**_fk_data(table, fk), "fix": fix},
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
        s.start == span[0] and isinstance(s.node, ast.CreateStmt) and s.node.partbound is not None
        for s in doc.parsed.statements
    )


@check
def primary_keys(workspace: Workspace, findings: Findings) -> None:
    for _, table in _tables(workspace):
        where = anchor(table)
        if table.primary_key or where is None or _is_partition(workspace, table):
            continue
        findings.add(
            "missing-primary-key",
            where,
            f"`{table.name}` has no primary key: rows cannot be addressed one at a time "
            "(updates, deletes, Realtime, replication)",
            data={"table": table.name, "schema": table.schema},
        )
