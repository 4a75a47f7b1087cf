"""Regenerating generated types (on save, after a rename): every stale file as a whole, in the
project's generator era, and nothing while the schema is incomplete."""

from __future__ import annotations

import json
from pathlib import Path

from lockstep.codeactions.fixes.generated import regenerated_types, schema_complete
from lockstep.core.config import load_config
from lockstep.core.gen.eras import ERAS
from lockstep.core.gen.from_model import metadata
from lockstep.core.gen.typescript import generate_typescript
from lockstep.core.workspace import Workspace
from tests.unit.test_generated_types_rule import INIT, TYPES, fresh_types, project


def _workspace(root: Path, types: str) -> Workspace:
    (root / TYPES).parent.mkdir(parents=True, exist_ok=True)
    (root / TYPES).write_text(types, encoding="utf-8")
    workspace = Workspace(root)
    workspace.load()
    return workspace


def test_a_fresh_file_needs_no_edit(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    assert regenerated_types(_workspace(root, fresh_types(root))) == []


def test_a_stale_file_is_replaced_whole(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    stale = fresh_types(root)
    (root / "supabase/migrations/002_m.sql").write_text(
        "alter table public.checkins add column energy smallint;", encoding="utf-8")
    [edit] = regenerated_types(_workspace(root, stale))
    assert edit.path == TYPES and "energy: number | null" in edit.new_text
    assert edit.new_text == fresh_types(root)


def test_the_regenerated_file_is_in_the_pinned_cli_era(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    (root / "package.json").write_text(json.dumps({"devDependencies": {"supabase": "1.200.0"}}))
    stale = fresh_types(root)
    (root / "supabase/migrations/002_m.sql").write_text(
        "alter table public.checkins add column energy smallint;", encoding="utf-8")
    workspace = _workspace(root, stale)
    [edit] = regenerated_types(workspace)
    assert edit.new_text == generate_typescript(
        metadata(workspace.replay.schema, ["public"]), era=ERAS["0.83"])


def test_nothing_while_a_migration_does_not_parse(tmp_path: Path) -> None:
    root = project(tmp_path, INIT)
    stale = fresh_types(root)
    (root / "supabase/migrations/002_m.sql").write_text(
        "alter table public.checkins add column energy smallint;\ncreate tabel x ();",
        encoding="utf-8")
    workspace = _workspace(root, stale)
    assert not schema_complete(workspace)
    assert regenerated_types(workspace) == []


def test_regenerate_setting() -> None:
    assert load_config('[types]\nregenerate = "on-save"\n')[0].types_regenerate == "on-save"
    config, problems = load_config('[types]\nregenerate = "always"\n')
    assert config.types_regenerate == "off" and problems
