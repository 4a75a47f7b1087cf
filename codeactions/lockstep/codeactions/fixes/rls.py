"""Quick fixes for row level security: enable it, and give users their own rows.

The own-rows policies (read and insert where `(select auth.uid()) = user_id`, evaluated once
per query) are the workflow's default for user data; they are offered only when the table has
a `user_id` column, and a policy of the same name is never created twice.
"""

from __future__ import annotations

from lockstep.codeactions.edits import Applicability, Edit, quick_fix
from lockstep.codeactions.fixes.registry import fixes
from lockstep.codeactions.fixes.sql import (
    diagnostic_statement,
    insert_after,
    migration_doc,
    statement_at,
)
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.model import Table
from lockstep.core.rules.facts import event_locations, is_internal, is_sim, last_touch, sql_name
from lockstep.core.rules.payloads import RlsFinding
from lockstep.core.rules.registry.security import (
    POLICY_RLS_DISABLED,
    RLS_DISABLED,
    RLS_ENABLED_NO_POLICY,
)
from lockstep.core.workspace import Workspace

OWN_ROWS = (
    ("Users can read own rows", "FOR SELECT USING ((select auth.uid()) = user_id)"),
    ("Users can insert own rows", "FOR INSERT WITH CHECK ((select auth.uid()) = user_id)"),
)


def _table(workspace: Workspace, data: RlsFinding) -> tuple[str, Table | None]:
    """The table's SQL name and its final state."""
    key = (data.schema, data.table)
    return sql_name(key), workspace.replay.schema.tables.get(key)


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


@fixes(RLS_DISABLED)
def fix_rls_disabled(workspace: Workspace, diagnostic: Diagnostic, data: RlsFinding) -> list[Edit]:
    """Unsafe: the own-rows policies are the workflow's default, a guess for this table."""
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    if doc is None or statement is None:
        return []
    name, table = _table(workspace, data)
    config = workspace.config
    service_only = table is not None and (is_sim(table, config) or is_internal(table, config))
    policies = [] if service_only else own_rows_policies(name, table)
    title = "Enable row level security" + (" with own-rows policies on user_id" if policies else "")
    sql = "\n".join([_enable(name), *policies])
    return [quick_fix(diagnostic.code, title, (insert_after(doc, statement, sql),))]


@fixes(POLICY_RLS_DISABLED)
def fix_policy_rls_disabled(
    workspace: Workspace, diagnostic: Diagnostic, data: RlsFinding
) -> list[Edit]:
    """ENABLE right after the CREATE TABLE, where the workflow writes it; when a migration
    turned RLS off later (a DISABLE left from debugging), right after that DISABLE instead,
    since an ENABLE before it would change nothing. Safe: the policies say what was meant."""
    name, table = _table(workspace, data)
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
            applicability=Applicability.SAFE,
        )
    ]


@fixes(RLS_ENABLED_NO_POLICY)
def fix_rls_no_policy(workspace: Workspace, diagnostic: Diagnostic, data: RlsFinding) -> list[Edit]:
    """The own-rows policies after the statement that enabled RLS (where the rule points)."""
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    if doc is None or statement is None:
        return []
    policies = own_rows_policies(*_table(workspace, data))
    if not policies:
        return []
    return [
        quick_fix(
            diagnostic.code,
            "Add own-rows policies on user_id",
            (insert_after(doc, statement, "\n".join(policies)),),
        )
    ]
