"""Quick fixes for row level security: enable it, and give users their own rows.

The own-rows policies (read and insert where `auth.uid() = user_id`) are the workflow's
default for user data; they are offered only when the table has a `user_id` column, and a
policy of the same name is never created twice.
"""

from __future__ import annotations

from lockstep.codeactions.edits import Edit, quick_fix
from lockstep.codeactions.fixes.sql import (
    diagnostic_statement,
    insert_after,
    migration_doc,
    statement_at,
    table_sql_name,
)
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.model import Table
from lockstep.core.rules.checks.security import event_locations, last_touch
from lockstep.core.workspace import Workspace

OWN_ROWS = (
    ("Users can read own rows", "FOR SELECT USING (auth.uid() = user_id)"),
    ("Users can insert own rows", "FOR INSERT WITH CHECK (auth.uid() = user_id)"),
)


def _table(workspace: Workspace, diagnostic: Diagnostic) -> tuple[str, Table | None] | None:
    """The table's SQL name and its final state, from the diagnostic's data."""
    data = diagnostic.data or {}
    name = data.get("table")
    if not isinstance(name, str) or not name:
        return None
    schema = str(data.get("schema") or "public")
    return table_sql_name(data), workspace.replay.schema.tables.get((schema, name))


def own_rows_policies(name: str, table: Table | None) -> list[str]:
    """CREATE POLICY statements for the own-rows policies the table lacks (none without
    a `user_id` column)."""
    if table is None or "user_id" not in table.columns:
        return []
    existing = {p.name for p in table.policies}
    return [
        f'CREATE POLICY "{policy}" ON {name}\n  {clause};'
        for policy, clause in OWN_ROWS
        if policy not in existing
    ]


def _enable(name: str) -> str:
    return f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;"


def fix_rls_disabled(workspace: Workspace, diagnostic: Diagnostic) -> list[Edit]:
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    found = _table(workspace, diagnostic)
    if doc is None or statement is None or found is None:
        return []
    name, table = found
    policies = own_rows_policies(name, table)
    title = "Enable row level security" + (" with own-rows policies on user_id" if policies else "")
    sql = "\n".join([_enable(name), *policies])
    return [quick_fix(diagnostic.code, title, (insert_after(doc, statement, sql),))]


def fix_policy_rls_disabled(workspace: Workspace, diagnostic: Diagnostic) -> list[Edit]:
    """ENABLE right after the CREATE TABLE, where the workflow writes it; when a migration
    turned RLS off later (a DISABLE left from debugging), right after that DISABLE instead,
    since an ENABLE before it would change nothing."""
    found = _table(workspace, diagnostic)
    if found is None:
        return []
    name, table = found
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    disabled = last_touch(table, event_locations(workspace, "disable-rls")) if table else None
    if disabled is not None:
        doc = workspace.migrations.get(disabled.path)
        at = doc.parsed.lines.offset(disabled.range.start) if doc else 0
        statement = statement_at(doc, at) if doc else None
    if doc is None or statement is None:
        return []
    return [
        quick_fix(
            diagnostic.code,
            f"Enable row level security on {name}",
            (insert_after(doc, statement, _enable(name)),),
        )
    ]


def fix_rls_no_policy(workspace: Workspace, diagnostic: Diagnostic) -> list[Edit]:
    """The own-rows policies after the statement that enabled RLS (where the rule points)."""
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    found = _table(workspace, diagnostic)
    if doc is None or statement is None or found is None:
        return []
    policies = own_rows_policies(*found)
    if not policies:
        return []
    return [
        quick_fix(
            diagnostic.code,
            "Add own-rows policies on user_id",
            (insert_after(doc, statement, "\n".join(policies)),),
        )
    ]


RLS_FIXES = {
    "rls-disabled": fix_rls_disabled,
    "policy-rls-disabled": fix_policy_rls_disabled,
    "rls-enabled-no-policy": fix_rls_no_policy,
}
