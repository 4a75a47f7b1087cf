"""`lockstep-lsp check --fix [--unsafe-fixes]`: safe fixes only by default, never into a
migration that later migrations follow, never outside the root or over a changed file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_quickfixes import FIXTURE, assert_parses, load

from lockstep.cli.fix import _write, apply_fixes
from lockstep.cli.main import main
from lockstep.codeactions.edits import Applicability, Edit, TextEdit
from lockstep.core.text import Position, Range

MIGRATIONS = "supabase/migrations"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "ws"))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_fix_applies_safe_fixes_and_prints_what_is_left(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(root)
    _, findings = load(root)
    assert main(["check", str(root), "--fix"]) == 2  # lockstep.toml still has a bad key
    out, err = capsys.readouterr()
    after = _snapshot(root)
    changed = {p for p in after if before.get(p) != after[p]}
    assert not {p for p in changed if p.startswith(MIGRATIONS)}, "followed migrations: unsafe"
    # Regenerated (safe): the generated Database type now covers `notes`, so no row type is
    # missing any more.
    assert "packages/types/src/database.types.ts" in changed
    for path in changed:
        assert_parses(root, path)
    assert "fixed packages/types/src/wins.ts: Add `created_at?: string` to Win" in err
    _, left = load(root)
    assert {d.code for d in left} >= {"sim-mirror-drift", "rls-disabled", "invalid-config"}
    assert not {"type-nullability", "type-not-exported", "type-optionality",
                "table-missing-type", "generated-types-stale"} & {
        d.code for d in left}
    assert len(out.splitlines()) == len(left) + 1 < len(findings) + 1  # and the summary line


def test_unsafe_fixes_reach_followed_migrations_but_never_display_only_ones(root: Path) -> None:
    report = apply_fixes(load(root)[0], unsafe=True)
    assert "supabase/migrations/002_mood.sql: Add the mirror statement for `sim_wins`" in (
        report.applied)
    assert "ALTER TABLE sim_wins ADD COLUMN mood" in (root / f"{MIGRATIONS}/002_mood.sql"
                                                      ).read_text()
    assert (root / f"{MIGRATIONS}/008_streaks.sql").exists()  # the renumbering (a rename)
    left = {d.code for d in load(root)[1]}
    # A choice (CASCADE, SET NULL or RESTRICT) is never made for the author.
    assert left == {"foreign-key-missing-on-delete"}
    for path in (root / MIGRATIONS).iterdir():
        assert_parses(root, str(path.relative_to(root)))


def test_the_last_migration_gets_its_safe_fixes(root: Path) -> None:
    (root / f"{MIGRATIONS}/009_wins_rating.sql").write_text(
        "-- Wins get a rating.\nALTER TABLE wins ADD COLUMN rating INT;\n")
    report = apply_fixes(load(root)[0])
    assert "supabase/migrations/009_wins_rating.sql: Add the mirror statement for `sim_wins`" in (
        report.applied)
    assert "ALTER TABLE sim_wins ADD COLUMN rating" in (
        root / f"{MIGRATIONS}/009_wins_rating.sql").read_text()


def test_a_file_changed_since_it_was_read_is_not_overwritten(root: Path) -> None:
    workspace, _ = load(root)
    wins = root / "packages/types/src/wins.ts"
    wins.write_text(wins.read_text() + "// edited meanwhile\n")
    report = apply_fixes(workspace)
    assert any("wins.ts" in s and "changed on disk" in s for s in report.skipped)
    assert wins.read_text().endswith("// edited meanwhile\n")


def test_edits_outside_the_root_are_refused(root: Path, tmp_path: Path) -> None:
    workspace, _ = load(root)
    outside = tmp_path / "outside.sql"
    outside.write_text("-- not ours\n")
    here = Range(Position(0, 0), Position(0, 0))
    edit = Edit("escape", "quickfix", (TextEdit("../outside.sql", here, "x"),),
                applicability=Applicability.SAFE)
    assert _write(workspace, edit) == "../outside.sql is outside the root"
    assert outside.read_text() == "-- not ours\n"
