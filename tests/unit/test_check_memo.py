"""Rule checks memoised by the input kinds they read (core/analysis.py `Reads`,
rules/engine.py): an edit re-runs only the checks that read what it changed, and the
diagnostics always equal a fresh workspace's."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lockstep.core.analysis import CONSUMERS, EVERYTHING, MIGRATIONS, SCHEMA, TYPES, Reads
from lockstep.core.rules import checks
from lockstep.core.rules.engine import Check, run_rules
from lockstep.core.workspace import Workspace
from tests.repos import REPO

CONSUMER = "apps/web/src/app/api/wins/route.ts"
TYPES_FILE = "packages/types/src/wins.ts"
MIGRATION = "supabase/migrations/016_wins_energy_level.sql"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    shutil.copytree(REPO / "examples" / "toney", tmp_path / "toney")
    loaded = Workspace(tmp_path / "toney")
    loaded.load()
    run_rules(loaded)
    return loaded


def memo(workspace: Workspace, function: Check) -> object:
    return workspace.derived.peek(("check", function.__module__, function.__qualname__))


def fresh_rules(workspace: Workspace) -> object:
    fresh = Workspace(workspace.root)
    fresh.overlay = dict(workspace.overlay)
    fresh.load()
    return run_rules(fresh)


def append(workspace: Workspace, path: str, text: str) -> None:
    before = workspace.read(path)
    assert before is not None
    workspace.set_overlay(path, before + text)


EDITS: dict[str, Callable[[Workspace], None]] = {
    "consumer": lambda w: append(w, CONSUMER, "\nexport const nope = () => "
                                 "supabase.from('nope_table').select('id');\n"),
    "types": lambda w: append(w, TYPES_FILE, "\nexport type Extra = { id: string };\n"),
    "migration": lambda w: append(w, MIGRATION, "\nALTER TABLE wins ADD COLUMN memo text;\n"),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_incremental_diagnostics_equal_a_fresh_run(workspace: Workspace, kind: str) -> None:
    fork = workspace.fork()
    EDITS[kind](fork)
    assert run_rules(fork) == fresh_rules(fork)


def test_a_consumer_edit_reuses_the_checks_that_never_read_consumers(
        workspace: Workspace) -> None:
    fork = workspace.fork()
    EDITS["consumer"](fork)
    kept = {f: memo(fork, f) for f in (checks.migrations.header_comments,
                                       checks.types.row_types, checks.mirror_drift.mirror_drift)}
    dropped = memo(fork, checks.consumers.table_references)
    assert all(value is not None for value in kept.values())
    assert dropped is None
    diagnostics = run_rules(fork)
    assert all(memo(fork, f) is value for f, value in kept.items())
    assert any(d.code == "unknown-table-reference" and "nope_table" in d.message
               for d in diagnostics.get(CONSUMER, []))


def test_a_types_edit_reuses_the_migration_checks_and_a_migration_edit_the_config_ones(
        workspace: Workspace) -> None:
    types_edit, migration_edit = workspace.fork(), workspace.fork()
    EDITS["types"](types_edit)
    EDITS["migration"](migration_edit)
    schema_only = checks.security.foreign_keys
    assert memo(types_edit, schema_only) is memo(workspace, schema_only) is not None
    assert memo(types_edit, checks.types.row_types) is None
    _ = migration_edit.replay  # a new column: the schema differs, what read it is dropped
    assert memo(migration_edit, schema_only) is None
    config_only = checks.config.config_problems
    assert memo(migration_edit, config_only) is memo(workspace, config_only) is not None
    run_rules(migration_edit)
    assert memo(migration_edit, config_only) is memo(workspace, config_only)


@pytest.mark.parametrize("tail", ["\n-- a comment\n", "\nALTER TABLE wins ADD COL",
                                  "\nALTER TABLE wins ADD COLUMN memo text;\n"])
def test_an_edit_that_leaves_the_schema_equal_keeps_what_read_only_the_schema(
        workspace: Workspace, tail: str) -> None:
    fork = workspace.fork()
    append(fork, MIGRATION, tail)
    _ = fork.replay  # the new schema is compared with the last one here
    equal = fork.schema == workspace.schema
    assert equal == (not tail.endswith(";\n"))
    for function in (checks.security.primary_keys, checks.advisors_policies.auth_rls_initplan,
                     checks.mirror.mirror_structure, checks.advisors.duplicate_indexes,
                     checks.select_results.select_results,
                     checks.writes.generated_columns, checks.writes.required_columns):
        assert memo(workspace, function) is not None
        assert (memo(fork, function) is not None) == equal, function.__qualname__
    assert memo(fork, checks.migrations.header_comments) is None  # reads the migrations
    assert run_rules(fork) == fresh_rules(fork)


def test_reads_notes_the_kinds_behind_each_attribute(workspace: Workspace) -> None:
    reads = Reads(workspace)
    _ = reads.consumer_files
    assert reads.kinds == {CONSUMERS}
    _ = reads.schema  # type: ignore[attr-defined]
    assert reads.kinds == {CONSUMERS, SCHEMA}
    _ = reads.replay.schema  # type: ignore[attr-defined]
    assert reads.kinds == {CONSUMERS, SCHEMA, MIGRATIONS}
    reads.derived.get("x", frozenset({TYPES}), lambda: 1)  # type: ignore[attr-defined]
    assert TYPES in reads.kinds
    _ = reads.read  # anything unknown: everything
    assert reads.kinds == EVERYTHING


def test_a_consumer_edit_rejudges_only_that_file(workspace: Workspace,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    judged: list[str] = []
    original = checks.consumers._column_references

    def spy(workspace: Workspace, findings: object, schema: object, rows: object,
            uses: list[Any]) -> None:
        judged.extend({use.path for use in uses})
        original(workspace, findings, schema, rows, uses)  # type: ignore[arg-type]

    monkeypatch.setattr(checks.consumers, "_column_references", spy)
    fork = workspace.fork()
    append(fork, CONSUMER, "\nexport const typo = () => supabase.from('wins').select('titel');\n")
    diagnostics = run_rules(fork)
    assert judged == [CONSUMER]
    assert any("titel" in d.message for d in diagnostics[CONSUMER])
    assert diagnostics == fresh_rules(fork)
    judged.clear()
    migration_edit = fork.fork()
    EDITS["migration"](migration_edit)
    run_rules(migration_edit)
    assert sorted(judged) == sorted(fork.consumer_files)  # the schema changed: every file


def test_row_types_rejudge_only_the_tables_a_migration_edit_changed(
        workspace: Workspace) -> None:
    from lockstep.core.rules.checks.types import PAIRS

    before = workspace.derived.peek(PAIRS)
    assert isinstance(before, dict) and before
    fork = workspace.fork()
    append(fork, MIGRATION, "\nALTER TABLE wins ADD COLUMN memo text;\n")
    diagnostics = run_rules(fork)
    after = fork.derived.peek(PAIRS)
    assert isinstance(after, dict)
    reused = [key for key, value in after.items() if before.get(key) is value]
    tables = {key[9] for key in after}
    assert "wins" in tables and "profiles" in tables
    assert {key[9] for key in reused} == tables - {"wins"}  # only `wins` judged again
    assert diagnostics == fresh_rules(fork)
    assert any(d.code == "type-missing-field" and "memo" in d.message
               for items in diagnostics.values() for d in items)
