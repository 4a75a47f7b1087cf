"""The consumer index: supabase-js `.from('table')` call sites, their chains and categories."""

from __future__ import annotations

import pytest

from lockstep.core.consumers.index import (
    DEFAULT_CATEGORIES,
    TableUse,
    categorize,
    index_consumers_file,
    might_use_tables,
)
from lockstep.core.globs import glob_match
from lockstep.core.text import Position, Range, decode_source

ROUTE = "apps/web/src/app/api/wins/route.ts"
LIB = "apps/web/src/lib/data.ts"


def uses(text: str, path: str = LIB) -> list[TableUse]:
    return index_consumers_file(path, text)


def tables(text: str, path: str = LIB) -> list[str]:
    return [use.table for use in uses(text, path)]


def only(text: str, path: str = LIB) -> TableUse:
    found = uses(text, path)
    assert len(found) == 1, found
    return found[0]


def call(use: TableUse, name: str) -> list[tuple[str, str | None]]:
    chained = next(c for c in use.chain if c.name == name)
    return [(column.name, column.relation) for column in chained.columns]


# --- which calls count -----------------------------------------------------------------


def test_single_quoted_table_and_ranges() -> None:
    use = only("const q = supabase.from('wins')\n")
    assert use.table == "wins"
    assert use.table_range == Range(Position(0, 25), Position(0, 29))
    assert use.range == Range(Position(0, 10), Position(0, 31))
    assert use.receiver == "supabase"
    assert use.schema is None


def test_double_quotes_and_template_literal() -> None:
    assert tables('supabase.from("wins"); supabase.from(`sessions`)') == ["wins", "sessions"]


def test_template_with_substitution_is_not_a_table() -> None:
    assert tables("supabase.from(`sim_${name}`)") == []


@pytest.mark.parametrize(
    "receiver",
    [
        "supabase",
        "admin",
        "this.supabase",
        "getClient()",
        "createClient(url, key)",
        "ctx.db",
        "(await createClient())",
        "supabase!",
        "window.supabase",
        "supabase?.",
    ],
)
def test_client_receivers(receiver: str) -> None:
    dot = "" if receiver.endswith(".") else "."
    assert tables(f"{receiver}{dot}from('wins')") == ["wins"]


@pytest.mark.parametrize(
    "decoy",
    [
        "Array.from('abc')",
        "Buffer.from('abc', 'utf8')",
        "Uint8Array.from('abc')",
        "Float64Array.from('abc')",
        "Object.from('x')",
        "Set.from('x')",
        "Map.from('x')",
        "Promise.from('x')",
        "Iterator.from('x')",
        "Observable.from('x')",
        "Rx.Observable.from('x')",
        "globalThis.Array.from('x')",
        "Temporal.PlainDate.from('2024-01-01')",
        "Readable.from('x')",
        "supabase.storage.from('avatars')",
        "this.supabase.storage.from('avatars').upload(path, file)",
        "const storage = supabase.storage; storage.from('avatars')",
        "supabase.from(tableName)",
        "supabase.from(TABLES.wins)",
        "// supabase.from('wins')",
        "/* supabase.from('wins') */",
        "const s = \"supabase.from('wins')\"",
        "const s = 'wins'",
        "from('wins')",
        "import { x } from 'wins'",
    ],
)
def test_decoys_are_not_reported(decoy: str) -> None:
    assert tables(decoy + "\n") == []


def test_schema_is_recorded() -> None:
    use = only("supabase.schema('analytics').from('events').select('*')")
    assert (use.schema, use.table) == ("analytics", "events")
    assert [c.name for c in use.chain] == ["select"]


def test_tsx_file() -> None:
    text = (
        "export default function Page() {\n"
        "  const x = <div>{items.map((i) => <b key={i}>{i}</b>)}</div>\n"
        "  supabase.from('wins')\n"
        "  return x\n}\n"
    )
    use = only(text, "apps/web/src/app/page.tsx")
    assert use.table_range.start == Position(2, 17)
    assert use.function == "Page"


def test_ts_generic_cast_is_fine_in_ts() -> None:
    assert tables("const r = <Row>supabase.from('wins')") == ["wins"]


# --- the chain -------------------------------------------------------------------------


