"""Next migration version and file name: both styles, gaps, duplicates, width, collisions."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lockstep.codeactions.migration.new import plan_new_migration, write_exclusive
from lockstep.codeactions.migration.numbering import (
    EmptySlugError,
    next_file_name,
    next_version,
    slugify,
)
from lockstep.core.workspace import Workspace
from tests.repos import built

NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_numbered_next_keeps_width() -> None:
    assert next_version(["035_a.sql", "036_profile_language.sql"]).version == "037"


def test_numbered_width_grows() -> None:
    assert next_version(["998_a.sql", "999_b.sql"]).version == "1000"


def test_numbered_gaps_and_duplicates() -> None:
    assert next_version(["001_a.sql", "005_b.sql", "005_c.sql"]).version == "006"


def test_numbered_wider_existing_width() -> None:
    assert next_version(["0001_a.sql", "0002_b.sql"]).version == "0003"


def test_default_width_and_first_migration() -> None:
    assert next_version([]).version == "001"


def test_stray_files_do_not_count() -> None:
    assert next_version(["001_a.sql", "README.md", "seed.sql"]).version == "002"


def test_timestamp_uses_clock() -> None:
    result = next_version(["20240101000000_a.sql", "20240102000000_b.sql"], NOW)
    assert (result.version, result.style) == ("20250304050607", "timestamp")


def test_timestamp_bumped_past_newest() -> None:
    assert next_version(["20250304050607_a.sql", "20250304050606_b.sql"], NOW).version == (
        "20250304050608"
    )
    assert next_version(["20991231235959_a.sql", "20240101000000_b.sql"], NOW).version == (
        "21000101000000"
    )


def test_timestamp_never_collides() -> None:
    names = ["20250304050607_a.sql", "20250304050608_b.sql", "20200101000000_c.sql"]
    assert next_version(names, NOW).version == "20250304050609"


def test_file_name_and_slug() -> None:
    assert next_file_name(["036_x.sql"], "Profile: language (en/fr)") == (
        "037_profile_language_en_fr.sql"
    )
    assert slugify("Ünïcode  café!") == "unicode_cafe"
    assert slugify("../../etc/passwd") == "etc_passwd"
    assert len(slugify("word " * 40)) <= 60
    assert not slugify("word " * 40).endswith("_")


@pytest.mark.parametrize("description", ["", "   ", "!!!", "../..", "日本語"])
def test_empty_slug_is_an_error(description: str) -> None:
    with pytest.raises(EmptySlugError, match="letter or digit"):
        slugify(description)


FIXTURE = built("e2e-basic")


@pytest.fixture()
def workspace(tmp_path: Path) -> Workspace:
    root = Path(shutil.copytree(FIXTURE, tmp_path / "ws"))
    ws = Workspace(root)
    ws.load()
    return ws


def test_plan_checks_the_disk_too(workspace: Workspace) -> None:
    # A file the index has not seen yet (another tool just wrote it) still takes its number.
    (workspace.root / "supabase/migrations/003_other.sql").write_text("-- x\n")
    plan = plan_new_migration(
        workspace, "wins get a mood", "ALTER TABLE wins ADD COLUMN mood TEXT;"
    )
    assert plan.path == "supabase/migrations/004_wins_get_a_mood.sql"
    assert plan.content.startswith("-- Wins get a mood.\n-- Why: ")
    assert "ALTER TABLE sim_wins ADD COLUMN mood TEXT;" in plan.content
    assert plan.mirrored == ("wins",)


def test_write_never_overwrites(workspace: Workspace) -> None:
    plan = plan_new_migration(workspace, "x")
    target = workspace.root / plan.path
    target.write_text("precious")
    with pytest.raises(FileExistsError):
        write_exclusive(workspace.root, plan)
    assert target.read_text() == "precious"


def test_plan_without_sql_is_a_skeleton(workspace: Workspace) -> None:
    plan = plan_new_migration(workspace, "add streaks")
    assert plan.content.startswith("-- Add streaks.\n")
    assert plan.mirrored == ()


def test_cli_new(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lockstep.cli.main import main

    monkeypatch.chdir(workspace.root)  # text paths are relative to the current folder
    sql = tmp_path / "change.sql"
    sql.write_text("ALTER TABLE wins ADD COLUMN mood TEXT;")
    assert main(["new", "Wins get a mood", str(workspace.root), "--sql", str(sql)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("supabase/migrations/003_wins_get_a_mood.sql\n")
    assert "DEV" in out and "PROD" in out and "did not apply" in out and "pnpm build" in out
    created = (workspace.root / "supabase/migrations/003_wins_get_a_mood.sql").read_text()
    assert "ALTER TABLE sim_wins ADD COLUMN mood TEXT;" in created
    assert main(["new", "!!!", str(workspace.root)]) == 2
    assert "letter or digit" in capsys.readouterr().err
