"""After a rename, the generated types file is regenerated rather than edited field by field.

The schema the rename leaves behind is the replay of the migrations plus the new one; the file
becomes what `supabase gen types` prints for it (in the project's generator era), as one
whole-file edit. Only when that is the same file in spirit: it is generated, up to date before
the rename (so the edit holds the rename and nothing else), every migration parses, and the
migrations create every table it describes. Otherwise the rename edits its fields.
"""

from __future__ import annotations

from lockstep.codeactions.edits import TextEdit
from lockstep.codeactions.fixes.generated import schema_complete
from lockstep.codeactions.migration.new import NewMigration
from lockstep.core.gen.eras import types_era
from lockstep.core.gen.stale import staleness
from lockstep.core.model import Schema
from lockstep.core.replay.engine import replay
from lockstep.core.sql.parse import parse_migration_sql
from lockstep.core.text import LineIndex
from lockstep.core.workspace import Workspace


def _renamed_schema(workspace: Workspace, migration: NewMigration) -> Schema:
    files = [*workspace.replayed_files(),
             (migration.path, parse_migration_sql(migration.content))]
    databases = [f.database for f in workspace.types_files.values() if f.database is not None]
    return replay(files, databases=databases).schema


def regenerated_after(workspace: Workspace, migration: NewMigration,
                      touched: set[str]) -> list[TextEdit]:
    """A whole-file edit for each generated types file in `touched` that can be
    regenerated; the files left out keep their field edits."""
    candidates = sorted(p for p in touched if p in workspace.types_files
                        and workspace.types_files[p].database is not None)
    if not candidates or not schema_complete(workspace):
        return []
    renamed: Schema | None = None
    edits: list[TextEdit] = []
    for path in candidates:
        text = workspace.ts_texts.get(path) or workspace.read(path)
        if text is None:
            continue
        era = types_era(workspace.read, text)
        before = staleness(workspace.replay.schema, path, text, era)
        if before is None or before.partial or before.differences or \
                before.schemas != before.committed.schemas:
            continue
        renamed = renamed or _renamed_schema(workspace, migration)
        after = staleness(renamed, path, text, era)
        if after is None or after.partial or after.fresh_text == text:
            continue
        edits.append(TextEdit(path, LineIndex(text).range(0, len(text)), after.fresh_text))
    return edits