def test_multiline_chain() -> None:
    text = """const { data } = await supabase
  .from('wins')
  .select('id, text, profiles(name)')
  .eq('user_id', userId)
  .order('created_at', { ascending: false })
  .limit(10)
  .single()
"""
    use = only(text)
    assert [c.name for c in use.chain] == ["select", "eq", "order", "limit", "single"]
    assert use.table_range == Range(Position(1, 9), Position(1, 13))
    select = use.chain[0]
    assert select.select is not None
    assert select.select.value == "id, text, profiles(name)"
    assert select.select.range == Range(Position(2, 11), Position(2, 35))
    assert select.name_range == Range(Position(2, 3), Position(2, 9))
    assert select.range == Range(Position(2, 3), Position(2, 37))
    assert call(use, "select") == [("id", None), ("text", None), ("name", "profiles")]
    assert select.columns[1].range == Range(Position(2, 15), Position(2, 19))
    assert call(use, "eq") == [("user_id", None)]
    assert use.chain[1].columns[0].range == Range(Position(3, 7), Position(3, 14))
    assert call(use, "order") == [("created_at", None)]
    assert call(use, "limit") == []
    assert use.operations == ("select",)
    assert [c.name for c in use.columns] == ["id", "text", "user_id", "created_at"]


def test_multiline_select_template() -> None:
    text = "supabase.from('wins').select(`\n  id,\n  text\n`)"
    use = only(text)
    assert use.chain[0].columns[1].range == Range(Position(2, 2), Position(2, 6))


def test_select_with_variable_is_unknown() -> None:
    use = only("supabase.from('wins').select(cols)")
    assert use.chain[0].unknown_columns
    assert use.chain[0].select is None


def test_select_without_arguments() -> None:
    use = only("supabase.from('wins').select()")
    assert not use.chain[0].unknown_columns
    assert use.chain[0].columns == ()


@pytest.mark.parametrize(
    "method",
    ["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "is", "in", "contains",
     "containedBy", "not", "filter", "textSearch", "order"],
)  # fmt: skip
def test_filter_columns(method: str) -> None:
    use = only(f"supabase.from('wins').select('*').{method}('mood', x)")
    assert call(use, method) == [("mood", None)]


def test_filter_on_json_path_and_embedded_table() -> None:
    use = only("supabase.from('wins').select('*').eq('meta->>k', 1).eq('profiles.name', 'a')")
    assert [(c.name, c.relation) for c in use.columns] == [("meta", None)]
    assert use.chain[2].columns[0].relation == "profiles"


def test_order_on_referenced_table() -> None:
    text = "supabase.from('wins').select('*, profiles(*)')"
    use = only(text + ".order('name', { referencedTable: 'profiles' })")
    assert call(use, "order") == [("name", "profiles")]


def paths(use: TableUse, name: str) -> list[tuple[str, tuple[str, ...]]]:
    chained = [c for c in use.chain if c.name == name]
    return [
        (column.name, column.path) for chained_call in chained for column in chained_call.columns
    ]


def test_select_columns_carry_their_embed_path_by_alias() -> None:
    use = only(
        "supabase.from('posts').select('id, author:profiles!posts_author_id_fkey(name, "
        "avatars(url)), comments(body, ...reactions(kind))')"
    )
    assert paths(use, "select") == [
        ("id", ()),
        ("name", ("author",)),
        ("url", ("author", "avatars")),
        ("body", ("comments",)),
        ("kind", ("comments", "reactions")),
    ]
    assert call(use, "select")[1] == ("name", "profiles")  # the relation, for navigation
    assert [c.name for c in use.columns] == ["id"]


def test_embed_count_is_not_a_column() -> None:
    use = only("supabase.from('posts').select('id, comments(count)')")
    assert paths(use, "select") == [("id", ())]


def test_filters_on_nested_embeds() -> None:
    use = only(
        "supabase.from('email_auth_tokens').select('*, identities(*, notifications(*))')"
        ".eq('identities.notifications.read', false).eq('confirmed', true)"
    )
    assert paths(use, "eq") == [
        ("read", ("identities", "notifications")),
        ("confirmed", ()),
    ]
    assert use.chain[1].columns[0].relation == "notifications"


def test_order_on_an_embedded_column() -> None:
    text = "supabase.from('sets').select('*, workout:workouts!inner(date)')"
    use = only(text + ".order('workout(date)', { ascending: false })")
    assert paths(use, "order") == [("date", ("workout",))]


