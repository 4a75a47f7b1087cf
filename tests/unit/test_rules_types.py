"""Type rules: row types in packages/types/src against the replayed schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_helpers import codes, diagnostics_for, migration

from lockstep.core.diagnostics import Diagnostic

TYPE_CODES = {
    "type-missing-field",
    "type-unknown-field",
    "type-nullability",
    "type-optionality",
    "type-mismatch",
    "table-missing-type",
    "type-not-exported",
}
SQL = """-- Wins and their mood.
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL,
  text TEXT NOT NULL,
  mood mood,
  tags TEXT[] DEFAULT '{}' NOT NULL
);
"""
TYPES = "packages/types/src"
GOOD_WIN = """export type Mood = 'happy' | 'sad';

export type Win = {
  id?: string;
  user_id: string;
  text: string;
  mood: Mood | null;
  tags?: string[];
};
"""
INDEX = "export * from './wins';\n"


def run(tmp_path: Path, win: str = GOOD_WIN, sql: str = SQL, **extra: str) -> list[Diagnostic]:
    files = {
        migration("001_wins.sql"): sql,
        f"{TYPES}/wins.ts": win,
        f"{TYPES}/index.ts": INDEX,
    }
    config = extra.pop("config", None)
    files.update({k.replace("__", "/"): v for k, v in extra.items()})
    tmp_path.mkdir(parents=True, exist_ok=True)
    found = diagnostics_for(tmp_path, files, config)
    return [d for d in found if d.code in TYPE_CODES]


def only(diags: list[Diagnostic], code: str) -> Diagnostic:
    matching = [d for d in diags if d.code == code]
    assert len(matching) == 1, diags
    return matching[0]


def test_good_row_type_is_clean(tmp_path: Path) -> None:
    assert run(tmp_path) == []


def test_missing_field(tmp_path: Path) -> None:
    diag = only(run(tmp_path, GOOD_WIN.replace("  text: string;\n", "")), "type-missing-field")
    assert diag.path == f"{TYPES}/wins.ts"
    assert (diag.range.start.line, diag.range.start.character) == (2, 12)  # `Win`
    assert "`Win` has no field for column `text` (text, not null): add `text: string;`" in (
        diag.message
    )
    assert diag.data is not None and diag.data["suggestion"] == "text: string;"
    assert diag.data["column"] == "text" and diag.data["sql_type"] == "text"
    assert diag.related and diag.related[0].location.path == migration("001_wins.sql")


def test_missing_field_suggestion_reuses_enum_alias_and_optional(tmp_path: Path) -> None:
    win = GOOD_WIN.replace("  mood: Mood | null;\n", "").replace("  tags?: string[];\n", "")
    diags = run(tmp_path, win)
    assert codes(diags) == ["type-missing-field", "type-missing-field"]
    suggestions = sorted(str(d.data["suggestion"]) for d in diags if d.data)
    assert suggestions == ["mood: Mood | null;", "tags?: string[];"]


def test_missing_field_suppressed(tmp_path: Path) -> None:
    win = GOOD_WIN.replace("  text: string;\n", "").replace(
        "export type Win", "// lockstep-ignore type-missing-field\nexport type Win"
    )
    assert run(tmp_path, win) == []


def test_unknown_field_dropped_column(tmp_path: Path) -> None:
    sql = SQL + "ALTER TABLE wins ADD COLUMN rating SMALLINT;\n"
    drop = "-- Drop rating.\nALTER TABLE wins DROP COLUMN rating;\n"
    win = GOOD_WIN.replace("  tags?", "  rating: number | null;\n  tags?")
    diags = run(tmp_path, win, sql, **{"supabase__migrations__002_drop.sql": drop})
    diag = only(diags, "type-unknown-field")
    assert diag.range.start.line == 7 and diag.range.start.character == 2
    assert "dropped in 002_drop.sql" in diag.message
    assert diag.related[0].location.path == migration("002_drop.sql")


def test_unknown_field_typo_suggests(tmp_path: Path) -> None:
    diags = run(tmp_path, GOOD_WIN.replace("  user_id:", "  usr_id:"))
    diag = only(diags, "type-unknown-field")
    assert "Did you mean `user_id`?" in diag.message
    assert diag.data is not None and diag.data["suggestion"] == "user_id"
    assert only(diags, "type-missing-field")


def test_unknown_field_renamed_column(tmp_path: Path) -> None:
    rename = "-- Rename.\nALTER TABLE wins RENAME COLUMN text TO body;\n"
    diags = run(tmp_path, GOOD_WIN, SQL, **{"supabase__migrations__002_rename.sql": rename})
    diag = only(diags, "type-unknown-field")
    assert "renamed to `body`" in diag.message and "Did you mean `body`?" in diag.message


def test_unknown_field_suppressed(tmp_path: Path) -> None:
    win = GOOD_WIN.replace(
        "  tags?", "  // lockstep-ignore type-unknown-field\n  extra: 1;\n  tags?"
    )
    assert run(tmp_path, win) == []


def test_nullability_both_ways(tmp_path: Path) -> None:
    win = GOOD_WIN.replace("mood: Mood | null", "mood: Mood").replace(
        "text: string", "text: string | null"
    )
    diags = run(tmp_path, win)
    assert codes(diags) == ["type-nullability", "type-nullability"]
    assert "`wins.text` is NOT NULL" in diags[0].message
    assert "`wins.mood` is nullable" in diags[1].message


def test_nullability_not_fired_through_nullable_alias_or_unknown(tmp_path: Path) -> None:
    win = GOOD_WIN.replace("mood: Mood | null", "mood: MaybeMood") + (
        "type MaybeMood = Mood | null;\n"
    )
    assert run(tmp_path, win) == []
    assert run(tmp_path / "b", GOOD_WIN.replace("mood: Mood | null", "mood: Imported")) == []


def test_nullability_suppressed(tmp_path: Path) -> None:
    win = GOOD_WIN.replace(
        "  mood: Mood | null", "  // lockstep-ignore type-nullability\n  mood: Mood"
    )
    assert run(tmp_path, win) == []


def test_optionality(tmp_path: Path) -> None:
    win = GOOD_WIN.replace("id?: string", "id: string").replace("text: string", "text?: string")
    diags = run(tmp_path, win)
    assert codes(diags) == ["type-optionality", "type-optionality"]
    assert all(d.severity == "information" for d in diags)
    assert "`wins.id` has a default" in diags[0].message
    assert "`wins.text` has no default" in diags[1].message


def test_optionality_off_in_generated_style(tmp_path: Path) -> None:
    win = GOOD_WIN.replace("id?: string", "id: string").replace("tags?:", "tags:")
    config = '[types]\nstyle = "generated"\n'
    assert run(tmp_path, win, config=config) == []


def test_optionality_suppressed(tmp_path: Path) -> None:
    win = GOOD_WIN.replace("  id?: string", "  // lockstep-ignore type-optionality\n  id: string")
    assert run(tmp_path, win) == []


def test_mismatch(tmp_path: Path) -> None:
    diags = run(tmp_path, GOOD_WIN.replace("text: string", "text: number"))
    diag = only(diags, "type-mismatch")
    assert diag.severity == "error"
    assert diag.range.start.line == 5
    assert diag.data is not None and diag.data["ts_type"] == "string"


def test_mismatch_enum_alias_lacking_a_value(tmp_path: Path) -> None:
    diags = run(tmp_path, GOOD_WIN.replace("'happy' | 'sad'", "'happy'"))
    assert "lacks 'sad'" in only(diags, "type-mismatch").message


@pytest.mark.parametrize(
    "spelling",
    [
        "string | null",
        "Mood | null",
        "Database['public']['Enums']['mood'] | null",
        "Feeling | null",
    ],
)
def test_mismatch_not_fired_for_accepted_enum_spellings(tmp_path: Path, spelling: str) -> None:
    assert run(tmp_path, GOOD_WIN.replace("Mood | null", spelling)) == []


def test_mismatch_suppressed(tmp_path: Path) -> None:
    win = GOOD_WIN.replace("  text: string", "  // lockstep-ignore type-mismatch\n  text: number")
    assert run(tmp_path, win) == []


EXTRA_TABLE = "-- Goals.\nCREATE TABLE goals (id UUID PRIMARY KEY, title TEXT NOT NULL);\n"


def test_table_missing_type(tmp_path: Path) -> None:
    diags = run(tmp_path, GOOD_WIN, **{"supabase__migrations__002_goals.sql": EXTRA_TABLE})
    diag = only(diags, "table-missing-type")
    assert diag.path == migration("002_goals.sql")
    assert diag.range.start.line == 1 and diag.range.start.character == 13
    assert diag.data is not None and diag.data["type_name"] == "Goal"
    assert diag.data["fields"] == ["id: string;", "title: string;"]


def test_table_missing_type_silent_without_types_convention(tmp_path: Path) -> None:
    files = {migration("001_wins.sql"): SQL, "apps/web/src/x.ts": "export const x = 1;\n"}
    assert [d for d in diagnostics_for(tmp_path, files) if d.code in TYPE_CODES] == []


def test_table_missing_type_skips_sim_and_internal(tmp_path: Path) -> None:
    sql = (
        "-- Mirror and telemetry.\nCREATE TABLE sim_wins (id UUID);\n"
        "CREATE TABLE llm_usage (id INT);\n"
    )
    assert run(tmp_path, GOOD_WIN, **{"supabase__migrations__002_x.sql": sql}) == []


def test_table_missing_type_suppressed(tmp_path: Path) -> None:
    sql = (
        "-- Goals.\n-- lockstep-ignore table-missing-type\n"
        "CREATE TABLE goals (id UUID PRIMARY KEY);\n"
    )
    assert run(tmp_path, GOOD_WIN, **{"supabase__migrations__002_goals.sql": sql}) == []


def test_type_not_exported(tmp_path: Path) -> None:
    extra = {"packages__types__src__index.ts": "export * from './other';\n"}
    diag = only(run(tmp_path, GOOD_WIN, **extra), "type-not-exported")
    assert diag.range.start.line == 2
    assert "export * from './wins';" in diag.message


def test_type_not_exported_via_named_reexport_is_fine(tmp_path: Path) -> None:
    extra = {"packages__types__src__index.ts": "export type { Win, Mood } from './wins';\n"}
    assert run(tmp_path, GOOD_WIN, **extra) == []


def test_type_not_exported_suppressed(tmp_path: Path) -> None:
    win = GOOD_WIN.replace(
        "export type Win", "// lockstep-ignore type-not-exported\nexport type Win"
    )
    extra = {"packages__types__src__index.ts": "export {};\n"}
    assert run(tmp_path, win, **extra) == []


DATABASE = """export type Json = string | number | boolean | null | { [k: string]: Json } | Json[];
export type Database = {
  graphql_public: { Tables: { [_ in never]: never }; Enums: { [_ in never]: never } };
  public: {
    Tables: {
      wins: {
        Row: {
          id: string;
          user_id: string;
          text: string;
          mood: Database['public']['Enums']['mood'] | null;
          tags: string[];
        };
        Insert: { id?: string };
        Update: { id?: string };
      };
    };
    Views: { v: { Row: { anything: string } } };
    Enums: { mood: 'happy' | 'sad' };
  };
};
"""


def run_generated(tmp_path: Path, database: str, sql: str = SQL) -> list[Diagnostic]:
    files = {
        migration("001_wins.sql"): sql,
        f"{TYPES}/database.types.ts": database,
        f"{TYPES}/index.ts": "export * from './database.types';\n",
    }
    return [d for d in diagnostics_for(tmp_path, files) if d.code in TYPE_CODES]


def test_generated_database_in_sync_is_clean(tmp_path: Path) -> None:
    assert run_generated(tmp_path, DATABASE) == []


def test_generated_database_stale(tmp_path: Path) -> None:
    sql = SQL + "ALTER TABLE wins ADD COLUMN energy INT;\nALTER TYPE mood ADD VALUE 'meh';\n"
    stale = DATABASE.replace(
        "          tags: string[];\n", "          tags: string[];\n          gone: string;\n"
    )
    diags = run_generated(tmp_path, stale, sql)
    assert sorted(codes(diags)) == ["type-mismatch", "type-missing-field", "type-unknown-field"]
    for diag in diags:
        assert "supabase gen types typescript" in diag.message
    missing = only(diags, "type-missing-field")
    assert "Database['public']['Tables']['wins']['Row']" in missing.message


def test_generated_database_missing_table(tmp_path: Path) -> None:
    diags = run_generated(tmp_path, DATABASE, SQL + EXTRA_TABLE)
    assert "regenerate" in only(diags, "table-missing-type").message


def test_hand_written_and_generated_both_checked(tmp_path: Path) -> None:
    files = {
        migration("001_wins.sql"): SQL + "ALTER TABLE wins ADD COLUMN energy INT;\n",
        f"{TYPES}/database.types.ts": DATABASE,
        f"{TYPES}/wins.ts": GOOD_WIN,
        f"{TYPES}/index.ts": "export * from './database.types';\nexport * from './wins';\n",
    }
    diags = [d for d in diagnostics_for(tmp_path, files) if d.code in TYPE_CODES]
    assert sorted(d.path for d in diags) == [f"{TYPES}/database.types.ts", f"{TYPES}/wins.ts"]


def test_broken_types_file_never_raises(tmp_path: Path) -> None:
    run(tmp_path, "export type Win = {\n  id?: string;\n  text: \n", sql=SQL + "CREATE TABLE (")
    run(tmp_path / "bom", "\ufeffexport type Win = {\r\n  id?: string;\r\n}\r\n")
