"""`generated-types-stale` → "Regenerate": the whole file, as `lockstep-lsp gen types` writes it."""

from __future__ import annotations

from lockstep.codeactions.edits import Applicability, Edit, TextEdit, quick_fix
from lockstep.codeactions.fixes.registry import fixes
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.gen.eras import types_era
from lockstep.core.gen.stale import staleness
from lockstep.core.rules.payloads import StaleGeneratedTypes
from lockstep.core.rules.registry.types import GENERATED_TYPES_STALE
from lockstep.core.text import LineIndex
from lockstep.core.workspace import Workspace


def regenerate_edit(workspace: Workspace, path: str) -> TextEdit | None:
    """Replace the whole file with the fresh one; None when it is fresh, not a generated file,
    or holds schemas Lockstep cannot write (auth, storage …: they would be lost), or the
    migrations do not create every table (those would be lost)."""
    text = workspace.ts_texts.get(path)
    if text is None:
        text = workspace.read(path)
    if text is None:
        return None
    found = staleness(workspace.replay.schema, path, text, types_era(workspace.read, text))
    if found is None or found.partial or found.schemas != found.committed.schemas or \
            found.fresh_text == text:
        return None
    lines = LineIndex(text)
    return TextEdit(path, lines.range(0, len(text)), found.fresh_text)


def schema_complete(workspace: Workspace) -> bool:
    """Every migration parsed: a file that does not would lose its tables from the types."""
    return all(not (doc.parsed.errors or doc.too_large or doc.decode_problem)
               for doc in workspace.migrations.values())


def regenerated_types(workspace: Workspace) -> list[TextEdit]:
    """Every stale generated types file, regenerated as a whole (none while a migration
    does not parse)."""
    if not workspace.migrations or not schema_complete(workspace):
        return []
    edits = []
    for path, types_file in sorted(workspace.types_files.items()):
        if types_file.database is not None:
            edit = regenerate_edit(workspace, path)
            if edit is not None:
                edits.append(edit)
    return edits


@fixes(GENERATED_TYPES_STALE)
def fix_generated_types(
    workspace: Workspace, diagnostic: Diagnostic, data: StaleGeneratedTypes
) -> list[Edit]:
    edit = regenerate_edit(workspace, diagnostic.path)
    if edit is None:
        return []
    return [quick_fix(diagnostic.code, "Regenerate", (edit,), applicability=Applicability.SAFE)]