@pytest.mark.parametrize("option", ["referencedTable", "foreignTable"])
def test_referenced_table_options(option: str) -> None:
    text = "supabase.from('folders').select('*, documents(*)')"
    use = only(
        text + f".order('sort_date', {{ ascending: true, {option}: 'documents' }})"
        f".or('title.is.null,sort_date.lt.1', {{ {option}: 'documents' }})"
    )
    assert paths(use, "order") == [("sort_date", ("documents",))]
    assert paths(use, "or") == [("title", ("documents",)), ("sort_date", ("documents",))]


def test_dotted_referenced_table_and_embed_column() -> None:
    text = "supabase.from('a').select('*, b(*, c(*))')"
    use = only(
        text + ".order('x', { referencedTable: 'b.c' }).order('c(y)', { referencedTable: 'b' })"
    )
    assert paths(use, "order") == [("x", ("b", "c")), ("y", ("b", "c"))]


def test_rpc_is_not_a_table() -> None:
    assert uses("supabase.rpc('search', { q }).select('id').eq('x', 1)") == []


def test_or_filter_columns() -> None:
    use = only("supabase.from('wins').select().or('mood.eq.happy,and(a.gt.1,b.is.null)')")
    assert call(use, "or") == [("mood", None), ("a", None), ("b", None)]


def test_match_keys() -> None:
    use = only("supabase.from('wins').select().match({ user_id: id, 'mood': 'happy' })")
    assert call(use, "match") == [("user_id", None), ("mood", None)]


def test_insert_object_keys_with_ranges() -> None:
    text = "supabase.from('wins').insert({ user_id: uid, text, 'mood': m })"
    use = only(text)
    insert = use.chain[0]
    assert [c.name for c in insert.columns] == ["user_id", "text", "mood"]
    assert insert.columns[0].range == Range(Position(0, 31), Position(0, 38))
    assert insert.columns[2].range == Range(Position(0, 52), Position(0, 56))
    assert not insert.unknown_columns
    assert use.operations == ("insert",)


def test_insert_array_of_objects() -> None:
    text = """await admin.from('sim_wins').insert([
  { user_id: u, content: c },
  { user_id: u, text: t },
])"""
    insert = only(text).chain[0]
    assert [c.name for c in insert.columns] == ["user_id", "content", "user_id", "text"]
    assert not insert.unknown_columns


def test_insert_with_spread_or_variable_is_unknown() -> None:
    spread = only("supabase.from('wins').insert({ ...win, mood: 'x' })").chain[0]
    assert [c.name for c in spread.columns] == ["mood"]
    assert spread.unknown_columns
    variable = only("supabase.from('wins').insert(rows)").chain[0]
    assert variable.columns == () and variable.unknown_columns
    mapped = only("supabase.from('wins').insert(rows.map((r) => ({ ...r })))").chain[0]
    assert mapped.unknown_columns


def test_update_then_eq_then_select() -> None:
    use = only("supabase.from('wins').update({ mood: null }).eq('id', id).select('id')")
    assert [c.name for c in use.chain] == ["update", "eq", "select"]
    assert use.operations == ("update", "select")


def test_upsert_on_conflict_columns() -> None:
    use = only("supabase.from('wins').upsert({ a: 1 }, { onConflict: 'user_id,date' })")
    assert call(use, "upsert") == [("a", None), ("user_id", None), ("date", None)]


def test_delete() -> None:
    use = only("supabase.from('wins').delete().eq('id', id)")
    assert use.operations == ("delete",)


def test_chain_through_parentheses_and_await() -> None:
    use = only("const r = (await supabase.from('wins').select('id')).data")
    assert [c.name for c in use.chain] == ["select"]


# --- context ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("function load() { supabase.from('wins') }", "load"),
        ("export async function GET(req: Request) { supabase.from('wins') }", "GET"),
        ("export default async function () { supabase.from('wins') }", "default"),
        ("export default async () => { supabase.from('wins') }", "default"),
        ("const fetchWins = async () => { await supabase.from('wins') }", "fetchWins"),
        ("const f = function () { supabase.from('wins') }", "f"),
        ("class Repo { async list() { return this.db.from('wins') } }", "list"),
        ("export function useWins() { useEffect(() => { supabase.from('wins') }, []) }", "useWins"),
        ("const load = useCallback(async () => { supabase.from('wins') }, [])", "load"),
        ("const api = { load: async () => supabase.from('wins') }", "load"),
        ("supabase.from('wins')", None),
    ],
)
def test_enclosing_function(code: str, name: str | None) -> None:
    assert only(code).function == name


