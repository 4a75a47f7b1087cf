"""Replay resumed from the edited migration (core/replay/journal.py) gives the model a full
replay gives: schema, every object's history, issues, events, the mirror-drift observations
and the diagnostics; and it really replays only from the edited file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lockstep.core.replay import journal as journal_module
from lockstep.core.replay.engine import ReplayResult, replay
from lockstep.core.replay.journal import copy_state, resume
from lockstep.core.rules.drift_history import DriftObserver
from lockstep.core.rules.engine import run_rules
from lockstep.core.rules.timeline import steps
from lockstep.core.views import prepare_replay
from lockstep.core.workspace import Workspace
from tests.repos import REPO

MIGRATIONS = "supabase/migrations"
FIRST, MIDDLE, LAST = "001_profiles.sql", "008_focus_areas.sql", "016_wins_energy_level.sql"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    shutil.copytree(REPO / "examples" / "toney", tmp_path / "toney")
    loaded = Workspace(tmp_path / "toney")
    loaded.load()
    _ = loaded.replay  # the journal the edits resume from
    return loaded


@pytest.fixture
def replayed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The files each replay really replays."""
    seen: list[str] = []
    original = journal_module.replay_file

    def counting(state: object, path: str, parsed: object) -> None:
        seen.append(path)
        original(state, path, parsed)  # type: ignore[arg-type]

    monkeypatch.setattr(journal_module, "replay_file", counting)
    yield seen


def full(workspace: Workspace) -> ReplayResult:
    """From scratch, with no journal (and the plain `engine.replay` agreeing)."""
    databases = [f.database for f in workspace.types_files.values() if f.database is not None]
    result, _ = resume(None, workspace.replayed_files(), databases,
                       [DriftObserver(workspace.config)])
    plain = replay(workspace.replayed_files(), databases=databases)
    assert (plain.schema, plain.issues, plain.events) == \
        (result.schema, result.issues, result.events)
    return result


def assert_same(workspace: Workspace) -> None:
    resumed = workspace.replay
    expected = full(workspace)
    assert resumed.schema == expected.schema  # tables, columns, histories, policies …
    assert resumed.issues == expected.issues
    assert resumed.events == expected.events
    assert resumed.observations == expected.observations
    histories = {k: t.history for k, t in resumed.schema.tables.items()}
    assert histories == {k: t.history for k, t in expected.schema.tables.items()}
    fresh = Workspace(workspace.root)
    fresh.overlay = dict(workspace.overlay)
    fresh.load()
    assert timeline(workspace) == timeline(fresh)  # it re-walks only what changed
    assert run_rules(workspace) == run_rules(fresh)


def timeline(workspace: Workspace) -> list[tuple[object, ...]]:
    """The rules' timeline (rules/timeline.py), comparable across workspaces."""
    return [(s.doc.path, s.statement.start, s.statement.end, s.events, s.existing,
             s.created_here, s.search_path) for s in steps(workspace)]


def edit(workspace: Workspace, name: str, extra: str) -> None:
    path = f"{MIGRATIONS}/{name}"
    text = workspace.read(path)
    assert text is not None
    workspace.set_overlay(path, text + extra)


@pytest.mark.parametrize("name", [FIRST, MIDDLE, LAST])
def test_an_edit_replays_from_the_edited_migration(
        workspace: Workspace, replayed: list[str], name: str) -> None:
    order = [path for path, _ in workspace.replayed_files()]
    edit(workspace, name, "\nALTER TABLE profiles ADD COLUMN edited text;\n"
                          "CREATE TABLE extra_things (id uuid PRIMARY KEY);\n")
    assert_same(workspace)
    # First edit of a file: from the newest snapshot at or before it (one before the last).
    index = order.index(f"{MIGRATIONS}/{name}")
    assert replayed[0] == order[index if name == LAST else 0]
    replayed.clear()
    edit(workspace, name, "\nALTER TABLE profiles ADD COLUMN again text;\n")
    assert_same(workspace)
    assert replayed[0] == order[index], "the second edit resumes from a snapshot before it"


