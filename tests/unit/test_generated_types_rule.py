"""`generated-types-stale`: fires on a stale generated file, silent on a fresh one however it
is formatted, and "Regenerate" makes it fresh."""

from __future__ import annotations

from pathlib import Path

from lockstep.codeactions.edits import apply_text_edits
from lockstep.codeactions.fixes.registry import fixes_for
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.gen.from_model import metadata
from lockstep.core.gen.typescript import generate_typescript
from lockstep.core.rules.engine import run_rules
from lockstep.core.workspace import Workspace

TYPES = "packages/types/src/database.types.ts"
INIT = """
create type public.mood as enum ('happy', 'sad');
create table public.checkins (
  id uuid primary key default gen_random_uuid(),
  mood public.mood not null,
  note text,
  note_length integer generated always as (length(note)) stored
);
create function public.ping() returns integer language sql as $$ select 1 $$;
"""


def project(tmp_path: Path, *migrations: str) -> Path:
    folder = tmp_path / "supabase" / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    for number, sql in enumerate(migrations, start=1):
        (folder / f"{number:03}_m.sql").write_text(sql, encoding="utf-8")
    return tmp_path


def fresh_types(root: Path) -> str:
    workspace = Workspace(root)
    workspace.load()
    return generate_typescript(metadata(workspace.replay.schema, ["public"]))


def findings(root: Path, text: str) -> tuple[Workspace, list[Diagnostic]]:
    target = root / TYPES
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    workspace = Workspace(root)
    workspace.load()
    found = [d for items in run_rules(workspace).values() for d in items
             if d.code == "generated-types-stale"]
    return workspace, found


def prettier_style(text: str) -> str:
    """What a project's own prettier config might make of it: 4 spaces, semicolons, quotes."""
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indent = " " * (2 * (len(line) - len(stripped)))
        if stripped.endswith(("string", "null", "number", "never", "]", '"')) and ":" in stripped:
            stripped += ";"
        lines.append(indent + stripped.replace('"', "'"))
    return "\n".join(lines) + "\n"


def test_fresh_file_is_silent_even_when_reformatted(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    text = fresh_types(root)
    assert findings(root, text)[1] == []
    assert findings(root, prettier_style(text))[1] == []


def test_files_of_older_generators_are_judged_by_content(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    text = fresh_types(root)
    assert "Args: Record<PropertyKey, never>" in text and "note_length?: never" in text
    older = (text.replace("Args: Record<PropertyKey, never>", "Args: never")
             .replace("note_length?: never", "note_length?: number | null")
             .replace("isOneToOne: false\n", ""))
    assert older != text
    assert findings(root, older)[1] == []


def test_stale_file_names_the_first_differences_and_regenerates(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    old = fresh_types(root)
    project(tmp_path, INIT, "alter table public.checkins add column energy smallint;\n"
            "alter type public.mood add value 'calm';\n")
    workspace, found = findings(root, prettier_style(old))
    assert len(found) == 1
    message = found[0].message
    assert "`public.Tables.checkins.Row.energy` is missing" in message
    assert found[0].range.start.line == old.splitlines().index("export type Database = {")
    fixes = fixes_for(workspace, found[0])
    assert [f.title for f in fixes] == ["Regenerate"]
    regenerated = apply_text_edits(prettier_style(old), fixes[0].edits)
    assert regenerated == fresh_types(root)
    assert findings(root, regenerated)[1] == []


def test_schemas_lockstep_cannot_write_get_no_fix(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    text = fresh_types(root).replace(
        "export type Database = {\n",
        "export type Database = {\n  storage: {\n    Tables: {\n      [_ in never]: never\n"
        "    }\n    Views: {\n      [_ in never]: never\n    }\n    Functions: {\n"
        "      [_ in never]: never\n    }\n    Enums: {\n      [_ in never]: never\n    }\n"
        "  }\n")
    assert findings(root, text)[1] == []  # storage is the platform's, not compared
    # CASCADE: PostgreSQL refuses to drop `note` while the generated note_length reads it.
    project(tmp_path, INIT, "alter table public.checkins drop column note cascade;\n")
    workspace, found = findings(root, text)
    assert "`public.Tables.checkins.Row.note` is not in the migrations" in found[0].message
    assert fixes_for(workspace, found[0]) == []  # regenerating would drop `storage`
