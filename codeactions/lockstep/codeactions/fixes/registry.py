"""Quick fixes by diagnostic code: `fixes_for(workspace, diagnostic)` → edits (plain data).

Builders live in `fixes_sql` (mirror, foreign keys, header), `fixes_rls` (row level
security), `fixes_names` (misspelt names in migrations), `fixes_files` (renumbering, config
keys), `fixes_clone` (the clone route) and `fixes_ts` (row types and consumers); a builder
that cannot fix a particular instance returns no edit rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable

from lockstep.codeactions.edits import Edit
from lockstep.codeactions.fixes.clone import CLONE_FIXES
from lockstep.codeactions.fixes.files import FILE_FIXES
from lockstep.codeactions.fixes.generated import GENERATED_FIXES
from lockstep.codeactions.fixes.names import NAME_FIXES
from lockstep.codeactions.fixes.rls import RLS_FIXES
from lockstep.codeactions.fixes.sql import SQL_FIXES
from lockstep.codeactions.fixes.ts import TS_FIXES
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.workspace import Workspace

Builder = Callable[[Workspace, Diagnostic], list[Edit]]
FIXES: dict[str, Builder] = {
    **SQL_FIXES,
    **RLS_FIXES,
    **NAME_FIXES,
    **FILE_FIXES,
    **CLONE_FIXES,
    **TS_FIXES,
    **GENERATED_FIXES,
}


def fixes_for(workspace: Workspace, diagnostic: Diagnostic) -> list[Edit]:
    """Every fix for one diagnostic; never raises (a failing builder offers nothing)."""
    builder = FIXES.get(diagnostic.code)
    if builder is None:
        return []
    try:
        return builder(workspace, diagnostic)
    except (AttributeError, IndexError, KeyError, LookupError, TypeError, ValueError):
        return []
