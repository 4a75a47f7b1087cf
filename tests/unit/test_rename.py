"""Rename planner (core/ide/rename.py) and its edit builder (codeactions/refactor/rename.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockstep.codeactions.edits import apply_text_edits
from lockstep.codeactions.refactor.rename import build_rename
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.ide.rename import RefactorRefused, Subject, plan_rename, subject_at
from lockstep.core.rules.engine import run_rules
from lockstep.core.text import LineIndex
from lockstep.core.workspace import Workspace

MIGRATION = """-- Profiles, wins and the simulator's copy of wins.
CREATE TABLE profiles (id UUID PRIMARY KEY, name TEXT);
CREATE TABLE wins (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  mood TEXT,
  score INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sim_wins (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL,
  mood TEXT,
  score INTEGER NOT NULL DEFAULT 0
);
"""
TYPES = """export type Win = {
  id?: string;
  user_id: string;
  mood: string | null;
  score?: number;
};
"""
HOOK = """import type { Win } from '@x/types';
type Item = Pick<Win, 'id' | 'mood'>;
export async function load(supabase: any, mood: string): Promise<Item[]> {
  await supabase.from('wins').select('id, m:mood, mood, profiles(name)').eq('mood', mood)
    .order('mood');
  await supabase.from('wins').insert({ mood, score: 1 });
  await supabase.from('wins').upsert({ 'mood': mood }, { onConflict: 'mood' });
  await supabase.from('profiles').select('name, wins(mood)');
  const { data } = await supabase.from('wins').select('id, mood');
  await supabase.from('sim_wins')
    .insert((data ?? []).map((w: Win) => ({ id: w.id, mood: w.mood })));
  return [];
}
"""
DATABASE = """export type Database = {
  public: {
    Tables: {
      wins: {
        Row: { id: string; mood: string | null };
        Insert: { id?: string; mood?: string | null };
        Update: { id?: string; mood?: string | null };
        Relationships: [];
      };
    };
    Views: {};
    Enums: {};
  };
};
"""


def make_repo(root: Path, extra: dict[str, str] | None = None) -> Path:
    files = {
        "supabase/migrations/001_init.sql": MIGRATION,
        "packages/types/src/wins.ts": TYPES,
        "packages/types/src/index.ts": "export * from './wins';\n",
        "apps/web/src/hooks/useWins.ts": HOOK,
        **(extra or {}),
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def load(root: Path) -> Workspace:
    workspace = Workspace(root)
    workspace.load()
    return workspace


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def applied(workspace: Workspace, subject: Subject, new: str, keep: bool = False) -> dict[str, str]:
    """Every file's text after the rename (the new migration included)."""
    plan = plan_rename(workspace, subject, new, keep)
    result = build_rename(workspace, plan, keep)
    out: dict[str, str] = {c.path: c.content for c in result.edit.creates}
    for path in {e.path for e in result.edit.edits}:
        edits = [e for e in result.edit.edits if e.path == path]
        out[path] = apply_text_edits(workspace.read(path) or "", edits)
    return out


def test_column_rename_reaches_every_place(repo: Path) -> None:
    files = applied(load(repo), Subject(("public", "wins"), "mood"), "feeling")
    migration = files.pop("supabase/migrations/002_rename_wins_mood_to_feeling.sql")
    assert "ALTER TABLE wins RENAME COLUMN mood TO feeling;" in migration
    assert "ALTER TABLE sim_wins RENAME COLUMN mood TO feeling;" in migration
    assert migration.startswith("-- Rename wins.mood to feeling.")
    assert "feeling: string | null;" in files["packages/types/src/wins.ts"]
    hook = files["apps/web/src/hooks/useWins.ts"]
    assert "Pick<Win, 'id' | 'feeling'>" in hook
    assert ".select('id, m:feeling, feeling, profiles(name)').eq('feeling', mood)" in hook
    assert ".order('feeling')" in hook
    assert ".insert({ feeling: mood, score: 1 })" in hook  # shorthand keeps its value
    assert ".upsert({ 'feeling': mood }, { onConflict: 'feeling' })" in hook
    assert ".select('name, wins(feeling)')" in hook  # an embedded table's column
    assert "({ id: w.id, feeling: w.feeling })" in hook  # the clone's row read follows
    assert "'mood'" not in hook and "w.mood" not in hook
    assert set(files) == {"packages/types/src/wins.ts", "apps/web/src/hooks/useWins.ts"}


def test_keep_result_keys_aliases_bare_select_items(repo: Path) -> None:
    files = applied(load(repo), Subject(("public", "wins"), "mood"), "feeling", keep=True)
    hook = files["apps/web/src/hooks/useWins.ts"]
    assert ".select('id, m:feeling, mood:feeling, profiles(name)')" in hook
    assert ".select('id, mood:feeling')" in hook
    assert "({ id: w.id, feeling: w.mood })" in hook  # result keys kept: the read stays


def test_table_rename_renames_twin_type_and_embeds(repo: Path) -> None:
    files = applied(load(repo), Subject(("public", "wins"), None), "victories")
    migration = files["supabase/migrations/002_rename_wins_to_victories.sql"]
    assert "ALTER TABLE wins RENAME TO victories;" in migration
    assert "ALTER TABLE sim_wins RENAME TO sim_victories;" in migration
    hook = files["apps/web/src/hooks/useWins.ts"]
    assert hook.count(".from('victories')") == 4
    assert ".from('sim_victories')" in hook
    assert ".select('name, victories(mood)')" in hook
    assert "import type { Victory } from '@x/types';" in hook
    assert "Pick<Victory, 'id' | 'mood'>" in hook and "(w: Victory)" in hook
    assert "export type Victory = {" in files["packages/types/src/wins.ts"]


def test_renamed_workspace_has_no_new_findings(repo: Path) -> None:
    def findings(root: Path) -> set[tuple[str, str]]:
        found: list[Diagnostic] = [d for ds in run_rules(load(root)).values() for d in ds]
        return {(d.code, d.message) for d in found}

    before = findings(repo)
    for subject, new in ((Subject(("public", "wins"), "mood"), "feeling"),
                         (Subject(("public", "wins"), None), "victories")):
        for path, text in applied(load(repo), subject, new).items():
            (repo / path).write_text(text)
        after = findings(repo)
        assert after <= {(c, m.replace("wins", "victories")) for c, m in before} | before


def test_generated_database_type_is_edited(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"packages/types/src/database.ts": DATABASE})
    workspace = load(root)
    files = applied(workspace, Subject(("public", "wins"), "mood"), "feeling")
    database = files["packages/types/src/database.ts"]
    assert database.count("feeling") == 3 and "mood" not in database
    files = applied(workspace, Subject(("public", "wins"), None), "victories")
    assert "      victories: {" in files["packages/types/src/database.ts"]


