"""`generated-types-stale` → "Regenerate": the whole file, as `lockstep-lsp gen types` writes it."""

from __future__ import annotations

from lockstep.codeactions.edits import Edit, TextEdit, quick_fix
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.gen.stale import staleness
from lockstep.core.text import LineIndex
from lockstep.core.workspace import Workspace


def regenerate_edit(workspace: Workspace, path: str) -> TextEdit | None:
    """Replace the whole file with the fresh one; None when it is fresh, not a generated file,
    or holds schemas Lockstep cannot write (auth, storage …: they would be lost)."""
    text = workspace.ts_texts.get(path)
    if text is None:
        text = workspace.read(path)
    if text is None:
        return None
    found = staleness(workspace.replay.schema, path, text)
    if found is None or found.schemas != found.committed.schemas or found.fresh_text == text:
        return None
    lines = LineIndex(text)
    return TextEdit(path, lines.range(0, len(text)), found.fresh_text)


def fix_generated_types(workspace: Workspace, diagnostic: Diagnostic) -> list[Edit]:
    edit = regenerate_edit(workspace, diagnostic.path)
    return [] if edit is None else [quick_fix(diagnostic.code, "Regenerate", (edit,))]


GENERATED_FIXES = {"generated-types-stale": fix_generated_types}
