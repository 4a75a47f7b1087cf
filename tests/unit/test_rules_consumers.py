"""Consumer rules: `.from()` tables, columns in queries, and the simulator clone route."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rule_helpers import codes, diagnostics_for, migration

from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import run_rules
from lockstep.core.workspace import Workspace

CONSUMER_CODES = {"unknown-table-reference", "unknown-column-reference", "clone-missing-column"}
TYPE_CODES = {
    "type-missing-field",
    "type-unknown-field",
    "type-nullability",
    "type-optionality",
    "type-mismatch",
    "table-missing-type",
    "type-not-exported",
}
MINE = CONSUMER_CODES | TYPE_CODES
REPO = Path(__file__).resolve().parents[2]
SQL = """-- Profiles, wins and a view.
CREATE TABLE profiles (id UUID PRIMARY KEY, name TEXT);
CREATE TABLE wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  data JSONB
);
CREATE VIEW win_counts AS SELECT user_id, count(*) AS n FROM wins GROUP BY user_id;
CREATE FUNCTION display_name(profiles) RETURNS text LANGUAGE sql AS $$ SELECT $1.name $$;
"""
ROUTE = "apps/web/src/app/api/wins/route.ts"


def run(tmp_path: Path, code: str, sql: str = SQL, path: str = ROUTE) -> list[Diagnostic]:
    files = {migration("001_init.sql"): sql, path: code}
    tmp_path.mkdir(parents=True, exist_ok=True)
    return [d for d in diagnostics_for(tmp_path, files) if d.code in CONSUMER_CODES]


def q(body: str) -> str:
    return f"export async function f(supabase: any, id: string) {{\n  {body}\n}}\n"


# --- unknown-table-reference ---------------------------------------------------------------


def test_unknown_table(tmp_path: Path) -> None:
    diags = run(tmp_path, q("await supabase.from('winz').select('id, nope');"))
    assert codes(diags) == ["unknown-table-reference"]  # columns of an unknown table: unchecked
    diag = diags[0]
    assert "Did you mean `wins`?" in diag.message
    assert (diag.range.start.line, diag.range.start.character) == (1, 23)
    assert (diag.range.end.line, diag.range.end.character) == (1, 27)
    assert diag.data == {"table": "winz", "schema": "public", "suggestion": "wins"}


def test_known_tables_views_and_other_schemas_are_fine(tmp_path: Path) -> None:
    code = q(
        "await supabase.from('wins').select('id');\n"
        "  await supabase.from('win_counts').select('user_id, whatever');\n"
        "  await supabase.schema('analytics').from('events').select('*');\n"
        "  await supabase.storage.from('avatars').upload('x', y);\n"
        "  Array.from('abc');"
    )
    assert run(tmp_path, code) == []


def test_dropped_table_says_so(tmp_path: Path) -> None:
    sql = SQL + "DROP TABLE profiles CASCADE;\n"
    diags = run(tmp_path, q("await supabase.from('profiles').select('id');"), sql)
    assert "dropped in 001_init.sql" in diags[0].message


def test_unknown_table_suppressed(tmp_path: Path) -> None:
    code = q("// lockstep-ignore unknown-table-reference\n  await supabase.from('winz').select();")
    assert run(tmp_path, code) == []


def test_no_migrations_no_findings(tmp_path: Path) -> None:
    files = {ROUTE: q("await supabase.from('anything').select('x');")}
    assert [d for d in diagnostics_for(tmp_path, files) if d.code in CONSUMER_CODES] == []


# --- unknown-column-reference --------------------------------------------------------------


def test_unknown_column_in_select(tmp_path: Path) -> None:
    diags = run(tmp_path, q("await supabase.from('wins').select('id, txt, user_id');"))
    assert codes(diags) == ["unknown-column-reference"]
    diag = diags[0]
    assert "Table `wins` has no column `txt`. Did you mean `text`?" in diag.message
    assert (diag.range.start.character, diag.range.end.character) == (42, 45)
    assert diag.data is not None and diag.data["suggestion"] == "text"


def test_unknown_columns_in_filters_order_and_writes(tmp_path: Path) -> None:
    code = q(
        "await supabase.from('wins').update({ txt: 'a', user_id: id }).eq('usr', id)"
        ".order('created', { ascending: false }).match({ nope: 1 });"
    )
    diags = run(tmp_path, code)
    assert codes(diags) == ["unknown-column-reference"] * 4
    assert [d.data["column"] for d in diags if d.data] == ["txt", "usr", "created", "nope"]


def test_embedded_resources_are_resolved(tmp_path: Path) -> None:
    code = q(
        "await supabase.from('wins')"
        ".select('id, author:profiles!inner(id, nam), data->>mood, text::varchar, count()')"
        ".eq('author.naem', 'x').eq('profiles.name', 'y');"
    )
    diags = run(tmp_path, code)
    assert [(d.data["table"], d.data["column"]) for d in diags if d.data] == [
        ("profiles", "nam"),
        ("profiles", "naem"),
    ]


def test_columns_not_judged_are_skipped(tmp_path: Path) -> None:
    code = q(
        "await supabase.from('wins').select('*, unknown_rel(x), profiles(display_name)');\n"
        "  await supabase.from('win_counts').select('anything').eq('n', 1);\n"
        "  await supabase.from('wins').insert({ ...rest, text: 'a' });\n"
        "  await supabase.from('wins').select(cols);"
    )
    assert run(tmp_path, code) == []


def test_dropped_column_says_so(tmp_path: Path) -> None:
    sql = SQL + "ALTER TABLE wins DROP COLUMN data;\n"
    diags = run(tmp_path, q("await supabase.from('wins').select('id, data');"), sql)
    assert "dropped in 001_init.sql" in diags[0].message
    assert diags[0].related[0].location.path == migration("001_init.sql")


def test_unknown_column_suppressed(tmp_path: Path) -> None:
    code = q(
        "// lockstep-ignore unknown-column-reference\n"
        "  await supabase.from('wins').select('id, txt');"
    )
    assert run(tmp_path, code) == []


# --- clone-missing-column ------------------------------------------------------------------

CLONE = "apps/admin/src/app/api/simulator/personas/clone/route.ts"
CLONE_SQL = """-- Wins and their simulator mirror.
CREATE TABLE wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  text TEXT NOT NULL,
  mood TEXT
);
CREATE TABLE sim_wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  text TEXT NOT NULL,
  content TEXT NOT NULL,
  mood TEXT
);
"""
GOOD_CLONE = """export async function POST(admin: any) {
  const { data: wins } = await admin.from('wins').select('id, created_at, text, mood');
  await admin.from('sim_wins').insert(
    (wins ?? []).map((w) => ({
      created_at: w.created_at,
      text: w.text,
      content: w.text,
      mood: w.mood,
    })),
  );
}
"""


def clone(tmp_path: Path, code: str, sql: str = CLONE_SQL) -> list[Diagnostic]:
    return run(tmp_path, code, sql, CLONE)


def test_clone_complete_is_clean(tmp_path: Path) -> None:
    assert clone(tmp_path, GOOD_CLONE) == []


def test_clone_insert_missing_not_null_column_is_an_error(tmp_path: Path) -> None:
    diags = clone(tmp_path, GOOD_CLONE.replace("      content: w.text,\n", ""))
    assert codes(diags) == ["clone-missing-column"]
    diag = diags[0]
    assert diag.severity == "error"
    assert "never sets `content`" in diag.message
    assert (diag.range.start.line, diag.range.start.character) == (2, 31)  # `insert`
    assert diag.data is not None and diag.data["column"] == "content"


def test_clone_insert_not_copying_a_shared_column_is_a_warning(tmp_path: Path) -> None:
    diags = clone(tmp_path, GOOD_CLONE.replace("      mood: w.mood,\n", ""))
    assert codes(diags) == ["clone-missing-column"]
    assert diags[0].severity == "warning"
    assert diags[0].data is not None and diags[0].data["suggestion"] == "mood: w.mood,"


def test_clone_insert_with_object_literal_and_block_body(tmp_path: Path) -> None:
    block = GOOD_CLONE.replace("(w) => ({", "function (w) { return {").replace(
        "    })),", "    }; }),"
    )
    assert clone(tmp_path, block) == []
    literal = (
        "export async function POST(admin: any) {\n"
        "  await admin.from('sim_wins').insert({ created_at: 1, text: 't', mood: null });\n}\n"
    )
    assert codes(clone(tmp_path / "b", literal)) == ["clone-missing-column"]


def test_clone_insert_with_unknown_keys_is_not_judged(tmp_path: Path) -> None:
    spread = GOOD_CLONE.replace("      content: w.text,\n", "      ...w,\n")
    assert clone(tmp_path, spread) == []
    variable = GOOD_CLONE.replace("(wins ?? []).map((w) => ({", "rows.filter((w) => ({")
    assert clone(tmp_path / "b", variable) == []


def test_clone_select_missing_column(tmp_path: Path) -> None:
    diags = clone(tmp_path, GOOD_CLONE.replace("'id, created_at, text, mood'", "'id, text, mood'"))
    assert codes(diags) == ["clone-missing-column"]
    diag = diags[0]
    assert "without `created_at`" in diag.message
    assert diag.range.start.line == 1
    assert diag.data is not None and diag.data["suggestion"] == "id, text, mood, created_at"


def test_clone_select_missing_column_that_the_mirror_lacks(tmp_path: Path) -> None:
    sql = CLONE_SQL + "ALTER TABLE wins ADD COLUMN energy INT;\n"
    diags = clone(tmp_path, GOOD_CLONE, sql)
    assert codes(diags) == ["clone-missing-column"]
    assert "`sim_wins` lacks it too" in diags[0].message


def test_clone_rules_only_in_clone_routes(tmp_path: Path) -> None:
    code = GOOD_CLONE.replace("      content: w.text,\n", "")
    assert run(tmp_path, code, CLONE_SQL, "apps/admin/src/lib/other.ts") == []


def test_clone_missing_column_suppressed(tmp_path: Path) -> None:
    code = GOOD_CLONE.replace("      content: w.text,\n", "").replace(
        "  await admin.from('sim_wins')",
        "  // lockstep-ignore clone-missing-column\n  await admin.from('sim_wins')",
    )
    assert clone(tmp_path, code) == []


def test_broken_consumer_never_raises(tmp_path: Path) -> None:
    run(tmp_path, "\ufeffexport function f() {\r\n  supabase.from('wins').select('id, (((\r\n")
    run(tmp_path / "b", GOOD_CLONE[:200], CLONE_SQL, CLONE)


# --- the fixture repos ---------------------------------------------------------------------


def mine(root: Path) -> list[Diagnostic]:
    workspace = Workspace(root)
    workspace.load()
    return [d for items in run_rules(workspace).values() for d in items if d.code in MINE]


@pytest.mark.parametrize("clean_repo", ["toney-clean", "supabase-cli"], indirect=True)
def test_clean_fixtures_have_no_findings(clean_repo: Path, tmp_path: Path) -> None:
    root = tmp_path / clean_repo.name
    shutil.copytree(clean_repo, root)
    assert mine(root) == []


def test_toney_example_shows_exactly_the_deliberate_findings(tmp_path: Path) -> None:
    root = tmp_path / "toney"
    shutil.copytree(REPO / "examples" / "toney", root)
    found = sorted((d.code, d.path, d.range.start.line + 1) for d in mine(root))
    clone_route = "apps/admin/src/app/api/simulator/personas/clone/route.ts"
    assert found == [
        ("clone-missing-column", clone_route, 63),
        ("clone-missing-column", clone_route, 67),
        ("type-missing-field", "packages/types/src/wins.ts", 5),
        ("type-unknown-field", "packages/types/src/sessions.ts", 9),
        ("unknown-column-reference", "apps/admin/src/lib/queries/sessions.ts", 13),
        ("unknown-table-reference", "apps/admin/src/lib/queries/wins.ts", 10),
    ]


def test_clone_select_judged_only_for_copied_tables_and_across_reads(tmp_path: Path) -> None:
    lookup = "  const { count } = await admin.from('wins').select('id').eq('text', 'x');\n"
    extra_read = GOOD_CLONE.replace(
        "export async function POST(admin: any) {\n",
        "export async function POST(admin: any) {\n" + lookup,
    )
    assert clone(tmp_path, extra_read) == []
    no_copy = "export async function POST(admin: any) {\n" + lookup + "}\n"
    assert clone(tmp_path / "b", no_copy) == []


def test_consumers_exclude_is_honoured(tmp_path: Path) -> None:
    """`[consumers] exclude` globs: those files are not consumers (no checks, no references)."""
    code = q("await supabase.from('winz').select('id');")
    legacy = "apps/legacy/src/old.ts"
    files = {migration("001_init.sql"): SQL, ROUTE: code, legacy: code}
    found = diagnostics_for(tmp_path, files, '[consumers]\nexclude = ["apps/legacy/**"]\n')
    assert [(d.path, d.code) for d in found if d.code in CONSUMER_CODES] == [
        (ROUTE, "unknown-table-reference")]
