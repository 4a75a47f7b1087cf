"""`generated-types-stale`: a committed `supabase gen types` file the migrations have moved past.

It compares
declarations, not bytes (core/gen/declarations.py): a file run through prettier, or printed
by an older generator, is judged by what it declares.
"""

from __future__ import annotations

from lockstep.core.analysis import MIGRATIONS, TYPES
from lockstep.core.gen.eras import types_era
from lockstep.core.gen.stale import Staleness, staleness
from lockstep.core.model import Location
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.payloads import StaleGeneratedTypes
from lockstep.core.rules.registry.types import GENERATED_TYPES_STALE
from lockstep.core.workspace import Workspace

SHOWN = 3


def cached_staleness(workspace: Workspace, path: str, text: str) -> Staleness | None:
    """The file's staleness (None: not a whole `supabase gen types` output), memoised until a
    migration or a types file changes: an edit elsewhere re-runs every rule, and regenerating
    a large schema for an unchanged pair is wasted work."""
    def compute() -> Staleness | None:
        era = types_era(workspace.read, text)
        # Kept on disk too (0.4 s of a warm `check` on 97 migrations): keyed by all it reads.
        boxed = workspace.cached_derived(  # boxed: None (not a generated file) is kept too
            ("staleness", path, text, era.name, workspace.replayed_digest()),
            lambda: (staleness(workspace.replay.schema, path, text, era),), tuple)
        found: Staleness | None = boxed[0]
        return found

    return workspace.derived.get(("staleness", path), frozenset({MIGRATIONS, TYPES}), compute)


@check(GENERATED_TYPES_STALE)
def generated_types(workspace: Workspace, findings: Findings) -> None:
    if not workspace.migrations:
        return
    for path, types_file in sorted(workspace.types_files.items()):
        text = workspace.ts_texts.get(path)
        if types_file.database is None or text is None:
            continue
        found = cached_staleness(workspace, path, text)
        if found is None or not found.differences:
            continue
        shown = "; ".join(found.differences[:SHOWN])
        more = len(found.differences) - SHOWN
        tail = f" (and {more} more)" if more > 0 else ""
        findings.add(
            GENERATED_TYPES_STALE, Location(path, found.committed.name_range),
            f"Generated types are stale: {shown}{tail}. " + (
                "Regenerate them from the database (`supabase gen types typescript`): the "
                "migrations do not create every table, so Lockstep cannot" if found.partial
                else "Regenerate them (`lockstep-lsp gen types`)"),
            data=StaleGeneratedTypes(found.schemas, found.committed.postgrest_version),
        )