def _position(workspace: Workspace, path: str, needle: str, skip: int = 0) -> object:
    text = workspace.read(path) or ""
    return LineIndex(text).position(text.index(needle) + skip)


@pytest.mark.parametrize(
    ("path", "needle", "skip", "expected"),
    [
        ("supabase/migrations/001_init.sql", "mood TEXT,\n  score INTEGER NOT NULL DEFAULT 0\n);\n"
         "CREATE TABLE sim", 1, (("public", "wins"), "mood")),
        ("supabase/migrations/001_init.sql", "wins (", 1, (("public", "wins"), None)),
        ("apps/web/src/hooks/useWins.ts", "'wins').select('id, m", 2, (("public", "wins"), None)),
        ("apps/web/src/hooks/useWins.ts", "m:mood", 3, (("public", "wins"), "mood")),
        ("apps/web/src/hooks/useWins.ts", "eq('mood'", 5, (("public", "wins"), "mood")),
        ("apps/web/src/hooks/useWins.ts", "{ mood, score", 3, (("public", "wins"), "mood")),
        ("packages/types/src/wins.ts", "mood:", 1, (("public", "wins"), "mood")),
        ("packages/types/src/wins.ts", "Win =", 1, (("public", "wins"), None)),
        ("packages/types/src/database.ts", "mood?", 1, (("public", "wins"), "mood")),
        ("packages/types/src/database.ts", "wins:", 1, (("public", "wins"), None)),
    ],
)
def test_subject_from_every_kind_of_place(
    tmp_path: Path, path: str, needle: str, skip: int, expected: tuple[object, object]
) -> None:
    workspace = load(make_repo(tmp_path, {"packages/types/src/database.ts": DATABASE}))
    subject = subject_at(workspace, path, _position(workspace, path, needle, skip))  # type: ignore[arg-type]
    assert (subject.table, subject.column) == expected
    assert subject.range is not None


@pytest.mark.parametrize(
    ("subject", "new", "message"),
    [
        (Subject(("public", "nope"), None), "x", "is not a table"),
        (Subject(("public", "wins"), "nope"), "x", "is not a column"),
        (Subject(("public", "wins"), "mood"), "score", "already has a column `score`"),
        (Subject(("public", "wins"), None), "profiles", "`profiles` already exists"),
        (Subject(("public", "sim_wins"), None), "x", "rename `wins` and its mirror follows"),
        (Subject(("public", "wins"), "mood"), "Feeling", "not a plain lower-case SQL name"),
        (Subject(("public", "wins"), "mood"), "two words", "not a plain lower-case SQL name"),
        (Subject(("public", "wins"), "mood"), "mood", "already called `mood`"),
    ],
)
def test_refusals(repo: Path, subject: Subject, new: str, message: str) -> None:
    with pytest.raises(RefactorRefused, match=message):
        plan_rename(load(repo), subject, new)


