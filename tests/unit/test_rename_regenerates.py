"""A rename regenerates an up-to-date generated types file from the renamed schema (one
whole-file edit) and falls back to field edits when it cannot."""

from __future__ import annotations

from pathlib import Path

from lockstep.codeactions.refactor.rename import build_rename
from lockstep.core.ide.rename import Subject, plan_rename
from lockstep.core.workspace import Workspace
from tests.unit.test_generated_types_rule import INIT, TYPES, fresh_types, project

CONSUMER = "apps/web/src/checkins.ts"


def _workspace(root: Path, types: str) -> Workspace:
    (root / TYPES).parent.mkdir(parents=True, exist_ok=True)
    (root / TYPES).write_text(types, encoding="utf-8")
    (root / CONSUMER).parent.mkdir(parents=True, exist_ok=True)
    (root / CONSUMER).write_text(
        "export const load = (s: any) => s.from('checkins').select('id, note');\n")
    workspace = Workspace(root)
    workspace.load()
    return workspace


def _rename(workspace: Workspace) -> tuple[list[str], dict[str, str]]:
    plan = plan_rename(workspace, Subject(("public", "checkins"), "note"), "remark")
    result = build_rename(workspace, plan)
    touched = [e.path for e in result.edit.edits]
    whole = {e.path: e.new_text for e in result.edit.edits
             if e.range.start.line == 0 and e.range.start.character == 0 and
             e.new_text.startswith("export type Json")}
    return touched, whole


def test_an_up_to_date_generated_file_is_regenerated(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    workspace = _workspace(root, fresh_types(root))
    touched, whole = _rename(workspace)
    assert touched.count(TYPES) == 1 and CONSUMER in touched
    renamed = project(tmp_path / "after", INIT.replace("  note text,", "  remark text,")
                      .replace("length(note)", "length(remark)"))
    assert whole[TYPES] == fresh_types(renamed)


def test_a_stale_generated_file_gets_field_edits(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    stale = fresh_types(root).replace("          note: string | null\n", "", 1)
    workspace = _workspace(root, stale)
    touched, whole = _rename(workspace)
    assert TYPES in touched and not whole  # field by field, not regenerated


def test_no_regeneration_while_a_migration_does_not_parse(tmp_path: Path) -> None:
    root = project(tmp_path, INIT, "create tabel broken ();")
    workspace = _workspace(root, fresh_types(root))
    touched, whole = _rename(workspace)
    assert TYPES in touched and not whole
