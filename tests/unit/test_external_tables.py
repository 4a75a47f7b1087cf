"""Migrations that do not build the schema from empty, and replay honesty (issue 12).

A table the migrations touch but never create is reported once, where it is first used, and
shaped from the generated `Database` type when there is one; baselines are replayed first;
materialized views take indexes; a policy on a view gets PostgreSQL's reason; DDL inside a
guarded DO block is applied only when its guard holds.
"""

from __future__ import annotations

from pathlib import Path

from rule_helpers import build_workspace, diagnostics_for, migration

from lockstep.codeactions.fixes.generated import regenerate_edit
from lockstep.core.replay.engine import ReplayResult, replay
from lockstep.core.rules.engine import run_rules
from lockstep.core.sql.parse import parse_migration_sql

TYPES = "packages/types/src/database.ts"
GENERATED = """export type Json = string | number | boolean | null | Json[]
export type Database = {
  public: {
    Tables: {
      transactions: {
        Row: { id: string; amount: number; note: string | null; tags: string[] | null;
               label: string | null }
        Insert: { id?: string; amount: number; note?: string | null; tags?: string[] | null }
        Update: { id?: string; amount?: number; note?: string | null; tags?: string[] | null }
        Relationships: []
      }
    }
    Views: { [_ in never]: never }
    Functions: { [_ in never]: never }
    Enums: { [_ in never]: never }
    CompositeTypes: { [_ in never]: never }
  }
}
"""
TOUCHES = """-- Indexes and policies on a table made in the dashboard.
CREATE INDEX idx_tx_amount ON transactions (amount);
ALTER TABLE transactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own" ON transactions FOR SELECT USING (true);
ALTER TABLE transactions ADD COLUMN memo text;
"""
LATER = "-- More.\nCREATE INDEX idx_tx_note ON transactions (note);\n"
CODE = """export async function f(supabase: any) {
  await supabase.from('transactions').select('id, amount, memo');
  await supabase.from('transactions').select('note, label');
  await supabase.from('ledger').select('id');
  await supabase.from('ledger').select('x');
}
"""


def run(*sources: str) -> ReplayResult:
    return replay([(migration(f"{i:03}_m.sql"), parse_migration_sql(s))
                   for i, s in enumerate(sources, 1)])


def _diagnostics(tmp_path: Path, with_types: bool, config: str | None = None) -> list[str]:
    files = {migration("001_tx.sql"): TOUCHES, migration("002_more.sql"): LATER,
             "apps/web/src/tx.ts": CODE}
    if with_types:
        files[TYPES] = GENERATED
    found = diagnostics_for(tmp_path, files, config)
    return sorted(f"{d.code} {d.path.rpartition('/')[2]}:{d.range.start.line} {d.message}"
                  for d in found if d.code.startswith("unknown-"))


def test_a_never_created_table_is_reported_once_without_types(tmp_path: Path) -> None:
    found = _diagnostics(tmp_path, with_types=False)
    assert len(found) == 2, found
    assert found[0].startswith("unknown-table 001_tx.sql:1 Migrations never create "
                               "`transactions`; add a baseline")
    assert found[1].startswith("unknown-table-reference tx.ts:3 No table or view `ledger`")


def test_a_never_created_table_takes_its_shape_from_the_generated_types(tmp_path: Path) -> None:
    found = _diagnostics(tmp_path, with_types=True)
    assert len(found) == 2, found
    assert found[0].startswith("unknown-table 001_tx.sql:1 Migrations never create "
                               "`transactions`; its shape is taken from the generated types "
                               f"({TYPES})")
    assert found[1].startswith("unknown-table-reference tx.ts:3")


def test_the_placeholder_has_the_generated_shape() -> None:
    from lockstep.core.ts.index import index_types_file

    database = index_types_file(TYPES, GENERATED).database
    assert database is not None
    result = replay([(migration("001_m.sql"), parse_migration_sql(TOUCHES))],
                    databases=[database])
    table = result.schema.tables[("public", "transactions")]
    assert table.external == "types" and table.rls_enabled
    columns = {n: (c.type, c.nullable, c.has_default) for n, c in table.columns.items()}
    assert columns == {"id": ("text", False, True), "amount": ("integer", False, False),
                       "note": ("text", True, False), "tags": ("text[]", True, False),
                       "memo": ("text", True, False)}
    assert [i.code for i in result.issues] == ["unknown-table"]


def test_a_table_created_later_is_still_an_error_each_time() -> None:
    result = run("ALTER TABLE wins ADD COLUMN a int;", "CREATE INDEX ON wins (id);",
                 "CREATE TABLE wins (id int);")
    assert [i.code for i in result.issues] == ["unknown-table", "unknown-table"]
    assert "does not exist at this point" in result.issues[0].message


def test_a_missing_column_is_reported_once() -> None:
    result = run("CREATE TABLE t (id int);", "CREATE INDEX ON t (gone);",
                 "ALTER TABLE t ALTER COLUMN gone SET NOT NULL;")
    assert [i.code for i in result.issues] == ["unknown-column"]


def test_a_baseline_is_replayed_before_the_migrations(tmp_path: Path) -> None:
    files = {"database/schema.sql": "CREATE TABLE transactions (id uuid, amount int, "
                                    "note text, memo text);",
             migration("001_tx.sql"): TOUCHES}
    config = '[migrations]\nbaseline = ["database/schema.sql"]\n'
    found = diagnostics_for(tmp_path, files, config)
    assert not [d for d in found if d.code.startswith("unknown-")], found


