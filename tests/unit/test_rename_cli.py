"""`lockstep-lsp rename TABLE[.COLUMN] NEW [ROOT] [--dry-run]`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lockstep.cli.main import main


@pytest.fixture
def repo(toney_clean_root: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(toney_clean_root, tmp_path / "repo"))


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in root.rglob("*") if p.is_file()}


def test_dry_run_prints_a_diff_and_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(repo)
    assert main(["rename", "wins.mood", "feeling", str(repo), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "--- /dev/null\n+++ b/supabase/migrations/017_rename_wins_mood_to_feeling.sql\n" in out
    assert "+ALTER TABLE sim_wins RENAME COLUMN mood TO feeling;\n" in out
    assert "-  mood: Mood | null;\n+  feeling: Mood | null;\n" in out
    assert "+          .select('id, text, feeling, is_pinned, created_at')" in out
    assert _snapshot(repo) == before


def test_rename_writes_and_check_stays_clean(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(repo)]) == 0
    assert main(["rename", "wins", "victories", str(repo)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("supabase/migrations/017_rename_wins_to_victories.sql\n")
    assert "needs to be applied to both Supabase projects" in out
    assert "export type Victory = {" in (repo / "packages/types/src/wins.ts").read_text()
    assert main(["rename", "victories.mood", "feeling", str(repo)]) == 0
    assert (repo / "supabase/migrations/018_rename_victories_mood_to_feeling.sql").exists()
    capsys.readouterr()
    assert main(["check", str(repo)]) == 0
    assert capsys.readouterr().out == ""


def test_refusal_exits_2_with_the_reason(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rename", "wins.mood", "text", str(repo)]) == 2
    assert "`wins` already has a column `text`" in capsys.readouterr().err
    assert main(["rename", "nope", "x", str(repo)]) == 2
    assert "is not a table" in capsys.readouterr().err


def test_keep_result_keys_from_lockstep_toml(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = repo / "lockstep.toml"
    toml.write_text(toml.read_text() + "\n[rename]\nkeep_result_keys = true\n")
    assert main(["check", str(repo)]) == 0
    assert main(["rename", "wins.mood", "feeling", str(repo), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "+    .select('id, user_id, text, mood:feeling, created_at')" in out
    assert "+      feeling: w.mood," in out  # the clone still reads the kept key
