"""Rename a table or column in lockstep: one edit for the migration, mirror, types and code.

The plan (`lockstep.core.ide.rename`) lists every place; this turns it into plain edits: a new
migration (next version, `ALTER TABLE … RENAME …` plus its `sim_` mirror, never an edit to an
applied migration) and one text edit per place. Select items keep PostgREST semantics: a bare
`old` becomes `new` (the result key follows the column) or `old:new` when result keys are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lockstep.codeactions.edits import CreateFile, Edit, TextEdit
from lockstep.codeactions.migration.new import (
    NewMigration,
    header,
    migration_folder,
    next_migration_name,
    plan_new_migration,
)
from lockstep.codeactions.refactor.objects import MIRROR_HEADER, object_renames
from lockstep.codeactions.refactor.regenerate import regenerated_after
from lockstep.core.ide.rename import Occurrence, RenamePlan
from lockstep.core.model import Key
from lockstep.core.sql.types import quote_ident
from lockstep.core.text import LineIndex
from lockstep.core.workspace import Workspace


@dataclass(frozen=True, slots=True)
class RenameEdit:
    edit: Edit
    migration: NewMigration


def rename_sql(plan: RenamePlan, table: Key | None = None, new_name: str | None = None) -> str:
    """The prod statement (or, given `table`, the twin's); the mirror generator adds the
    twin's when object names are left alone."""
    schema, name = table or plan.subject.table
    new = quote_ident(new_name or plan.new_name)
    qualified = quote_ident(name)
    if schema != "public":
        qualified = f"{quote_ident(schema)}.{qualified}"
    if plan.subject.column is None:
        return f"ALTER TABLE {qualified} RENAME TO {new};\n"
    return f"ALTER TABLE {qualified} RENAME COLUMN {quote_ident(plan.subject.column)} TO {new};\n"


def _with_objects(workspace: Workspace, plan: RenamePlan, table: Key, new_name: str) -> str:
    """One table's rename and the renames of the index, constraint and policy names that
    embed the old name."""
    current = workspace.replay.schema.tables[table]
    renamed_table = new_name if plan.subject.column is None else table[1]
    old = plan.subject.column or table[1]
    return rename_sql(plan, table, new_name) + object_renames(
        workspace.replay.schema, current, renamed_table, old, new_name
    )


def description(plan: RenamePlan) -> str:
    return f"rename {plan.subject.label} to {plan.new_name}"


def _new_text(plan: RenamePlan, occurrence: Occurrence, old_text: str, keep_keys: bool) -> str:
    new = plan.twin_new_name if occurrence.twin and plan.twin_new_name else plan.new_name
    if occurrence.role == "type-name":
        return plan.new_type_name or old_text
    if occurrence.role in ("select", "embed") and keep_keys:
        return f"{old_text}:{new}"
    if occurrence.role == "shorthand":
        return f"{new}: {old_text}"
    if old_text[:1] in ("'", '"') and old_text[-1:] == old_text[:1]:
        return old_text[0] + new + old_text[0]  # a quoted key in the generated types
    prefix, dot, _ = old_text.rpartition(".")
    return f"{prefix}{dot}{new}"  # `public.wins` keeps its schema


def text_edits(
    workspace: Workspace, plan: RenamePlan, keep_result_keys: bool = False
) -> list[TextEdit]:
    edits: list[TextEdit] = []
    texts: dict[str, tuple[str, LineIndex]] = {}
    for occurrence in plan.occurrences:
        if occurrence.path not in texts:
            text = workspace.ts_texts.get(occurrence.path) or workspace.read(occurrence.path)
            texts[occurrence.path] = (text or "", LineIndex(text or ""))
        text, lines = texts[occurrence.path]
        start, end = lines.offset(occurrence.range.start), lines.offset(occurrence.range.end)
        new = _new_text(plan, occurrence, text[start:end], keep_result_keys)
        edits.append(TextEdit(occurrence.path, occurrence.range, new))
    return edits


def _migration(
    workspace: Workspace, plan: RenamePlan, now: datetime | None, objects: bool
) -> NewMigration:
    """The next migration. Its mirror comes from the mirror generator, except when the twin
    lacks the column (a mirrored RENAME would fail) or object names are renamed too (each
    table's statements are then written from what that table has)."""
    what, sql = description(plan), rename_sql(plan)
    if not objects and (plan.subject.column is None or plan.twin is not None):
        return plan_new_migration(workspace, what, sql, now)
    if objects:
        sql = _with_objects(workspace, plan, plan.subject.table, plan.new_name)
        if plan.twin is not None and plan.twin_new_name is not None:
            sql += "\n" + MIRROR_HEADER + "\n"
            sql += _with_objects(workspace, plan, plan.twin, plan.twin_new_name)
    folder = migration_folder(workspace)
    name = next_migration_name(workspace, folder, what, now)
    mirrored = (plan.subject.table[1],) if plan.twin is not None and objects else ()
    return NewMigration(f"{folder}/{name}", header(what) + "\n" + sql, mirrored)


def build_rename(
    workspace: Workspace,
    plan: RenamePlan,
    keep_result_keys: bool = False,
    now: datetime | None = None,
    objects: bool = False,
) -> RenameEdit:
    """The whole rename as one Edit: the new migration first, then every text edit (a
    generated types file regenerated whole when it can be: refactor/regenerate.py).
    `objects`: rename the index, constraint and policy names that embed the old name."""
    migration = _migration(workspace, plan, now, objects)
    edits = text_edits(workspace, plan, keep_result_keys)
    # the generated types file: regenerated from the renamed schema when it can be
    regenerated = regenerated_after(workspace, migration, {e.path for e in edits})
    whole = {e.path for e in regenerated}
    edits = [e for e in edits if e.path not in whole] + regenerated
    edit = Edit(
        f"Rename {plan.subject.label} to {plan.new_name}",
        "refactor",
        tuple(edits),
        (CreateFile(migration.path, migration.content),),
    )
    return RenameEdit(edit, migration)