def test_twin_name_collision_is_refused(tmp_path: Path) -> None:
    taken = "-- Taken.\nCREATE TABLE sim_victories (id UUID PRIMARY KEY);\n"
    root = make_repo(tmp_path, {"supabase/migrations/000_taken.sql": taken})
    with pytest.raises(RefactorRefused, match="`sim_victories` already exists"):
        plan_rename(load(root), Subject(("public", "wins"), None), "victories")


def test_dynamic_select_is_refused_with_its_place(tmp_path: Path) -> None:
    dynamic = "export const f = (s: any, cols: string) => s.from('wins').select(cols);\n"
    root = make_repo(tmp_path, {"apps/web/src/lib/dynamic.ts": dynamic})
    with pytest.raises(RefactorRefused, match="cannot rewrite safely") as refused:
        plan_rename(load(root), Subject(("public", "wins"), "mood"), "feeling")
    assert [p.path for p in refused.value.places] == ["apps/web/src/lib/dynamic.ts"]
    # A table rename does not care which columns a dynamic select names.
    plan_rename(load(root), Subject(("public", "wins"), None), "victories")


def test_nothing_renameable_at_the_cursor(repo: Path) -> None:
    workspace = load(repo)
    path = "apps/web/src/hooks/useWins.ts"
    with pytest.raises(RefactorRefused, match="names a table or column to rename"):
        subject_at(workspace, path, _position(workspace, path, "async function"))  # type: ignore[arg-type]


def test_next_version_skips_a_file_only_on_disk(repo: Path) -> None:
    workspace = load(repo)
    (repo / "supabase/migrations/002_other.sql").write_text("-- later\n")
    plan = plan_rename(workspace, Subject(("public", "wins"), "mood"), "feeling")
    result = build_rename(workspace, plan)
    assert result.migration.path == "supabase/migrations/003_rename_wins_mood_to_feeling.sql"
    assert [c.path for c in result.edit.creates] == [result.migration.path]


def test_no_mirror_statement_when_the_twin_lacks_the_column(tmp_path: Path) -> None:
    migration = MIGRATION.rsplit("  mood TEXT,\n", 1)[0] + "  score INTEGER\n);\n"
    root = make_repo(tmp_path, {"supabase/migrations/001_init.sql": migration})
    files = applied(load(root), Subject(("public", "wins"), "mood"), "feeling")
    content = files["supabase/migrations/002_rename_wins_mood_to_feeling.sql"]
    assert "ALTER TABLE wins RENAME COLUMN mood TO feeling;" in content
    assert "sim_wins" not in content


def test_generated_types_relationships_and_tables_references(tmp_path: Path) -> None:
    import shutil

    root = Path(shutil.copytree(Path(__file__).parents[1] / "fixtures" / "supabase-cli",
                                tmp_path / "cli"))
    workspace = load(root)
    types = "packages/types/src/database.types.ts"
    files = applied(workspace, Subject(("public", "tasks"), "project_id"), "project")
    assert 'columns: ["project"]' in files[types] and "project: string\n" in files[types]
    # A constraint (twice: the table's relationship and the one through the view) and the
    # view's own column (its Row and its relationship) keep their names, as in PostgreSQL.
    assert files[types].count("project_id") == 4
    assert ".eq('project', projectId)" in files["apps/web/src/hooks/useTasks.ts"]
    [migration] = [p for p in files if p.endswith("_rename_tasks_project_id_to_project.sql")]
    assert migration.startswith("supabase/migrations/2")  # the repo's timestamp style
    files = applied(workspace, Subject(("public", "profiles"), None), "members")
    assert 'referencedRelation: "members"' in files[types] and "      members: {" in files[types]
    hook = files["apps/web/src/hooks/useTasks.ts"]
    assert "Pick<Tables<'members'>, 'username' | 'avatar_url'>" in hook
    assert "assignee:members(username, avatar_url)" in hook


