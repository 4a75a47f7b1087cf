"""`select-result-type`: the type code gives a select's rows (consumers/results.py) against the
keys the select string fetches (rules/checks/select_results.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_helpers import build_workspace, diagnostics_for, migration

from lockstep.core.consumers.index import index_consumers_file
from lockstep.core.consumers.postgrest import parse_select
from lockstep.core.consumers.results import ResultType
from lockstep.core.model import Column, Table
from lockstep.core.rules.checks.select_results import fetched
from lockstep.core.rules.checks.writes import _writes
from lockstep.core.rules.engine import run_rules

HEAD = """
import type { Profile } from '../types/profile';
import type { Remote } from '@acme/types';
interface P { id: string; name: string | null; nick?: string }
interface Q extends P { bio: string }
type Alias = P & { extra: number };
type Generic<T> = { value: T };
"""
Q = "supabase.from('profiles').select('id, name')"


def result_of(body: str, path: str = "src/app/page.ts") -> ResultType | None:
    text = HEAD + "async function f() {\n" + body + "\n}\n"
    uses = index_consumers_file(path, text)
    assert len(uses) == 1
    return uses[0].result


@pytest.mark.parametrize(
    ("body", "how", "text"),
    [
        (f"const a = await {Q}.returns<P[]>()", "`.returns<…>()`", "P[]"),
        (f"const a = await {Q}.overrideTypes<P[], {{ merge: false }}>()",
         "`.overrideTypes<…>()`", "P[]"),
        (f"const a = await {Q}.single<P>()", "`.single<…>()`", "P"),
        (f"return {Q}.eq('id', 1).maybeSingle<P>()", "`.maybeSingle<…>()`", "P"),
        (f"const {{ data }} = await {Q}\nreturn data as P[]", "`as` cast", "P[]"),
        (f"const {{ data }} = await {Q}\nreturn data! as unknown as P[]", "`as` cast", "P[]"),
        (f"const {{ data: rows }} = await {Q}\nconst r = (rows ?? []) as P[]", "`as` cast",
         "P[]"),
        (f"return (await {Q}).data as P[] | null", "`as` cast", "P[] | null"),
        (f"const {{ data }}: {{ data: P[] | null }} = await {Q}", "annotation", "P[] | null"),
        (f"const {{ data }}: PostgrestResponse<P> = await {Q}", "annotation", "P"),
        (f"const {{ data }} = await {Q}\nconst rows: P[] = data ?? []", "annotation", "P[]"),
    ],
)
def test_typed_results_are_found(body: str, how: str, text: str) -> None:
    found = result_of(body)
    assert found is not None
    assert (found.how, found.text) == (how, text)
    assert [field.name for field in found.fields] == ["id", "name", "nick"]


@pytest.mark.parametrize(
    "body",
    [
        f"const a = await {Q}",  # no type given
        f"let {{ data }} = await {Q}\ndata = []\nreturn data as P[]",  # a `let` may change
        f"const a = await {Q}.returns<P[] | Q[]>()",  # a union: either may hold
        f"const a = await {Q}.returns<Generic<P>[]>()",  # a generic
        f"const a = await {Q}.returns<Remote[]>()",  # a package's type
        f"const a = await {Q}.returns<Missing[]>()",  # not declared anywhere the file says
        f"const a = await {Q}.returns<Partial<P>[]>()",
        f"const a = await {Q}.returns<Pick<Profile, 'id'>[]>()",  # an imported type
        f"const a = await {Q}.returns<Pick<P, K>[]>()",  # keys that are not literals
        f"const a = await {Q}.returns<Omit<Tables<'a'> & Tables<'b'>, 'id'>[]>()",
        f"const a = await {Q}.csv()",
        f"const {{ data }} = await {Q}\nconst other = [] as P[]",
        f"const {{ data }} = await {Q}\nconst g = (x: any) => x.data as P[]",
    ],
)
def test_unresolved_or_absent_types_are_none(body: str) -> None:
    assert result_of(body) is None


def test_parts_of_a_type() -> None:
    extended = result_of(f"const a = await {Q}.returns<Q[]>()")
    assert extended is not None
    assert {f.name for f in extended.fields} == {"id", "name", "nick", "bio"}
    alias = result_of(f"const a = await {Q}.returns<Alias[]>()")
    assert alias is not None and {f.name for f in alias.fields} == {"id", "name", "nick", "extra"}
    imported = result_of(f"const a = await {Q}.returns<Profile[]>()")
    assert imported is not None and imported.imports == (("src/types/profile", "Profile"),)
    row = result_of(f"const a = await {Q}.returns<(Tables<'profiles'> & {{ x: P }})[]>()")
    assert row is not None and row.rows == (("profiles", ()),)
    assert [f.name for f in row.fields] == ["x"]
    picked = result_of(f"const a = await {Q}.returns<Pick<Tables<'p'>, 'id' | 'bio'>[]>()")
    assert picked is not None and picked.keys == ("bio", "id") and not picked.rows
    omitted = result_of(f"const a = await {Q}.returns<Omit<Tables<'p'>, 'bio'>[]>()")
    assert omitted is not None and omitted.rows == (("p", ("bio",)),)
    local = result_of(f"const a = await {Q}.returns<Omit<Q, 'bio' | 'nick'>[]>()")
    assert local is not None and [f.name for f in local.fields] == ["id", "name"]
    lookup = result_of(f"const {{ data }} = await {Q}\n"
                       "return data as Database['public']['Tables']['posts']['Row'][]")
    assert lookup is not None and lookup.rows == (("posts", ()),)


def _table() -> Table:
    table = Table("public", "profiles")
    for name in ("id", "name", "bio"):
        table.columns[name] = Column(name, "text")
    return table


@pytest.mark.parametrize(
    ("select", "keys", "is_open"),
    [
        ("*", {"id": "id", "name": "name", "bio": "bio"}, False),
        ("id, display:name, bio::text", {"id": "id", "display": "name", "bio": None}, False),
        ("data->settings->>theme, amount.sum(), count()",
         {"theme": None, "sum": None, "count": None}, False),
        ("id, author:profiles!fk(*), tags(name)", {"id": "id", "author": None, "tags": None},
         False),
        ("id, ...profiles(name, avatar:url)", {"id": "id", "name": None, "avatar": None}, False),
        ("id, ...profiles(*)", {"id": "id"}, True),
    ],
)
def test_fetched_keys(select: str, keys: dict[str, str | None], is_open: bool) -> None:
    got = fetched(parse_select(select), _table())
    assert (got.keys, got.open) == (keys, is_open)


def test_star_on_an_unknown_relation_is_open() -> None:
    assert fetched(parse_select("*"), None).open


SQL = """-- Profiles.
CREATE TABLE profiles (id UUID PRIMARY KEY, name TEXT, bio TEXT, age INTEGER NOT NULL);
CREATE TABLE api.items (id BIGINT PRIMARY KEY, label TEXT);
"""


def _findings(tmp_path: Path, consumer: str, extra: dict[str, str] | None = None) -> list[str]:
    files = {migration("001_profiles.sql"): "CREATE SCHEMA api;\n" + SQL,
             "apps/web/src/lib/load.ts": consumer, **(extra or {})}
    return [d.message for d in diagnostics_for(tmp_path, files) if d.code == "select-result-type"]


def test_a_type_imported_from_the_types_package(tmp_path: Path) -> None:
    types = {"packages/types/src/card.ts":
             "export type ProfileCard = { id: string; bio: string | null };\n",
             "packages/types/src/index.ts": "export * from './card';\n"}
    consumer = (
        "import type { ProfileCard } from '../../../../packages/types/src';\n"
        "export const load = (supabase: any) =>\n"
        "  supabase.from('profiles').select('id').returns<ProfileCard[]>();\n"
    )
    messages = _findings(tmp_path, consumer, types)
    assert len(messages) == 1 and "declares `bio`" in messages[0]


def test_a_generated_row_names_every_column(tmp_path: Path) -> None:
    consumer = (
        "export const load = (supabase: any) =>\n"
        "  supabase.from('profiles').select('id, name').returns<Tables<'profiles'>[]>();\n"
        "export const all = (supabase: any) =>\n"
        "  supabase.from('profiles').select().returns<Tables<'profiles'>[]>();\n"
        "export const picked = (supabase: any) => supabase.from('profiles').select('id')\n"
        "  .returns<Pick<Tables<'profiles'>, 'id' | 'bio'>[]>();\n"
        "export const omitted = (supabase: any) => supabase.from('profiles')\n"
        "  .select('id, name, age').returns<Omit<Tables<'profiles'>, 'bio'>[]>();\n"
    )
    messages = _findings(tmp_path, consumer)
    assert len(messages) == 2
    assert "`bio`, `age`" in messages[0] and "`.select('id, name')`" in messages[0]
    assert "declares `bio` but `.select('id')`" in messages[1]


def test_types_of_fetched_columns(tmp_path: Path) -> None:
    consumer = (
        "interface Row { id: string; name: string; age: number }\n"
        "interface Bad { id: string; name: string | null; age: string }\n"
        "export const a = (s: any) => s.from('profiles').select('id, name, age')"
        ".returns<Row[]>();\n"
        "export const b = (s: any) => s.from('profiles').select('id, name, age')"
        ".returns<Bad[]>();\n"
        "export const c = (s: any) =>\n"
        "  s.from('profiles').select('id, name, age').not('name', 'is', null).returns<Row[]>();\n"
        "export const d = (s: any) => s.from('profiles').select('id, name::int, age::text')"
        ".returns<Bad[]>();\n"
        "export const e = (s: any) => s.from('profiles').select('id, name, age')"
        ".returns<Row[]>();\n"
    )
    messages = _findings(tmp_path, consumer)
    assert len(messages) == 2  # `a` and `e` share `Row`: its `name` is reported once
    assert "`name: string` in `Row[]`: column `profiles.name` is nullable" in messages[0]
    assert "`age: string` in `Bad[]` does not match column `profiles.age`" in messages[1]


def test_the_client_schema_decides_the_table(tmp_path: Path) -> None:
    consumer = (
        "import { createClient } from '@supabase/supabase-js';\n"
        "const api = createClient('u', 'k', { db: { schema: 'api' } });\n"
        "interface Item { id: number; label: string | null; price: number }\n"
        "export const a = () => api.from('items').select('*').returns<Item[]>();\n"
    )
    messages = _findings(tmp_path, consumer)
    assert len(messages) == 1 and "declares `price`" in messages[0]


def test_writes_are_listed_once_per_revision(tmp_path: Path) -> None:
    consumer = "export const a = (s: any) => s.from('profiles').insert({ id: 'x', age: 1 });\n"
    workspace = build_workspace(tmp_path, {migration("001_profiles.sql"): "CREATE SCHEMA api;\n"
                                           + SQL, "apps/web/src/lib/load.ts": consumer})
    run_rules(workspace)
    listed = workspace.derived.peek("writes")
    assert isinstance(listed, tuple) and len(listed) == 1
    assert _writes(workspace) is listed
    workspace.set_overlay("apps/web/src/lib/load.ts", consumer + consumer.replace("a =", "b ="))
    assert workspace.derived.peek("writes") is None
    assert len(_writes(workspace)) == 2


def test_embedded_rows_are_judged_by_their_own_select(tmp_path: Path) -> None:
    sql = SQL + ("CREATE TABLE posts (id BIGINT PRIMARY KEY, title TEXT NOT NULL,\n"
                 "  author_id UUID NOT NULL REFERENCES profiles(id));\n")
    consumer = (
        "interface Author { id: string; bio: string | null; age: string }\n"
        "interface Post { id: number; author: Author; tags: { name: string }[] }\n"
        "export async function load(s: any) {\n"
        "  const a = await s.from('posts').select('id, author:profiles(id, age), tags(name)')"
        ".returns<Post[]>();\n"
        "  const b = await s.from('posts').select('id, author:profiles(*), tags(name)')"
        ".returns<Post[]>();\n"
        "  const c = await s.from('posts').select('id, author:profiles!fk(*), tags(*)')"
        ".returns<Post[]>();\n"
        "}\n"
    )
    files = {migration("001_profiles.sql"): "CREATE SCHEMA api;\n" + sql,
             "apps/web/src/lib/load.ts": consumer}
    found = [d for d in diagnostics_for(tmp_path, files) if d.code == "select-result-type"]
    messages = [d.message for d in found]
    # `age: string` for an integer column: `a`, `b` and `c` (`profiles!fk` still names the
    # table) fetch it, the field is said wrong once; `author.bio` is missing from `a` only;
    # `tags(*)` is a table the migrations lack, so its rows are open
    assert sum("does not match column `profiles.age`" in m for m in messages) == 1
    missing = [m for m in messages if "undefined" in m]
    assert len(missing) == 1 and "declares `author.bio`" in missing[0]
    assert {d.range.start.line for d in found if "profiles.age" in d.message} == {0}