AFTER_ROUTE = """import { after } from 'next/server'

export async function POST(req: Request) {
  await supabase.from('sessions').update({ ended_at: now }).eq('id', id)
  after(async () => {
    await supabase.from('llm_usage').insert({ tokens })
  })
  after(supabase.from('wins').select('id'))
  after(function () { admin.from('profiles').select('*') })
}
"""


def test_after_callbacks() -> None:
    found = {use.table: use for use in uses(AFTER_ROUTE, ROUTE)}
    assert not found["sessions"].in_after
    assert found["llm_usage"].in_after
    assert found["wins"].in_after
    assert found["profiles"].in_after
    assert found["llm_usage"].function == "POST"
    assert found["sessions"].display_category == "api-route"
    assert found["llm_usage"].display_category == "after-callback"


def test_other_call_with_callback_is_not_after() -> None:
    use = only("later(async () => { supabase.from('wins') })")
    assert not use.in_after


def test_after_in_hook_keeps_hook_category() -> None:
    use = only("after(() => supabase.from('wins'))", "apps/web/src/hooks/useWins.ts")
    assert use.in_after
    assert use.display_category == "hook"


# --- categories ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("apps/web/src/app/api/wins/route.ts", "api-route"),
        ("apps/web/src/app/api/sessions/[id]/close/route.ts", "api-route"),
        ("apps/admin/src/app/api/simulator/personas/clone/route.ts", "clone"),
        ("apps/web/src/hooks/useWins.ts", "hook"),
        ("apps/web/src/hooks/useWins.tsx", "hook"),
        ("useTop.ts", "hook"),
        ("apps/web/src/hooks/use-wins.ts", "hook"),
        ("apps/web/src/hooks/use-wins.tsx", "hook"),
        ("apps/admin/src/lib/queries/users.ts", "admin-query"),
        ("apps/admin/src/lib/queries/useless.ts", "admin-query"),
        ("apps/web/src/lib/users.ts", "other"),
        ("apps/web/src/lib/user.ts", "other"),
        ("apps/web/src/lib/useful.tsx", "other"),
        ("apps/web/app/api/wins/route.ts", "api-route"),
        ("apps/web/src/context/ToneyContext.tsx", "context"),
        ("apps/admin/src/lib/queries/wins.ts", "admin-query"),
        ("apps/admin/src/lib/queries/deep/x.ts", "admin-query"),
        ("packages/coaching/src/prompt.ts", "coaching"),
        ("apps/web/src/lib/data.ts", "other"),
        ("apps/web/src/app/api/route.tsx", "other"),
    ],
)
def test_default_categories(path: str, category: str) -> None:
    assert categorize(path) == category


def test_custom_categories() -> None:
    custom = [("mine", "src/**/*.ts")]
    assert categorize("src/a/b.ts", custom) == "mine"
    assert categorize("lib/a.ts", custom) == "other"
    use = index_consumers_file("src/x.ts", "supabase.from('wins')", custom)[0]
    assert use.category == "mine"


def test_clone_comes_first() -> None:
    assert DEFAULT_CATEGORIES[0][0] == "clone"


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/use*.ts", "useX.ts", True),
        ("**/use*.ts", "a/b/useX.ts", True),
        ("**/use*.ts", "a/b/useX.tsx", False),
        ("**/use[A-Z]*.ts", "a/b/useWins.ts", True),
        ("**/use[A-Z]*.ts", "a/b/users.ts", False),
        ("**/use[A-Z]*.ts", "a/b/use.ts", False),
        ("**/use-*.ts", "a/b/use-wins.ts", True),
        ("apps/*/src/app/api/**/route.ts", "apps/web/src/app/api/route.ts", True),
        ("apps/*/src/app/api/**/route.ts", "apps/web/src/app/api/a/b/route.ts", True),
        ("apps/*/src/app/api/**/route.ts", "apps/web/x/src/app/api/route.ts", False),
        ("apps/admin/src/lib/queries/**", "apps/admin/src/lib/queries/a/b.ts", True),
        ("apps/admin/src/lib/queries/**", "apps/admin/src/lib/queriesx/a.ts", False),
        ("*.ts", "deep/x.ts", True),
        ("src/?.ts", "src/a.ts", True),
        ("src/[ab].ts", "src/b.ts", True),
        ("src/[!ab].ts", "src/b.ts", False),
        ("a.b", "axb", False),
    ],
)
def test_glob_match(pattern: str, path: str, matches: bool) -> None:
    assert glob_match(pattern, path) is matches


