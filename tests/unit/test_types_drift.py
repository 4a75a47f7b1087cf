"""Type rules on generated types (issue 12): computed fields, enum aliases, and drift said once.

A generated `Database` file that `generated-types-stale` judges (a whole `supabase gen types`
output) is left to that rule: it names what is out of date and regenerates the file, so the
per-field rules would repeat each difference. A trimmed or hand-edited `Database` type is
still compared field by field.
"""

from __future__ import annotations

from pathlib import Path

from rule_helpers import diagnostics_for, migration

from lockstep.core.gen.from_model import metadata
from lockstep.core.gen.typescript import generate_typescript
from lockstep.core.replay.engine import replay
from lockstep.core.sql.parse import parse_migration_sql

TYPES = "packages/types/src"
SQL = """-- Wins, their mood and a computed field.
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE wins (id UUID DEFAULT gen_random_uuid() PRIMARY KEY, text TEXT NOT NULL, mood mood);
CREATE FUNCTION shout(wins) RETURNS text LANGUAGE sql AS $$ SELECT upper($1.text) $$;
"""
TRIMMED = """type MoodAlias = 'happy' | 'sad';
export type Database = {
  public: {
    Tables: {
      wins: {
        Row: { id: string; text: string; mood: Database['public']['Enums']['mood'] | null;
               shout: string | null };
        Insert: { id?: string; text: string };
        Update: { id?: string };
      };
    };
    Enums: { mood: MoodAlias };
  };
};
"""
CODES = {"type-unknown-field", "type-missing-field", "type-mismatch", "type-nullability",
         "table-missing-type", "generated-types-stale"}


def _run(tmp_path: Path, types: str, sql: str = SQL) -> list[str]:
    files = {migration("001_wins.sql"): sql, f"{TYPES}/database.types.ts": types,
             f"{TYPES}/index.ts": "export * from './database.types';\n"}
    return sorted(f"{d.code}: {d.message}" for d in diagnostics_for(tmp_path, files)
                  if d.code in CODES)


def test_a_computed_field_and_an_enum_alias_are_understood(tmp_path: Path) -> None:
    assert _run(tmp_path, TRIMMED) == []


def test_an_enum_alias_that_lags_is_read_through_the_alias(tmp_path: Path) -> None:
    [found] = _run(tmp_path, TRIMMED.replace("'happy' | 'sad'", "'happy'"))
    assert found.startswith("type-mismatch: `Database` enum `mood` has ['happy'] but")


def test_a_field_no_column_or_function_backs_is_still_unknown(tmp_path: Path) -> None:
    [found] = _run(tmp_path, TRIMMED.replace("shout: string", "whisper: string"))
    assert found.startswith("type-unknown-field:")
    assert "`lockstep-lsp gen types`" in found


def _generated(sql: str) -> str:
    schema = replay([(migration("001_wins.sql"), parse_migration_sql(sql))]).schema
    return generate_typescript(metadata(schema, ["public"]))


def test_drift_in_a_whole_generated_file_is_said_once(tmp_path: Path) -> None:
    assert _run(tmp_path, _generated(SQL)) == []
    later = SQL + "ALTER TABLE wins ADD COLUMN energy int;\nCREATE TABLE notes (id int);\n"
    (tmp_path / "later").mkdir()
    found = _run(tmp_path / "later", _generated(SQL), later)
    assert [f.split(":")[0] for f in found] == ["generated-types-stale"], found


def test_drift_is_per_field_when_the_stale_rule_is_off(tmp_path: Path) -> None:
    later = SQL + "ALTER TABLE wins ADD COLUMN energy int;\n"
    files = {migration("001_wins.sql"): later, f"{TYPES}/database.types.ts": _generated(SQL),
             f"{TYPES}/index.ts": "export * from './database.types';\n"}
    found = diagnostics_for(tmp_path, files, '[rules]\n"generated-types-stale" = "off"\n')
    assert [d.code for d in found if d.code in CODES] == ["type-missing-field"]