@pytest.mark.parametrize("name", [MIDDLE, LAST])
def test_a_checkpoint_copied_ahead_is_used_once_and_replays_the_same(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    copies: list[object] = []
    original = journal_module.copy_state

    def counting(state: object) -> object:
        copies.append(state)
        return original(state)

    monkeypatch.setattr(journal_module, "copy_state", counting)
    edit(workspace, name, "\nALTER TABLE profiles ADD COLUMN edited text;\n")
    _ = workspace.replay
    copies.clear()
    prepare_replay(workspace)  # between edits: the copy is made here …
    prepare_replay(workspace)  # … once for this journal
    assert len(copies) == 1
    copies.clear()
    fork = workspace.fork()  # a superseded analysis takes it from the shared spares
    edit(fork, name, "\nALTER TABLE profiles ADD COLUMN superseded text;\n")
    _ = fork.replay
    assert copies == [], "the edit resumed from the copy made ahead"
    edit(workspace, name, "\nALTER TABLE profiles ADD COLUMN again text;\n")
    _ = workspace.replay
    assert len(copies) == 1, "the next one copies again: a copy is used once"
    monkeypatch.undo()
    assert_same(fork)
    assert_same(workspace)


def test_only_the_last_migration_is_replayed_after_an_edit_to_it(
        workspace: Workspace, replayed: list[str]) -> None:
    edit(workspace, LAST, "\nCOMMENT ON TABLE wins IS 'edited';\n")
    _ = workspace.replay
    assert replayed == [f"{MIGRATIONS}/{LAST}"]


def test_inserting_and_deleting_a_migration(workspace: Workspace) -> None:
    inserted = f"{MIGRATIONS}/007_inserted.sql"
    (workspace.root / inserted).write_text(
        "ALTER TABLE wins ADD COLUMN inserted_at timestamptz;\n"
        "ALTER TABLE sim_wins ADD COLUMN inserted_at date;\n")
    workspace.refresh(inserted)
    assert_same(workspace)
    (workspace.root / MIGRATIONS / MIDDLE).unlink()
    workspace.forget(f"{MIGRATIONS}/{MIDDLE}")
    assert_same(workspace)
    (workspace.root / inserted).unlink()
    workspace.forget(inserted)
    assert_same(workspace)


def test_an_edit_that_creates_a_table_used_earlier_replays_everything(
        workspace: Workspace, replayed: list[str]) -> None:
    """Which names some migration creates decides placeholders in every earlier one."""
    edit(workspace, FIRST, "\nALTER TABLE made_later ADD COLUMN x text;\n")
    assert_same(workspace)
    replayed.clear()
    edit(workspace, LAST, "\nCREATE TABLE made_later (x text);\n")
    assert_same(workspace)
    assert replayed[0] == f"{MIGRATIONS}/{FIRST}"


def test_a_forked_snapshot_resumes_without_touching_its_parent(workspace: Workspace) -> None:
    before = workspace.replay
    fork = workspace.fork()
    edit(fork, LAST, "\nALTER TABLE wins ADD COLUMN forked text;\n")
    assert "forked" in fork.replay.schema.tables[("public", "wins")].columns
    assert workspace.replay is before
    assert "forked" not in before.schema.tables[("public", "wins")].columns


def test_copy_state_shares_immutable_objects_and_keeps_shared_references(
        workspace: Workspace) -> None:
    schema = workspace.replay.schema
    copied = copy_state(schema)
    assert copied == schema
    wins, copied_wins = schema.tables[("public", "wins")], copied.tables[("public", "wins")]
    assert copied_wins is not wins and copied_wins.columns is not wins.columns
    assert copied_wins.history is not wins.history
    assert copied_wins.location is wins.location  # frozen: shared
    for table in copied.tables.values():
        for fk in table.foreign_keys:
            if fk.ref_index is not None:
                target = copied.tables[(fk.ref_schema, fk.ref_table)]
                assert any(index is fk.ref_index for index in target.indexes)


def test_one_replay_per_revision_the_drift_rule_observes_it(
        tmp_path: Path, replayed: list[str]) -> None:
    shutil.copytree(REPO / "examples" / "toney", tmp_path / "toney")
    fresh = Workspace(tmp_path / "toney")
    fresh.load()
    diagnostics = run_rules(fresh)
    assert any(d.code == "sim-mirror-drift" for ds in diagnostics.values() for d in ds)
    assert sorted(replayed) == sorted(path for path, _ in fresh.replayed_files())


def test_drift_a_baseline_left_is_not_reported_drift_a_migration_opened_is(
        tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "supabase" / "migrations").mkdir(parents=True)
    (root / "lockstep.toml").write_text('[migrations]\nbaseline = ["supabase/schema.sql"]\n')
    (root / "supabase" / "schema.sql").write_text(
        "CREATE TABLE wins (id uuid PRIMARY KEY, old text);\n"
        "CREATE TABLE sim_wins (id uuid PRIMARY KEY);\n")
    (root / "supabase" / "migrations" / "001_a.sql").write_text("-- Nothing on wins.\nSELECT 1;\n")
    (root / "supabase" / "migrations" / "002_b.sql").write_text(
        "-- A column.\nALTER TABLE wins ADD COLUMN mood text;\n")
    workspace = Workspace(root)
    workspace.load()
    drift = [d for ds in run_rules(workspace).values() for d in ds
             if d.code == "sim-mirror-drift"]
    assert [(d.path, "mood" in d.message) for d in drift] == \
        [("supabase/migrations/002_b.sql", True)]


def test_the_timeline_reuses_the_steps_of_unchanged_files(workspace: Workspace) -> None:
    first = steps(workspace)
    edit(workspace, MIDDLE, "\nCREATE TABLE extra_things (id uuid PRIMARY KEY);\n")
    second = steps(workspace)
    edited = f"{MIGRATIONS}/{MIDDLE}"
    old = {id(s) for s in first}
    assert all(id(s) in old for s in second if s.doc.path < edited)
    assert not any(id(s) in old for s in second if s.doc.path == edited)
    # After it: reused only where the tables before the file are the same (they are not:
    # the edit created one).
    assert not any(id(s) in old for s in second if s.doc.path > edited)
    assert_same(workspace)


def test_step_checks_rejudge_only_the_edited_migration(workspace: Workspace) -> None:
    key = ("by file", "column changes")
    run_rules(workspace)
    before = workspace.derived.peek(key)
    assert isinstance(before, dict) and before
    edited = f"{MIGRATIONS}/{MIDDLE}"
    edit(workspace, MIDDLE, "\nALTER TABLE profiles ADD COLUMN required_now text NOT NULL;\n")
    diagnostics = run_rules(workspace)
    after = workspace.derived.peek(key)
    assert isinstance(after, dict)
    assert {path for path, value in after.items() if before.get(path) is value} == \
        set(after) - {edited}
    assert any(d.code == "add-not-null-without-default" and "required_now" in d.message
               for d in diagnostics.get(edited, []))
    assert_same(workspace)