# --- prefilter, encodings, broken input ------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"supabase.from('x')",
        b"supabase\n  .from('x')",
        b"supabase . from ('x')",
        b"supabase?.from('x')",
        b"supabase.\n from('x')",
        "supabase.from('x')".encode("utf-16"),
        "supabase.from('x')".encode("utf-16-be").join([b"\xfe\xff", b""]),
        b"Array.from(rows); supabase.from('x')",
        b"getClient().from('x')",
    ],
)
def test_prefilter_accepts(data: bytes) -> None:
    assert might_use_tables(data)


@pytest.mark.parametrize("data", [b"", b"import x from 'y'", b"const fromage = 1",
                                  b"Array.from({ length: 3 })", b"Buffer.from(text, 'utf8')"])
def test_prefilter_rejects(data: bytes) -> None:
    assert not might_use_tables(data)


def test_prefilter_never_under_accepts_what_the_index_finds() -> None:
    samples = [AFTER_ROUTE, "x\n.from('a')", "a . from ( 'b' )"]
    for sample in samples:
        if uses(sample):
            assert might_use_tables(sample.encode())


def test_crlf_and_non_ascii_positions() -> None:
    text = "// café 😀\r\nconst é = supabase\r\n  .from('wins') // 😀\r\n  .select('id')\r\n"
    use = only(text)
    assert use.table_range == Range(Position(2, 9), Position(2, 13))
    assert use.chain[0].columns[0].range == Range(Position(3, 11), Position(3, 13))


def test_non_ascii_before_on_same_line() -> None:
    text = "const s = '😀é'; supabase.from('wins').select('a, b')"
    use = only(text)
    start = text.index("wins") + 1  # the emoji is two UTF-16 units
    assert use.table_range == Range(Position(0, start), Position(0, start + 4))
    b = use.chain[0].columns[1]
    assert b.range.start.character == text.index("a, b") + 1 + 3


def test_utf16_source() -> None:
    raw = "\ufeffsupabase.from('wïns')\r\n".encode("utf-16-le")
    use = only(decode_source(raw).text)
    assert use.table == "wïns"
    assert use.table_range == Range(Position(0, 15), Position(0, 19))


@pytest.mark.parametrize(
    "text",
    [
        "supabase.from(",
        "supabase.from('wins",
        "supabase.from('wins').select(",
        "supabase.from('wins').insert({ a: ",
        "supabase.from('wins').select('id, profiles(').eq(",
        "}}}) supabase.from('wins') ((",
        "\x00\ud800",
        "",
    ],
)
def test_broken_source_never_raises(text: str) -> None:
    uses(text)


def test_broken_code_elsewhere_keeps_good_calls() -> None:
    text = "const x = {;\nfunction f() { return supabase.from('wins').select('id') }\n"
    assert "wins" in tables(text)


def test_insert_of_mapped_rows_lists_the_returned_keys_and_the_row_variable() -> None:
    text = (
        "await admin.from('sim_wins').insert((rows ?? []).map((w) => ({\n"
        "  id: w.id, text: w.text, content: w.text,\n"
        "})));\n"
        "await admin.from('sim_notes')\n"
        "  .insert(notes.map(function (n) { return { body: n.body }; }));\n"
        "await admin.from('sim_x').insert(rows.map((r) => ({ ...r, id: undefined })));\n"
    )
    wins, notes, spread = index_consumers_file("apps/admin/clone.ts", text)
    [insert] = wins.chain
    assert [c.name for c in insert.columns] == ["id", "text", "content"]
    assert insert.row_variable == "w" and not insert.unknown_columns
    assert [c.name for c in notes.chain[0].columns] == ["body"]
    assert notes.chain[0].row_variable == "n"
    assert spread.chain[0].unknown_columns


def test_filters_on_aliased_embeds_carry_the_embedded_relation() -> None:
    use = only(
        "supabase.from('sets').select('*, workout:workouts!inner(id, c:coaches(name))')"
        ".eq('workout.user_id', 1).eq('workout.c.name', 'x').eq('other.x', 1)"
    )
    assert [(c.name, c.relation, c.path) for call in use.chain[1:] for c in call.columns] == [
        ("user_id", "workouts", ("workout",)),
        ("name", "coaches", ("workout", "c")),
        ("x", "other", ("other",)),
    ]
