"""`lockstep.addColumn`'s builder: migration + mirror, row-type field, the clone's keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockstep.codeactions.edits import apply_text_edits
from lockstep.codeactions.refactor.add_column import ColumnSpec, build_add_column
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.ide.rename import RefactorRefused
from lockstep.core.rules.engine import run_rules
from lockstep.core.workspace import Workspace

CLONE = "apps/admin/src/app/api/simulator/personas/clone/route.ts"


def _load(root: Path) -> Workspace:
    workspace = Workspace(root)
    workspace.load()
    return workspace


def _apply(workspace: Workspace, spec: ColumnSpec) -> dict[str, str]:
    result = build_add_column(workspace, spec)
    out = {c.path: c.content for c in result.edit.creates}
    for path in {e.path for e in result.edit.edits}:
        edits = [e for e in result.edit.edits if e.path == path]
        out[path] = apply_text_edits(workspace.read(path) or "", edits)
    return out


def _findings(root: Path) -> set[tuple[str, str, str]]:
    found: list[Diagnostic] = [d for ds in run_rules(_load(root)).values() for d in ds]
    return {(d.path, d.code, d.message) for d in found}


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (ColumnSpec("wins", "rating", "integer"), "  rating: number | null;"),
        (ColumnSpec("wins", "weight", "numeric(5,2)", False, "0"), "  weight?: number;"),
        (ColumnSpec("wins", "note", "text", True, "''"), "  note?: string | null;"),
        (ColumnSpec("wins", "tags", "text[]", False), "  tags: string[];"),
    ],
)
def test_add_column_everywhere_and_check_is_clean(
    toney_clean_root: Path, tmp_path: Path, spec: ColumnSpec, field: str
) -> None:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(toney_clean_root, root)
    before = _findings(root)
    files = _apply(_load(root), spec)
    [migration] = [p for p in files if p.startswith("supabase/migrations/")]
    assert migration == f"supabase/migrations/017_add_{spec.column}_to_wins.sql"
    assert f"ALTER TABLE wins ADD COLUMN {spec.column} " in files[migration]
    assert f"ALTER TABLE sim_wins ADD COLUMN {spec.column} " in files[migration]
    assert field + "\n" in files["packages/types/src/wins.ts"]
    clone = files[CLONE]
    assert f"is_pinned, energy_level, {spec.column}')" in clone
    assert f"      {spec.column}: w.{spec.column},\n" in clone
    for path, text in files.items():
        (root / path).write_text(text)
    if spec.nullable or spec.default is not None:
        assert _findings(root) == before
    else:  # NOT NULL without a default: the migration-safety rules may speak, nothing else
        assert {c for _, c, _ in _findings(root) - before} <= {"add-not-null-without-default"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ColumnSpec("nope", "x", "text"), "is not a table"),
        (ColumnSpec("wins", "mood", "text"), "already has a column `mood`"),
        (ColumnSpec("sim_wins", "x", "text"), "add the column there"),
        (ColumnSpec("wins", "Bad Name", "text"), "not a plain lower-case"),
        (ColumnSpec("wins", "x", "text DEFALT"), "is not valid SQL"),
    ],
)
def test_add_column_refusals(toney_clean_root: Path, spec: ColumnSpec, message: str) -> None:
    with pytest.raises(RefactorRefused, match=message):
        build_add_column(_load(toney_clean_root), spec)


def test_spec_from_json() -> None:
    spec = ColumnSpec.from_json({"table": "wins", "column": "x", "type": "int", "nullable": False})
    assert spec == ColumnSpec("wins", "x", "int", False, None)
    with pytest.raises(ValueError, match=r"lockstep\.addColumn expects"):
        ColumnSpec.from_json({"table": "wins", "column": ""})


def test_a_field_written_first_is_not_added_twice(toney_clean_root: Path, tmp_path: Path) -> None:
    import shutil

    root = Path(shutil.copytree(toney_clean_root, tmp_path / "repo"))
    types = root / "packages/types/src/wins.ts"
    field = "  text: string;\n  rating: number | null;"
    types.write_text(types.read_text().replace("  text: string;", field))
    files = _apply(_load(root), ColumnSpec("wins", "rating", "integer"))
    assert "packages/types/src/wins.ts" not in files
    assert "rating: w.rating," in files[CLONE]
