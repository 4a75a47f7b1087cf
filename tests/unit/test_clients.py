"""Only real Supabase clients count: the receiver of `.from()` resolved inside the file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lockstep.core.config import load_config
from lockstep.core.consumers.clients import clientish, factory_name
from lockstep.core.consumers.index import index_consumers_file

LIB = "apps/web/src/lib/data.ts"
REPO = Path(__file__).resolve().parents[2]


def tables(text: str, clients: tuple[str, ...] = ()) -> list[str]:
    return [use.table for use in index_consumers_file(LIB, text, None, clients)]


@pytest.mark.parametrize(
    "code",
    [
        # factories: the package's, framework helpers and a local wrapper
        "import { createClient } from '@supabase/supabase-js'\n"
        "const db = createClient(url, key)\ndb.from('wins')",
        "import { createServerClient } from '@supabase/ssr'\n"
        "const s = createServerClient(url, key, {})\ns.from('wins')",
        "import { createRouteHandlerClient } from '@supabase/auth-helpers-nextjs'\n"
        "const s = createRouteHandlerClient({ cookies })\ns.from('wins')",
        "import { createServerComponentClient } from '@supabase/auth-helpers-nextjs'\n"
        "const s = createServerComponentClient({ cookies })\ns.from('wins')",
        "import { createMiddlewareClient } from '@supabase/auth-helpers-nextjs'\n"
        "const s = createMiddlewareClient({ req, res })\ns.from('wins')",
        "import { createClient } from '@/lib/supabase/server'\n"
        "async function f() { const s = await createClient()\n  return s.from('wins') }",
        "import { createClient } from '../utils/db'\nconst s = createClient()\ns.from('wins')",
        "import { createClient } from '@acme/db'\nconst supabase = createClient()\n"
        "supabase.from('wins')",
        "import { createClient } from '@acme/db'\nconst s = createClient()\n"
        "s.from('wins').select()",
        "import { createClient } from 'jsr:@supabase/supabase-js@2'\n"
        "const s = createClient(url, key)\ns.from('wins')",
        "import { createClient } from 'https://esm.sh/@supabase/supabase-js@2'\n"
        "const s = createClient(url, key)\ns.from('wins')",
        "function createAdminClient() { return null as any }\n"
        "const s = createAdminClient()\ns.from('wins')",
        "const s = getSupabase()\ns.from('wins')",
        # imported clients
        "import { supabase } from '@/lib/supabase'\nsupabase.from('wins')",
        "import sb from '~/supabase/client'\nsb.from('wins')",
        "import { client as c } from '@supabase/helpers'\nc.from('wins')",
        # types
        "import type { SupabaseClient } from '@supabase/supabase-js'\n"
        "function f(s: SupabaseClient<Database>) { s.from('wins') }",
        "type Db = SupabaseClient<Database>\nfunction f(s: Db) { s.from('wins') }",
        "import type { TypedClient } from '@/lib/supabase/types'\n"
        "function f(s: TypedClient) { s.from('wins') }",
        "import type { Db } from '@/lib/supabase/types'\nfunction f(s: Db) { s.from('wins') }",
        "function f(s: ReturnType<typeof createClient>) { s.from('wins') }",
        "function f(s: SupabaseClient | null) { s!.from('wins') }",
        "const f = (s?: SupabaseClient) => s?.from('wins')",
        "function f(s = createClient()) { s.from('wins') }",
        "let s: SupabaseClient\ns.from('wins')",
        # members
        "class R { constructor(private store: SupabaseClient) {}\n"
        "  list() { return this.store.from('wins') } }",
        "class R { store: SupabaseClient\n  list() { return this.store.from('wins') } }",
        "class R { store = createClient()\n  list() { return this.store.from('wins') } }",
        "class R { constructor() { this.store = createClient() }\n"
        "  list() { return this.store.from('wins') } }",
        "event.locals.supabase.from('wins')",
        "function f(ctx: { supabase: SupabaseClient }) { ctx.supabase.from('wins') }",
        # calls and wrappers
        "(await createClient()).from('wins')",
        "createBrowserClient(url, key).from('wins')",
        "useSupabaseClient().from('wins')",
        "supabase.schema('api').from('wins')",
        "(supabase as SupabaseClient).from('wins')",
        "import { PostgrestClient } from '@supabase/postgrest-js'\n"
        "const rest = new PostgrestClient(url)\nrest.from('wins')",
        "import { Client } from '@supabase/supabase-js'\nconst c = new Client(url, key)\n"
        "c.from('wins')",
        "globals.DB.from('wins')",
        "const s = supabaseAdmin ?? createClient()\ns.from('wins')",
        # unresolvable, but named like a client or followed by a query
        "testSupabase.from('wins')",
        "ctx.db.from('wins')",
        "admin.from('wins')",
        "function f(client: any) { client.from('wins') }",
        "const { supabase } = await setup()\nsupabase.from('wins')",
        "api.from('wins').select('id')",
        "function f(conn) { return conn.from('wins').insert({ id: 1 }) }",
    ],
)
def test_real_clients_are_indexed(code: str) -> None:
    assert tables(code) == ["wins"]


@pytest.mark.parametrize(
    "code",
    [
        "import Color from 'color'\nColor.from('#0088FF')",
        "Color.from('red').withAlpha(1)",
        "import { Color } from '@onlook/utility'\nColor.from('transparent')",
        "import { z } from 'zod'\nz.from('wins')",
        "import { z } from 'zod'\nz.from('wins').select('id')",
        "import { createClient } from 'redis'\nconst cache = createClient()\ncache.from('wins')",
        "import knex from 'knex'\nknex.from('wins').select('*')",
        "import Redis from 'ioredis'\nconst redis = new Redis()\nredis.from('wins')",
        "const palette = new Palette()\npalette.from('wins')",
        "class Palette { from(x: string) { return x } }\nPalette.from('wins')",
        "function paint(color: Color) { return color.from('wins') }",
        "function f(s: string) { return s.from('wins') }",
        "const api = { from: (x: string) => x }\napi.from('wins')",
        "const s = 'x'\ns.from('wins')",
        "Buffer.from('wins')",
        "Array.from('wins')",
        "window.Buffer.from('wins')",
        "Temporal.PlainDate.from('2024-01-01')",
        "supabase.storage.from('wins')",
        "const bucket = supabase.storage\nbucket.from('wins').upload(path, file)",
        "x.from('wins')",
        "items.from('wins').map(f)",
    ],
)
def test_other_receivers_are_not(code: str) -> None:
    assert tables(code) == []


def test_configured_clients() -> None:
    assert tables("repo.from('wins')") == []
    assert tables("repo.from('wins')", ("repo",)) == ["wins"]
    assert tables("this.repo.from('wins')", ("repo",)) == ["wins"]
    assert tables("makeRepo().from('wins')", ("makeRepo",)) == ["wins"]


def test_resolution_follows_scope() -> None:
    code = (
        "import Color from 'color'\n"
        "function a() { const Color = createClient(url, key); return Color.from('wins') }\n"
        "function b() { return Color.from('red') }\n"
    )
    assert tables(code) == ["wins"]


def test_cyclic_bindings_terminate() -> None:
    assert tables("var a = b, b = a\na.from('wins')") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [("supabase", True), ("supabaseAdmin", True), ("adminClient", True), ("db", True),
     ("sb", True), ("Color", False), ("z", False), ("dbg", False), ("items", False)],
)  # fmt: skip
def test_clientish(name: str, expected: bool) -> None:
    assert clientish(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("createClient", True), ("createServerClient", True), ("createRouteHandlerClient", True),
     ("getSupabase", True), ("useSupabaseClient", True), ("createPagesBrowserClient", True),
     ("createServerSupabaseClient", True), ("createColor", False), ("clientele", False)],
)  # fmt: skip
def test_factory_name(name: str, expected: bool) -> None:
    assert factory_name(name) is expected


def test_clients_setting() -> None:
    config, problems = load_config('[consumers]\nclients = ["repo", "db2"]\n')
    assert problems == [] and config.consumer_clients == ("repo", "db2")
    config, problems = load_config('[consumers]\nclients = "repo"\n')
    assert config.consumer_clients == ()
    assert [p.message for p in problems] == [
        "`consumers.clients` must be a list of receiver names; using the default"
    ]


@pytest.mark.parametrize(
    ("code", "schema"),
    [
        ("const s = createClient(url, key, { db: { schema: 'api' } })\ns.from('wins')", "api"),
        ("const a = createClient(u, k, { auth: {}, db: { schema: 'api' } })\nconst s = a\n"
         "s.from('wins')", "api"),
        ("createClient(url, key, { db: { schema: 'api' } }).from('wins')", "api"),
        ("const s = createClient(url, key, { db: { schema: 'api' } })\n"
         "s.schema('other').from('wins')", "other"),
        ("function db() {\n  const url = env.URL\n"
         "  return createClient(url, key, { db: { schema: 'api' } })\n}\ndb().from('wins')",
         "api"),
        ("const make = () => createClient(url, key, { db: { schema: 'api' } })\n"
         "const supabase = make()\nsupabase.from('wins')", "api"),
        ("async function db(admin) {\n  if (admin) return createClient(u, k)\n"
         "  return createClient(u, k, { db: { schema: 'api' } })\n}\n"
         "(await db()).from('wins')", None),
        ("const s = createClient(url, key)\ns.from('wins')", None),
        ("supabase.from('wins')", None),
    ],
)  # fmt: skip
def test_client_default_schema(code: str, schema: str | None) -> None:
    (use,) = index_consumers_file(LIB, code)
    assert use.schema == schema


def test_bench_generator_call_sites_are_kept(tmp_path: Path) -> None:
    """Every `.from()` the benchmark generator writes (a local `createClient()` wrapper, with
    an `Array.from` beside it) stays a consumer; the count is what bench/run.py measures."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "bench"))
    root, _ = generate.generate(tmp_path / "bench", "small")
    found = written = 0
    for path in sorted(root.rglob("*.ts")):
        text = path.read_text(encoding="utf-8")
        written += text.count(".from('")
        found += len(index_consumers_file(path.relative_to(root).as_posix(), text))
    assert found == written > 0


@pytest.mark.parametrize(
    "repo",
    [
        "examples/toney",
        "tests/fixtures/nav",
        "tests/fixtures/e2e-basic",
        "tests/fixtures/e2e-codeactions",
        "tests/fixtures/nvim-demo",
        "tests/fixtures/supabase-cli",
    ],
)
def test_demo_and_fixture_call_sites_are_all_kept(repo: str) -> None:
    """Every `.from('t')` with a quoted table in the demo and the fixtures is a consumer (the
    only other `.from(` there are `Array.from`, `Buffer.from` and storage buckets)."""
    for path in sorted((REPO / repo).rglob("*.ts*")):
        if path.name == "decoys.ts":
            continue  # nothing but decoys; tests/fixtures/decoys/EXPECTED.json covers them
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        expected = [
            number
            for number, line in enumerate(lines)
            if any(f".from({quote}" in line for quote in "'\"`")
            and not any(decoy in line + lines[number - 1] for decoy in ("storage", "Buffer."))
            and not line.lstrip().startswith(("*", "//"))
        ]
        found = [use.table_range.start.line for use in index_consumers_file(path.name, text)]
        assert found == expected, path