def test_a_baseline_outside_the_root_is_refused(tmp_path: Path) -> None:
    config = '[migrations]\nbaseline = ["../schema.sql"]\n'
    (tmp_path / "ws").mkdir()
    found = diagnostics_for(tmp_path / "ws", {migration("001_tx.sql"): TOUCHES}, config)
    assert any(d.code == "invalid-config" and "baseline" in d.message for d in found)


def test_a_materialized_view_takes_indexes() -> None:
    result = run("CREATE TABLE t (id int);",
                 "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;"
                 "CREATE UNIQUE INDEX mv_id ON mv (id); COMMENT ON MATERIALIZED VIEW mv IS 'x';"
                 "GRANT SELECT ON mv TO authenticated;")
    assert result.issues == []


def test_a_policy_on_a_view_says_it_is_not_a_table() -> None:
    result = run("CREATE TABLE t (id int); CREATE VIEW v AS SELECT id FROM t;",
                 "CREATE POLICY p ON v FOR SELECT USING (true);")
    assert [i.message.split(" (")[0] for i in result.issues] == ['"v" is not a table']


def _do(guard: str, statement: str) -> str:
    return f"DO $$ BEGIN IF {guard} THEN {statement}; END IF; END $$;"


def test_a_guarded_enum_is_not_recreated_without_its_values() -> None:
    result = run("CREATE TYPE mood AS ENUM ('a', 'b');",
                 _do("NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood')",
                     "CREATE TYPE mood AS ENUM ('a')"))
    assert result.schema.enums[("public", "mood")].values == ["a", "b"]


def test_a_guarded_enum_is_created_when_missing() -> None:
    result = run(_do("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_namespace n "
                     "ON n.oid = t.typnamespace WHERE t.typname = 'mood' AND n.nspname = "
                     "'public')", "CREATE TYPE mood AS ENUM ('a')"))
    assert result.schema.enums[("public", "mood")].values == ["a"]


def test_a_guarded_drop_keeps_a_column_the_guard_protects() -> None:
    guard = ("EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 't' "
             "AND column_name = 'old')")
    kept = run("CREATE TABLE t (id int, c int);", _do(guard, "ALTER TABLE t DROP COLUMN c"))
    assert list(kept.schema.tables[("public", "t")].columns) == ["id", "c"]
    dropped = run("CREATE TABLE t (id int, old int, c int);",
                  _do(guard, "ALTER TABLE t DROP COLUMN c"))
    assert list(dropped.schema.tables[("public", "t")].columns) == ["id", "old"]


def test_an_else_branch_runs_when_the_guard_fails() -> None:
    sql = ("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'nope') THEN "
           "ALTER TABLE t ADD COLUMN a int; ELSE ALTER TABLE t ADD COLUMN b int; END IF; END $$;")
    result = run("CREATE TABLE t (id int);", sql)
    assert list(result.schema.tables[("public", "t")].columns) == ["id", "b"]


def test_an_unanswerable_guard_is_never_the_basis_of_an_error() -> None:
    result = run("CREATE TABLE t (id int);",
                 _do("current_setting('app.x') = 'y'", "ALTER TABLE t DROP COLUMN nope"))
    assert result.issues == []


def test_types_of_tables_the_migrations_never_create_are_not_stale(tmp_path: Path) -> None:
    from lockstep.core.gen.from_model import metadata
    from lockstep.core.gen.typescript import generate_typescript

    full = """CREATE TYPE kind AS ENUM ('card', 'bank');
    CREATE TABLE accounts (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), kind kind NOT NULL,
                           tags text[], meta jsonb, active boolean NOT NULL DEFAULT true);
    CREATE TABLE profiles (id uuid PRIMARY KEY, account_id uuid UNIQUE REFERENCES accounts (id),
                           score integer);
    CREATE TABLE ledger (id bigint PRIMARY KEY);
    CREATE FUNCTION label(accounts) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;"""
    schema = replay([(migration("000_full.sql"), parse_migration_sql(full))]).schema
    types = generate_typescript(metadata(schema, ["public"]))
    touches = ("-- Indexes on tables made elsewhere.\n"
               "CREATE INDEX idx_accounts_kind ON accounts (kind);\n"
               "CREATE INDEX idx_profiles_score ON profiles (score);\n")
    found = diagnostics_for(tmp_path, {migration("001_idx.sql"): touches, TYPES: types})
    assert sorted(d.code for d in found if d.code != "migration-filename") == \
        ["unknown-table", "unknown-table"], [d.message for d in found]
    assert "label" in types and "ledger" in types  # never touched: not out of date either

    drift = touches + "ALTER TABLE profiles ALTER COLUMN score SET NOT NULL;\n"
    (tmp_path / "drift").mkdir()
    workspace = build_workspace(tmp_path / "drift", {migration("001_idx.sql"): drift,
                                                     TYPES: types})
    [stale] = [d for items in run_rules(workspace).values() for d in items
               if d.code == "generated-types-stale"]
    assert "`public.Tables.profiles.Row.score` is `number|null`, the migrations give `number`" \
        in stale.message
    assert "from the database (`supabase gen types typescript`)" in stale.message
    assert regenerate_edit(workspace, TYPES) is None  # it would lose `ledger`


def test_hover_says_no_migration_creates_a_placeholder(tmp_path: Path) -> None:
    from rule_helpers import build_workspace

    from lockstep.core.ide.hover import table_card

    files = {migration("001_tx.sql"): TOUCHES, TYPES: GENERATED}
    card = table_card(build_workspace(tmp_path, files), ("public", "transactions"), False)
    assert card is not None
    assert "no migration creates it (shape from the generated types)" in card
