"""Column rules across the PostgREST grammar: embeds resolved through foreign keys, nested
filter and order paths, counts and aggregates; only real clients; the fixture repo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rule_helpers import build_workspace, codes, diagnostics_for, migration

from lockstep.core.diagnostics import Diagnostic
from lockstep.core.ide.completion import complete
from lockstep.core.ide.target import symbol_at
from lockstep.core.rules.engine import run_rules
from lockstep.core.text import Position
from lockstep.core.workspace import Workspace

CONSUMER_CODES = {"unknown-table-reference", "unknown-column-reference", "clone-missing-column"}
REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests/fixtures/postgrest"
SQL = """-- Posts with authors and comments, workouts, identities, folders; a view and functions.
CREATE TABLE profiles (id UUID PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE posts (
  id BIGINT PRIMARY KEY,
  author_id UUID NOT NULL,
  editor_id UUID REFERENCES profiles (id),
  title TEXT,
  amount NUMERIC,
  data JSONB,
  CONSTRAINT posts_author_id_fkey FOREIGN KEY (author_id) REFERENCES profiles (id)
);
CREATE TABLE comments (id BIGINT PRIMARY KEY, post_id BIGINT REFERENCES posts (id), body TEXT);
CREATE TABLE workouts (id UUID PRIMARY KEY, user_id UUID, date_completed DATE);
CREATE TABLE workout_sets (id UUID PRIMARY KEY, workout_id UUID REFERENCES workouts (id));
CREATE TABLE identities (id UUID PRIMARY KEY);
CREATE TABLE notifications (id UUID PRIMARY KEY, identity_id UUID REFERENCES identities (id),
  read BOOLEAN);
CREATE TABLE tokens (id UUID PRIMARY KEY, identity UUID REFERENCES identities (id));
CREATE TABLE folders (id UUID PRIMARY KEY, sort_order INT);
CREATE TABLE documents (id UUID PRIMARY KEY, folder_id UUID REFERENCES folders (id),
  sort_date TIMESTAMPTZ);
CREATE VIEW post_stats AS SELECT author_id, count(*) AS n FROM posts GROUP BY author_id;
CREATE FUNCTION title_upper(posts) RETURNS text LANGUAGE sql AS $$ SELECT upper($1.title) $$;
CREATE FUNCTION top_comments(posts) RETURNS SETOF comments LANGUAGE sql
  AS $$ SELECT * FROM comments WHERE post_id = $1.id $$;
"""
LIB = "apps/web/src/lib/queries.ts"


def run(tmp_path: Path, body: str, config: str | None = None) -> list[Diagnostic]:
    code = f"export async function f(supabase: any, id: string) {{\n  {body}\n}}\n"
    files = {migration("001_init.sql"): SQL, LIB: code}
    tmp_path.mkdir(parents=True, exist_ok=True)
    every = diagnostics_for(tmp_path, files, config)
    return [d for d in every if d.code in CONSUMER_CODES]


def found(diags: list[Diagnostic]) -> list[tuple[str, str]]:
    return [(d.data["table"], d.data["column"]) for d in diags if d.data]


@pytest.mark.parametrize(
    "body",
    [
        # counts and aggregates
        "await supabase.from('posts').select('id, comments(count)');",
        "await supabase.from('posts').select('count');",
        "await supabase.from('posts').select('n:count(), amount.sum(), amount::int.avg()');",
        "await supabase.from('posts').select('m:amount.max()::text, author_id');",
        # json paths, casts, computed fields
        "await supabase.from('posts').select('data->tags->>0, data->>kind::text, title::varchar');",
        "await supabase.from('posts').select('title_upper, top_comments(body)');",
        # embeds by table, FK constraint and FK column, both directions, spreads, views
        "await supabase.from('posts').select('*, author:profiles!posts_author_id_fkey(name)');",
        "await supabase.from('posts').select('editor_id(name), posts_author_id_fkey(name)');",
        "await supabase.from('posts').select('id, ...profiles!editor_id!inner(name)');",
        "await supabase.from('profiles').select('name, posts!posts_author_id_fkey(title)');",
        "await supabase.from('profiles').select('name, posts_author_id_fkey(title)');",
        "await supabase.from('profiles').select('name, post_stats(n, anything)');",
        # filters and order on embedded and nested embedded columns
        "await supabase.from('workout_sets').select('*, workout:workouts!inner(user_id)')"
        ".eq('workout.user_id', id).not('workout.date_completed', 'is', null)"
        ".order('workout(date_completed)', { ascending: false });",
        "await supabase.from('tokens').select('*, identities(*, notifications(*))')"
        ".eq('identities.notifications.read', false);",
        "await supabase.from('folders').select('*, documents(*)')"
        ".order('sort_date', { referencedTable: 'documents' })"
        ".order('sort_date', { foreignTable: 'documents' })"
        ".or('sort_date.is.null', { referencedTable: 'documents' });",
        # null filtering on an embed names the embed itself
        "await supabase.from('posts').select('*, comments!inner(*), a:profiles!editor_id(*)')"
        ".not('comments', 'is', null).is('a', null).or('comments.not.is.null,a.is.null');",
        "await supabase.from('profiles').select('id, posts!posts_author_id_fkey(comments(body))')"
        ".order('body', { referencedTable: 'posts.comments' })"
        ".order('comments(body)', { referencedTable: 'posts' });",
    ],
)
def test_valid_postgrest_says_nothing(tmp_path: Path, body: str) -> None:
    assert run(tmp_path, body) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("await supabase.from('posts').select('amout.sum()');", ("posts", "amout")),
        ("await supabase.from('posts').select('id, comments(bdy)');", ("comments", "bdy")),
        (
            "await supabase.from('posts').select('a:profiles!posts_author_id_fkey(nme)');",
            ("profiles", "nme"),
        ),
        ("await supabase.from('posts').select('editor_id(nme)');", ("profiles", "nme")),
        ("await supabase.from('posts').select('posts_author_id_fkey(nme)');", ("profiles", "nme")),
        (
            "await supabase.from('profiles').select('posts_author_id_fkey(titel)');",
            ("posts", "titel"),
        ),
        ("await supabase.from('posts').select('...profiles!editor_id(nme)');", ("profiles", "nme")),
        (
            "await supabase.from('workout_sets').select('w:workouts!inner(id)')"
            ".order('w(date_complete)');",
            ("workouts", "date_complete"),
        ),
        (
            "await supabase.from('tokens').select('*, identities(*, notifications(*))')"
            ".eq('identities.notifications.red', false);",
            ("notifications", "red"),
        ),
        (
            "await supabase.from('folders').select('*, documents(*)')"
            ".order('sort_dat', { referencedTable: 'documents' });",
            ("documents", "sort_dat"),
        ),
        ("await supabase.from('posts').select('nope->>x');", ("posts", "nope")),
        ("await supabase.from('post_stats').select('n, author_id(nme)');", ("profiles", "nme")),
    ],
)
def test_wrong_columns_name_their_table(
    tmp_path: Path, body: str, expected: tuple[str, str]
) -> None:
    assert found(run(tmp_path, body)) == [expected]


def test_embedded_message_names_the_embed(tmp_path: Path) -> None:
    body = (
        "await supabase.from('tokens').select('*, identities(*, notifications(*))')"
        ".eq('identities.notifications.red', false);\n"
        "  await supabase.from('posts').select('author:profiles!posts_author_id_fkey(nme)');\n"
        "  await supabase.from('posts').select('comments(bdy)');"
    )
    assert [d.message for d in run(tmp_path, body)] == [
        "Embedded table `notifications` (`identities.notifications` in `.from('tokens')`) "
        "has no column `red`. Did you mean `read`?",
        "Embedded table `profiles` (`author` in `.from('posts')`) has no column `nme`. "
        "Did you mean `name`?",
        "Embedded table `comments` (in `.from('posts')`) has no column `bdy`. Did you mean `body`?",
    ]


@pytest.mark.parametrize(
    "body",
    [
        # an embed the model cannot resolve (a relationship made elsewhere) and its filters
        "await supabase.from('posts').select('id, reviewers(x), r:nothing!inner(y)')"
        ".eq('reviewers.x', 1).eq('r.y', 2);",
        # a computed relationship (a function): its target table is not modelled
        "await supabase.from('posts').select('top_comments(anything)');",
        # a filter on an embed that the select does not name, or cannot be read
        "await supabase.from('posts').select('id').eq('comments.bdy', 1);",
        "await supabase.from('posts').select(`id, ${EMBEDS}`).eq('comments.bdy', 1);",
        # nested under an unresolved embed
        "await supabase.from('posts').select('id, reviewers(comments(bdy))');",
        # `.rpc()` calls a function, not a table
        "await supabase.rpc('top_comments', { id }).select('x').eq('y', 1);",
    ],
)
def test_unresolvable_says_nothing(tmp_path: Path, body: str) -> None:
    assert run(tmp_path, body) == []


def test_non_clients_are_not_tables(tmp_path: Path) -> None:
    body = (
        "const c = [Color.from('#0088FF'), Color.from('red'), Buffer.from('x')];\n"
        "  const bucket = supabase.storage.from('avatars');\n"
        "  const items = Array.from(new Set([id]));"
    )
    assert run(tmp_path, "import Color from 'color';\n" + body) == []


def test_configured_client_names(tmp_path: Path) -> None:
    body = "await repo.from('postz');"
    assert run(tmp_path, body) == []
    diags = run(tmp_path / "configured", body, '[consumers]\nclients = ["repo"]\n')
    assert codes(diags) == ["unknown-table-reference"]


# --- the fixture repo ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_workspace() -> Workspace:
    workspace = Workspace(FIXTURE)
    workspace.load()
    return workspace


def test_fixture_findings_are_exactly_the_expected(fixture_workspace: Workspace) -> None:
    expected = json.loads((FIXTURE / "EXPECTED.json").read_text(encoding="utf-8"))
    diags = sorted(
        (d for items in run_rules(fixture_workspace).values() for d in items),
        key=Diagnostic.sort_key,
    )
    actual = [
        {
            "path": d.path,
            "code": d.code,
            "line": d.range.start.line,
            "character": d.range.start.character,
            "message": d.message,
        }
        for d in diags
        if d.code in CONSUMER_CODES
    ]
    assert actual == expected


def test_fixture_indexes_every_real_client_and_no_decoy(fixture_workspace: Workspace) -> None:
    files = fixture_workspace.consumer_files
    assert "apps/web/src/lib/decoys.ts" not in files
    assert len(files["apps/web/src/lib/receivers.ts"]) == 10
    assert [use.table for use in files["supabase/functions/notify/index.ts"]] == ["notifications"]


@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("apps/admin/src/lib/queries/users.ts", "admin-query"),
        ("apps/web/src/hooks/useWins.ts", "hook"),
        ("apps/web/src/hooks/use-profile.ts", "hook"),
        ("apps/web/src/lib/users.ts", "other"),
    ],
)
def test_fixture_categories(fixture_workspace: Workspace, path: str, category: str) -> None:
    assert {use.category for use in fixture_workspace.consumer_files[path]} == {category}


def test_fixture_navigation_resolves_aliased_and_nested_embeds(
    fixture_workspace: Workspace,
) -> None:
    lines = (FIXTURE / "apps/web/src/lib/queries.ts").read_text(encoding="utf-8").split("\n")

    def table_at(snippet: str, word: str) -> tuple[str, str] | None:
        line = next(i for i, text in enumerate(lines) if snippet in text)
        character = lines[line].index(snippet) + snippet.index(word)
        target = symbol_at(
            fixture_workspace, "apps/web/src/lib/queries.ts", Position(line, character)
        )
        return (target.table[1], target.column or "") if target is not None else None

    assert table_at(".eq('workout.user_id'", "user_id") == ("workouts", "user_id")
    assert table_at("'identities.notifications.read'", "read") == ("notifications", "read")


def test_completion_offers_tables_only_on_clients(tmp_path: Path) -> None:
    workspace = build_workspace(
        tmp_path, {migration("001_init.sql"): SQL}, '[consumers]\nclients = ["repo"]\n'
    )

    def labels(code: str) -> list[str]:
        at = Position(0, code.index("|"))
        return [item.label for item in complete(workspace, LIB, code.replace("|", ""), at)]

    assert "posts" in labels("supabase.from('|')")
    assert "posts" in labels("repo.from('|')")
    assert labels("Color.from('|')") == []
    assert labels("other.from('|')") == []
