"""The mirror-pair observer (rules/drift_history.py) looks again only at pairs a migration
touched: after every migration, what it keeps equals the pairs taken from the whole schema."""

from __future__ import annotations

from pathlib import Path

from lockstep.core.replay.engine import replay
from lockstep.core.replay.journal import resume
from lockstep.core.rules.drift_history import DriftObserver, observed_pairs
from lockstep.core.workspace import Workspace

STEPS = [
    "CREATE TABLE goals (id uuid PRIMARY KEY, user_id uuid NOT NULL);",
    "CREATE TABLE sim_goals (id uuid PRIMARY KEY, user_id uuid NOT NULL);",
    "ALTER TABLE goals ADD COLUMN title text; ALTER TABLE sim_goals ADD COLUMN title text;",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';",
    "ALTER TABLE goals RENAME TO aims;",
    "ALTER TABLE sim_goals RENAME TO sim_aims;",
    "CREATE TABLE wins (id int); CREATE TABLE sim_wins (id int);",
    "ALTER TABLE wins ALTER COLUMN id TYPE bigint;",
    "CREATE SCHEMA app; ALTER TABLE wins SET SCHEMA app;",
    "DROP TABLE sim_aims;",
    "CREATE TABLE sim_aims (id uuid, user_id uuid NOT NULL, title text);",
    "DROP TABLE aims, sim_aims CASCADE;",
    "CREATE TABLE app.bolts (id int); CREATE TABLE app.sim_bolts (id int);",
    "DROP SCHEMA app CASCADE;",  # the pair goes with no statement naming it
]


def test_pairs_after_every_migration_equal_the_whole_schemas(tmp_path: Path) -> None:
    folder = tmp_path / "supabase" / "migrations"
    folder.mkdir(parents=True)
    (tmp_path / "supabase" / "config.toml").write_text('project_id = "x"\n')
    for number, sql in enumerate(STEPS, 1):
        (folder / f"2024010100000{number:02d}_step.sql").write_text(sql + "\n")
    workspace = Workspace(tmp_path)
    workspace.cache = None
    workspace.load()
    files = workspace.replayed_files()
    observer = DriftObserver(workspace.config)
    result, _ = resume(None, files, (), [observer])
    kept = observed_pairs(result.observations, workspace.config)
    assert len(kept) == len(STEPS)
    for count, (path, pairs) in enumerate(kept, 1):
        schema = replay(files[:count]).schema
        assert path == files[count - 1][0]
        assert pairs == observer.observe(path, schema, [], None)[1], path  # type: ignore[index]
    assert {key for key, _ in kept[2][1].items()} == {("public", "goals")}
    assert kept[-1][1] == {}
