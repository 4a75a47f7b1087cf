"""Migration-safety rules: firing, quiet and suppressed, their messages, payloads and fixes.

The per-rule fixtures (`tests/fixtures/rules/<rule>.txt`) hold the full firing/quiet matrix;
these tests pin what a fixture cannot: messages, related information, `data`, the
pre-existing judgement across renames and schemas, and the transaction fix's applicability.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rule_helpers import build_workspace, diagnostics_for, migration

from lockstep.codeactions.edits import Applicability, apply_text_edits
from lockstep.codeactions.fixes.registry import fixes_for
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import run_rules
from lockstep.core.rules.registry import RULES
from lockstep.core.workspace import Workspace

SAFETY = {
    "add-not-null-without-default", "column-type-change", "rename-breaks-consumers",
    "drop-breaks-consumers", "concurrently-in-transaction", "transaction-in-migration",
    "unbounded-data-change",
}
INIT = """-- Goals users set.
CREATE TABLE goals (id UUID PRIMARY KEY, user_id UUID NOT NULL, title TEXT, score INT);
ALTER TABLE goals ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own goals" ON goals FOR SELECT USING (auth.uid() = user_id);
"""
CONSUMER = "apps/web/src/lib/goals.ts"


def safety(tmp_path: Path, later: str, init: str = INIT,
           extra: dict[str, str] | None = None) -> list[Diagnostic]:
    files = {migration("001_init.sql"): init, migration("002_change.sql"): later, **(extra or {})}
    tmp_path.mkdir(parents=True, exist_ok=True)
    return [d for d in diagnostics_for(tmp_path, files) if d.code in SAFETY]


def query(body: str) -> str:
    return f"export async function f(supabase: any) {{\n  return {body};\n}}\n"


def test_the_rules_are_declared_with_their_severities() -> None:
    assert {name: RULES[name].severity for name in SAFETY} == {
        "add-not-null-without-default": "warning", "column-type-change": "warning",
        "rename-breaks-consumers": "warning", "drop-breaks-consumers": "warning",
        "concurrently-in-transaction": "error", "transaction-in-migration": "warning",
        "unbounded-data-change": "warning",
    }
    assert all("Supabase" in RULES[name].why for name in SAFETY)
    assert {RULES[name].group for name in SAFETY} == {"safety"}


# --- add-not-null-without-default ----------------------------------------------------------
def test_not_null_column_on_an_existing_table(tmp_path: Path) -> None:
    [found] = safety(tmp_path, "-- Due dates.\nALTER TABLE goals ADD COLUMN due DATE NOT NULL;\n")
    assert found.code == "add-not-null-without-default"
    assert (found.range.start.line, found.range.start.character) == (1, 29)
    assert found.message.startswith("`goals` existed before this migration, so production "
                                     "may have rows: adding `due` as NOT NULL")
    assert found.data == {"table": "goals", "schema": "public", "columns": ["due"],
                          "kind": "add-not-null"}


def test_a_primary_key_column_is_not_null_too(tmp_path: Path) -> None:
    found = safety(tmp_path, "-- Keys.\nALTER TABLE goals ADD COLUMN key UUID PRIMARY KEY;\n")
    assert [d.code for d in found] == ["add-not-null-without-default"]


def test_not_null_is_quiet_on_a_table_of_the_same_migration(tmp_path: Path) -> None:
    later = ("-- Notes.\nCREATE TABLE app.notes (id UUID PRIMARY KEY);\n"
             "ALTER TABLE app.notes ADD COLUMN body TEXT NOT NULL;\n")
    assert safety(tmp_path, "-- Schema.\nCREATE SCHEMA app;\n" + later) == []


def test_a_table_renamed_within_its_creating_migration_is_still_new(tmp_path: Path) -> None:
    later = ("-- Notes.\nCREATE TABLE draft_notes (id UUID PRIMARY KEY);\n"
             "ALTER TABLE draft_notes RENAME TO notes;\n"
             "ALTER TABLE notes ADD COLUMN body TEXT NOT NULL;\nDELETE FROM notes;\n")
    assert safety(tmp_path, later) == []


def test_a_table_recreated_after_a_drop_is_new(tmp_path: Path) -> None:
    later = ("-- Rebuild goals.\nDROP TABLE goals;\nCREATE TABLE goals (id UUID PRIMARY KEY);\n"
             "ALTER TABLE goals ADD COLUMN title TEXT NOT NULL;\n")
    assert safety(tmp_path, later) == []


def test_set_not_null_after_a_backfill_is_quiet(tmp_path: Path) -> None:
    later = ("-- Titles are required.\nUPDATE goals SET title = '' WHERE title IS NULL;\n"
             "ALTER TABLE goals ALTER COLUMN title SET NOT NULL;\n")
    assert safety(tmp_path, later) == []
    [found] = safety(tmp_path / "b", later.replace("UPDATE goals SET title = '' WHERE title "
                                                   "IS NULL;\n", ""))
    assert "SET NOT NULL on `title` without a backfill" in found.message
    assert found.data is not None and found.data["kind"] == "set-not-null"


def test_set_default_does_not_count_as_a_backfill(tmp_path: Path) -> None:
    later = ("-- Scores.\nALTER TABLE goals ALTER COLUMN score SET DEFAULT 0;\n"
             "ALTER TABLE goals ALTER COLUMN score SET NOT NULL;\n")
    [found] = safety(tmp_path, later)
    assert "the SET DEFAULT above does not fill existing rows" in found.message


def test_not_null_on_supabase_tables_needs_the_replay_to_know_the_column(tmp_path: Path) -> None:
    # auth.users is Supabase's: the migrations do not define its columns, so nothing is judged.
    later = "-- Users.\nALTER TABLE auth.users ADD COLUMN plan TEXT NOT NULL;\n"
    assert safety(tmp_path, later) == []


def test_not_null_is_suppressed_by_a_comment(tmp_path: Path) -> None:
    later = ("-- Due dates.\n-- lockstep-ignore add-not-null-without-default -- empty table\n"
             "ALTER TABLE goals ADD COLUMN due DATE NOT NULL;\n")
    assert safety(tmp_path, later) == []


# --- column-type-change ---------------------------------------------------------------------
def test_type_change_fires_on_an_existing_table_only(tmp_path: Path) -> None:
    [found] = safety(tmp_path, "-- Scores.\nALTER TABLE goals ALTER COLUMN score TYPE numeric;\n")
    assert found.code == "column-type-change" and "ACCESS EXCLUSIVE" in found.message
    assert found.data == {"table": "goals", "schema": "public", "columns": ["score"],
                          "kind": "type"}
    assert safety(tmp_path / "b", "-- Nothing.\nSELECT 1;\n",
                  INIT + "ALTER TABLE goals ALTER COLUMN score TYPE numeric;\n") == []


def test_type_change_is_suppressed_in_config(tmp_path: Path) -> None:
    files = {migration("001_init.sql"): INIT,
             migration("002_change.sql"): "-- S.\nALTER TABLE goals ALTER score TYPE bigint;\n"}
    found = diagnostics_for(tmp_path, files, '[rules]\n"column-type-change" = "off"\n')
    assert [d for d in found if d.code in SAFETY] == []


# --- unbounded-data-change ------------------------------------------------------------------
def test_update_and_delete_without_where(tmp_path: Path) -> None:
    later = ("-- Clean up.\nUPDATE goals SET title = trim(title);\nDELETE FROM public.goals;\n"
             "DELETE FROM goals WHERE title IS NULL;\n")
    update, delete = safety(tmp_path, later)
    assert (update.code, delete.code) == ("unbounded-data-change", "unbounded-data-change")
    assert (update.range.start.line, update.range.end.character) == (1, 12)  # `UPDATE goals`
    assert (delete.range.start.line, delete.range.end.character) == (2, 24)
    assert update.message.startswith("UPDATE without WHERE changes every row of `goals`")
    assert delete.data == {"table": "goals", "schema": "public", "columns": [],
                           "kind": "delete"}


def test_truncate_of_an_existing_table(tmp_path: Path) -> None:
    later = "-- Reset.\nCREATE TABLE cache (k TEXT PRIMARY KEY);\nTRUNCATE cache, goals;\n"
    [found] = safety(tmp_path, later)
    assert found.message.startswith("TRUNCATE deletes every row of `goals`")
    assert found.data is not None and found.data["kind"] == "truncate"


def test_backfilling_a_column_of_the_same_migration_is_quiet(tmp_path: Path) -> None:
    later = ("-- Done flags.\nALTER TABLE goals ADD COLUMN done BOOLEAN;\n"
             "UPDATE goals SET done = false;\nALTER TABLE goals ALTER COLUMN done SET NOT NULL;\n")
    assert safety(tmp_path, later) == []


def test_unbounded_change_follows_search_path(tmp_path: Path) -> None:
    init = ("-- App schema.\nCREATE SCHEMA app;\nCREATE TABLE app.logs (id UUID PRIMARY KEY);\n"
            "ALTER TABLE app.logs ENABLE ROW LEVEL SECURITY;\n")
    [found] = safety(tmp_path, "-- Purge.\nSET search_path = app, public;\nDELETE FROM logs;\n",
                     init)
    assert found.data is not None and found.data["schema"] == "app"


def test_supabase_tables_always_have_rows(tmp_path: Path) -> None:
    later = "-- Reset.\nUPDATE auth.users SET raw_app_meta_data = '{}';\n"
    [found] = safety(tmp_path, later)
    assert found.data == {"table": "users", "schema": "auth", "columns": ["raw_app_meta_data"],
                          "kind": "update"}


# --- concurrently-in-transaction ------------------------------------------------------------
def test_concurrently_with_other_statements_is_an_error(tmp_path: Path) -> None:
    later = ("-- Index.\nALTER TABLE goals ADD COLUMN due DATE;\n"
             "CREATE INDEX CONCURRENTLY idx_goals_due ON goals (due);\n")
    [found] = safety(tmp_path, later)
    assert (found.code, found.severity) == ("concurrently-in-transaction", "error")
    assert (found.range.start.character, found.range.end.character) == (13, 25)
    assert "(after 1 earlier statement here)" in found.message


def test_concurrently_alone_first_and_reindex(tmp_path: Path) -> None:
    alone = "-- Index.\nCREATE INDEX CONCURRENTLY idx_goals_score ON goals (score);\n"
    assert safety(tmp_path, alone) == []
    first = alone + "ALTER TABLE goals ADD COLUMN rank INT;\n"
    assert safety(tmp_path / "first", first) == []  # PostgreSQL accepts it first in the batch
    second = first + "CREATE INDEX CONCURRENTLY idx_goals_rank ON goals (rank);\n"
    [found] = safety(tmp_path / "second", second)
    assert found.range.start.line == 3 and "after 2 earlier statements" in found.message
    reindex = "-- Reindex.\nANALYZE goals;\nREINDEX INDEX CONCURRENTLY goals_pkey;\n"
    assert [d.code for d in safety(tmp_path / "b", reindex)] == ["concurrently-in-transaction"]


# --- transaction-in-migration ---------------------------------------------------------------
WRAPPED = "-- Scores.\nBEGIN;\nALTER TABLE goals ADD COLUMN rank INT;\nCOMMIT;\n"


def _transaction_fix(tmp_path: Path, files: dict[str, str], path: str) -> tuple[str, object]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    workspace = build_workspace(tmp_path, files)
    [first, *_] = [d for d in run_rules(workspace)[path] if d.code == "transaction-in-migration"]
    [edit] = fixes_for(workspace, first)
    return apply_text_edits(files[path], edit.edits), edit.applicability


def test_begin_and_commit_fire_and_the_fix_removes_both(tmp_path: Path) -> None:
    files = {migration("001_init.sql"): INIT, migration("002_change.sql"): WRAPPED}
    found = safety(tmp_path, WRAPPED)
    assert [(d.code, d.range.start.line) for d in found] == [
        ("transaction-in-migration", 1), ("transaction-in-migration", 3)]
    assert "already runs each file in a transaction" in found[0].message
    fixed, applicability = _transaction_fix(tmp_path / "fix", files, migration("002_change.sql"))
    assert fixed == "-- Scores.\nALTER TABLE goals ADD COLUMN rank INT;\n"
    assert applicability == Applicability.SAFE  # the newest migration


def test_the_fix_is_unsafe_on_an_older_migration(tmp_path: Path) -> None:
    files = {migration("001_init.sql"): INIT, migration("002_change.sql"): WRAPPED,
             migration("003_more.sql"): "-- More.\nALTER TABLE goals ADD COLUMN more INT;\n"}
    _, applicability = _transaction_fix(tmp_path, files, migration("002_change.sql"))
    assert applicability == Applicability.UNSAFE


@pytest.mark.parametrize("body", [
    "-- Half.\nBEGIN;\nALTER TABLE goals ADD COLUMN a INT;\nCOMMIT;\n"
    "ALTER TABLE goals ADD COLUMN b INT;\n",
    "-- Undo.\nALTER TABLE goals ADD COLUMN a INT;\nROLLBACK;\n",
])
def test_no_fix_when_removing_would_change_what_the_file_does(tmp_path: Path, body: str) -> None:
    workspace = build_workspace(tmp_path, {migration("001_init.sql"): INIT,
                                           migration("002_change.sql"): body})
    found = [d for d in run_rules(workspace)[migration("002_change.sql")]
             if d.code == "transaction-in-migration"]
    assert found and all(fixes_for(workspace, d) == [] for d in found)


# --- rename-breaks-consumers / drop-breaks-consumers ----------------------------------------
def test_a_renamed_column_points_at_every_call_site(tmp_path: Path) -> None:
    code = query("supabase.from('goals').select('id, title').order('title')")
    [found] = safety(tmp_path, "-- Names.\nALTER TABLE goals RENAME COLUMN title TO name;\n",
                     extra={CONSUMER: code})
    assert found.code == "rename-breaks-consumers" and found.path == migration("002_change.sql")
    assert "`goals.title` is renamed to `name`, but 2 call sites still use it" in found.message
    assert found.message.endswith("replace this RENAME with `lockstep-lsp rename goals.title "
                                  "name`, which writes the migration and renames every call site")
    assert [(r.location.path, r.location.range.start.line) for r in found.related] == [
        (CONSUMER, 1), (CONSUMER, 1)]
    assert found.data == {"table": "goals", "schema": "public", "columns": ["title"],
                          "kind": "rename-column", "new_name": "name",
                          "sites": [f"{CONSUMER}:2", f"{CONSUMER}:2"]}


def test_a_renamed_table_kept_as_a_view_breaks_nobody(tmp_path: Path) -> None:
    code = query("supabase.from('goals').select('id')")
    later = "-- Aims.\nALTER TABLE goals RENAME TO aims;\n"
    [found] = safety(tmp_path, later, extra={CONSUMER: code})
    assert found.message.startswith("`goals` is renamed to `aims`, but 1 call site still uses")
    assert "`lockstep-lsp rename goals aims`" in found.message
    compat = later + "CREATE VIEW goals AS SELECT * FROM aims;\n"
    assert safety(tmp_path / "b", compat, extra={CONSUMER: code}) == []


def test_a_column_renamed_then_the_table_renamed(tmp_path: Path) -> None:
    code = query("supabase.from('aims').select('id, title')")
    later = ("-- Aims.\nALTER TABLE goals RENAME COLUMN title TO name;\n"
             "ALTER TABLE goals RENAME TO aims;\n")
    found = safety(tmp_path, later, extra={CONSUMER: code})
    assert [(d.code, d.range.start.line) for d in found] == [("rename-breaks-consumers", 1)]


def test_a_dropped_column_and_table(tmp_path: Path) -> None:
    code = query("supabase.from('goals').select('id, score')")
    [found] = safety(tmp_path, "-- Scores go.\nALTER TABLE goals DROP COLUMN score;\n",
                     extra={CONSUMER: code})
    assert found.code == "drop-breaks-consumers"
    assert "`goals.score` is dropped, but 1 call site still uses it" in found.message
    assert found.related[0].message == "`score` in `.select()` still uses it"
    [table] = safety(tmp_path / "b", "-- Goals go.\nDROP TABLE goals;\n", extra={CONSUMER: code})
    assert table.data is not None and table.data["kind"] == "drop-table"
    assert table.related[0].message == "`.from('goals')` still uses it"


def test_a_column_added_back_breaks_nobody(tmp_path: Path) -> None:
    code = query("supabase.from('goals').select('id, score')")
    later = ("-- Scores as numeric.\nALTER TABLE goals DROP COLUMN score;\n"
             "ALTER TABLE goals ADD COLUMN score NUMERIC;\n")
    assert safety(tmp_path, later, extra={CONSUMER: code}) == []


def test_drops_without_consumers_are_quiet(tmp_path: Path) -> None:
    assert safety(tmp_path, "-- Scores go.\nALTER TABLE goals DROP COLUMN score;\n") == []


# --- the demo and the clean fixtures ----------------------------------------------------------
REPO = Path(__file__).resolve().parents[2]


def _ours(root: Path) -> list[Diagnostic]:
    workspace = Workspace(root)
    workspace.load()
    return [d for items in run_rules(workspace).values() for d in items if d.code in SAFETY]


def test_the_demo_readme_lists_exactly_our_findings() -> None:
    root = REPO / "examples" / "toney"
    readme = (root / "README.md").read_text(encoding="utf-8")
    listed = sorted(
        (code, path, int(line))
        for code, path, line in re.findall(r"\| `([a-z-]+)` \| `([^`]+)` \| (\d+) \|", readme)
        if code in SAFETY
    )
    found = sorted((d.code, d.path, d.range.start.line + 1) for d in _ours(root))
    assert found == listed == [
        ("drop-breaks-consumers", "supabase/migrations/014_drop_session_rating.sql", 3)]


@pytest.mark.parametrize("clean_repo", ["toney-clean", "supabase-cli"], indirect=True)
def test_clean_fixtures_have_none_of_our_findings(clean_repo: Path) -> None:
    assert _ours(clean_repo) == []
