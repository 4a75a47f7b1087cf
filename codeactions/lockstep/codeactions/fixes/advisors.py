"""Quick fixes for Supabase's advisors: wrap per-row auth calls in `(select …)`, pin a
function's search_path, and close a table that exposes sensitive columns."""

from __future__ import annotations

from lockstep.codeactions.edits import Applicability, Edit, TextEdit, insert, quick_fix, replace
from lockstep.codeactions.fixes.registry import fixes
from lockstep.codeactions.fixes.sql import diagnostic_statement, insert_after, migration_doc
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.facts import is_internal, is_sim, sql_name
from lockstep.core.rules.payloads import AdvisorFinding
from lockstep.core.rules.registry.advisors import (
    AUTH_RLS_INITPLAN,
    FUNCTION_SEARCH_PATH_MUTABLE,
    SENSITIVE_COLUMNS_EXPOSED,
)
from lockstep.core.workspace import Workspace


@fixes(AUTH_RLS_INITPLAN)
def fix_initplan(workspace: Workspace, diagnostic: Diagnostic, data: AdvisorFinding) -> list[Edit]:
    """Safe: the wrapped call has the same value (these functions are stable within a
    statement); PostgreSQL just computes it once."""
    doc = migration_doc(workspace, diagnostic)
    table = workspace.replay.schema.tables.get((data.schema, data.table))
    policy = next((p for p in table.policies if p.name == data.policy), None) if table else None
    if doc is None or policy is None or policy.facts is None:
        return []
    edits: list[TextEdit] = []
    for call in policy.facts.per_row_calls:
        if call.path != doc.path or call.range.start == call.range.end:
            continue
        start = doc.parsed.lines.offset(call.range.start)
        end = doc.parsed.lines.offset(call.range.end)
        text = doc.text[start:end]
        edits.append(replace(doc.path, doc.parsed.lines, start, end, f"(select {text})"))
    if not edits:
        return []
    return [quick_fix(diagnostic.code, "Wrap the auth calls in (select …)", edits,
                      applicability=Applicability.SAFE)]


@fixes(FUNCTION_SEARCH_PATH_MUTABLE)
def fix_search_path(
    workspace: Workspace, diagnostic: Diagnostic, data: AdvisorFinding
) -> list[Edit]:
    """`SET search_path = ''` before the body's AS. Unsafe: unqualified names in the body
    (`goals`, `now()` is fine) must then be written `public.goals`."""
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    if doc is None or statement is None:
        return []
    depth = 0
    for token in statement.tokens:
        if token.name == "ASCII_40":
            depth += 1
        elif token.name == "ASCII_41":
            depth -= 1
        elif token.name == "AS" and depth == 0:
            at = statement.start + token.start
            edit = insert(doc.path, doc.parsed.lines, at, "SET search_path = '' ")
            return [quick_fix(diagnostic.code, "Pin the search_path: SET search_path = ''",
                              (edit,))]
    return []


@fixes(SENSITIVE_COLUMNS_EXPOSED)
def fix_sensitive(
    workspace: Workspace, diagnostic: Diagnostic, data: AdvisorFinding
) -> list[Edit]:
    """After the CREATE TABLE: a service-role-only table (`sim_`, internal) loses the API
    roles' grants; any other table gets RLS (its policies are the author's to write)."""
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    table = workspace.replay.schema.tables.get((data.schema, data.table))
    if doc is None or statement is None or table is None:
        return []
    name = sql_name(table)
    config = workspace.config
    if is_sim(table, config) or is_internal(table, config):
        title, sql = "Service role only: revoke anon and authenticated", (
            f"REVOKE ALL ON {name} FROM anon, authenticated;")
    else:
        title, sql = "Enable row level security", f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;"
    return [quick_fix(diagnostic.code, title, (insert_after(doc, statement, sql),))]