def test_a_sim_column_is_renamed_from_its_prod_table(repo: Path) -> None:
    workspace = load(repo)
    path = "supabase/migrations/001_init.sql"
    text = workspace.read(path) or ""
    at = LineIndex(text).position(text.rindex("mood TEXT") + 1)
    subject = subject_at(workspace, path, at)
    assert (subject.table, subject.column) == (("public", "wins"), "mood")
    plan = plan_rename(workspace, Subject(("public", "sim_wins"), "mood"), "feeling")
    assert plan.subject.table == ("public", "wins") and plan.twin == ("public", "sim_wins")


def test_a_sim_only_column_is_renamed_alone(tmp_path: Path) -> None:
    migration = MIGRATION.replace("  score INTEGER NOT NULL DEFAULT 0\n);\n",
                                  "  score INTEGER NOT NULL DEFAULT 0,\n  content TEXT\n);\n")
    migration = migration.replace("content TEXT\n);\nCREATE TABLE sim_wins", "score2 INT\n);\n"
                                  "CREATE TABLE sim_wins", 1)
    root = make_repo(tmp_path, {"supabase/migrations/001_init.sql": migration})
    workspace = load(root)
    assert "content" in workspace.replay.schema.tables[("public", "sim_wins")].columns
    assert "content" not in workspace.replay.schema.tables[("public", "wins")].columns
    files = applied(workspace, Subject(("public", "sim_wins"), "content"), "body")
    sql = files["supabase/migrations/002_rename_sim_wins_content_to_body.sql"]
    assert "ALTER TABLE sim_wins RENAME COLUMN content TO body;" in sql


def test_review_lists_result_reads_opaque_writes_and_function_bodies(tmp_path: Path) -> None:
    reads = ("export async function f(s: any, row: any) {\n"
             "  const { data } = await s.from('wins').select('mood').single();\n"
             "  await s.from('wins').insert(row);\n"
             "  return data.mood;\n}\n")
    function = ("-- Counts moods.\nCREATE FUNCTION moods() RETURNS bigint LANGUAGE sql AS $$\n"
                "  SELECT count(mood) FROM public.wins\n$$;\n")
    root = make_repo(tmp_path, {"apps/web/src/lib/reads.ts": reads,
                                "supabase/migrations/002_fn.sql": function})
    plan = plan_rename(load(root), Subject(("public", "wins"), "mood"), "feeling")
    reasons = {(r.location.path, r.location.range.start.line, r.reason) for r in plan.review}
    assert ("apps/web/src/lib/reads.ts", 3, "reads `.mood` from a query result") in reasons
    assert ("apps/web/src/lib/reads.ts", 2,
            "`.insert()` of keys Lockstep cannot list (a variable or a spread)") in reasons
    assert any(p == "supabase/migrations/002_fn.sql" and "function body" in why
               for p, _, why in reasons)
    kept = plan_rename(load(root), Subject(("public", "wins"), "mood"), "feeling", True)
    assert not any("query result" in r.reason for r in kept.review)


def test_swap_name_replaces_whole_words_only() -> None:
    from lockstep.codeactions.refactor.objects import swap_name

    assert swap_name("idx_wins_user_id", "wins", "victories") == "idx_victories_user_id"
    assert swap_name("Users can read own wins", "wins", "victories") == (
        "Users can read own victories")
    assert swap_name("winsome_idx", "wins", "victories") is None
    assert swap_name("coaching_notes_pkey", "coaching_notes", "notes") == "notes_pkey"


def test_rename_objects_covers_indexes_constraints_and_policies(tmp_path: Path) -> None:
    policy = ('-- Policy.\nALTER TABLE wins ENABLE ROW LEVEL SECURITY;\n'
              'CREATE POLICY "read own wins" ON wins FOR SELECT USING (true);\n'
              'CREATE INDEX idx_wins_mood ON wins(mood);\nCREATE INDEX idx_sim_wins_mood ON '
              'sim_wins(mood);\n')
    root = make_repo(tmp_path, {"supabase/migrations/002_policy.sql": policy})
    workspace = load(root)
    plan = plan_rename(workspace, Subject(("public", "wins"), None), "victories")
    sql = build_rename(workspace, plan, objects=True).migration.content
    assert 'ALTER POLICY "read own wins" ON victories RENAME TO "read own victories";' in sql
    assert "ALTER INDEX idx_wins_mood RENAME TO idx_victories_mood;" in sql
    assert "ALTER TABLE victories RENAME CONSTRAINT wins_pkey TO victories_pkey;" in sql
    assert "ALTER INDEX idx_sim_wins_mood RENAME TO idx_sim_victories_mood;" in sql
    assert "sim_wins_user_id_fkey" not in sql  # the twin has no such constraint
    plain = build_rename(workspace, plan).migration.content
    assert "ALTER INDEX" not in plain and "POLICY" not in plain  # off by default
