"""Quick fixes for the migration-safety rules (`core/rules/registry/safety.py`).

Only `transaction-in-migration` has one: removing a `BEGIN … COMMIT` that wraps the whole
file leaves the file doing the same thing in the transaction the Supabase CLI already opens.
Any other shape (a COMMIT halfway, a ROLLBACK) changes what the file does when removed, so it
gets no automatic fix.
"""

from __future__ import annotations

from lockstep.codeactions.edits import Applicability, Edit, quick_fix
from lockstep.codeactions.fixes.registry import fixes
from lockstep.codeactions.fixes.sql import migration_doc, remove_statement
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.checks.safety import transaction_statements
from lockstep.core.rules.registry.safety import TRANSACTION_IN_MIGRATION
from lockstep.core.workspace import Workspace


@fixes(TRANSACTION_IN_MIGRATION)
def fix_transaction(workspace: Workspace, diagnostic: Diagnostic, _: None) -> list[Edit]:
    doc = migration_doc(workspace, diagnostic)
    if doc is None or doc.parsed.errors:
        return []
    found = transaction_statements(doc)
    statements = doc.parsed.statements
    kinds = [kind for _, kind in found]
    wraps = (len(found) == 2 and found[0][0] is statements[0] and found[1][0] is statements[-1]
             and kinds[0] in ("BEGIN", "START TRANSACTION") and kinds[1] == "COMMIT")
    if not wraps:
        return []
    # An older migration is probably applied already: editing it changes nothing there.
    newest = workspace.ordered_migrations()[-1].path == doc.path
    on_commit = doc.parsed.lines.offset(diagnostic.range.start) >= found[1][0].start
    title = ("Remove this COMMIT and the {} at the start" if on_commit
             else "Remove this {} and the COMMIT at the end").format(kinds[0])
    return [
        quick_fix(
            diagnostic.code,
            f"{title} (the Supabase CLI runs the file in a transaction)",
            [remove_statement(doc, statement) for statement, _ in found],
            applicability=Applicability.SAFE if newest else Applicability.UNSAFE,
        )
    ]
