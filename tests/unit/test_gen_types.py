"""`gen types`: the printer, the name order, the replay it reads and the command (the byte for
byte comparison with Supabase's generator is tests/pg/test_gen_types_vs_postgres_meta.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockstep.cli.gen import exposed_schemas
from lockstep.cli.main import main
from lockstep.core.gen.collation import sort_key
from lockstep.core.gen.doc import LINE, Group, Indent, concat, join, render
from lockstep.core.gen.from_model import metadata
from lockstep.core.gen.tstypes import key, string
from lockstep.core.gen.typescript import generate_typescript
from lockstep.core.model import Schema
from lockstep.core.replay.engine import replay
from lockstep.core.sql.parse import parse_migration_sql


def schema(*sources: str) -> Schema:
    return replay([(f"supabase/migrations/{i:03}_m.sql", parse_migration_sql(text))
                   for i, text in enumerate(sources, start=1)]).schema


def types(*sources: str, schemas: tuple[str, ...] = ("public",)) -> str:
    return generate_typescript(metadata(schema(*sources), list(schemas)))


def test_groups_break_only_when_the_line_is_too_long() -> None:
    def doc(words: list[str]) -> Group:
        return Group(concat("{", Indent(concat(LINE, join(LINE, list(words)))), LINE, "}"))

    assert render(doc(["a", "b"])) == "{ a b }"
    assert render(doc(["x" * 40, "y" * 40])) == "{\n  " + "x" * 40 + "\n  " + "y" * 40 + "\n}"


def test_names_sort_like_intl_collator_en() -> None:
    names = ["status", "Priority", "ab", "a_b", "aB", "a1", "mood", "priority"]
    assert sorted(names, key=sort_key) == [
        "a_b", "a1", "ab", "aB", "mood", "priority", "Priority", "status"]


def test_strings_and_keys_are_quoted_like_prettier() -> None:
    assert string("it's") == '"it\'s"'
    assert string('say "hi"') == "'say \"hi\"'"
    assert key("displayName") == "displayName"
    assert key("Café") == "Café"
    assert key("with space") == '"with space"'
    assert key("3d") == '"3d"'


def test_tables_rows_inserts_updates_and_relationships() -> None:
    text = types("""
        create type public.status as enum ('open', 'closed');
        create table public.parents (id bigint generated always as identity primary key);
        create table public.children (
          id serial primary key,
          parent_id bigint not null unique references public.parents (id),
          state public.status not null default 'open',
          total numeric generated always as (1) stored,
          note text
        );
    """)
    assert ("      children: {\n        Row: {\n          id: number\n"
            "          note: string | null\n          parent_id: number\n") in text
    assert '          id?: never\n        }\n        Update: {\n          id?: never\n' in text
    assert '          state?: Database["public"]["Enums"]["status"]\n          total?: never\n' \
           in text
    assert 'foreignKeyName: "children_parent_id_fkey"\n            columns: ["parent_id"]\n' \
           "            isOneToOne: true\n" in text
    assert '      status: "open" | "closed"\n' in text
    assert '      status: ["open", "closed"],\n' in text
    assert text.endswith("} as const\n\n")


def test_long_unions_break_into_one_member_per_line() -> None:
    text = types("""
        create type public.notification_channel_preference as enum
          ('email', 'sms', 'push_notification', 'carrier_pigeon');
        create table public.t (preferred_notification_channel_for_marketing
          public.notification_channel_preference);
    """)
    assert ("          preferred_notification_channel_for_marketing:\n"
            '            | Database["public"]["Enums"]["notification_channel_preference"]\n'
            "            | null\n") in text
    assert '      notification_channel_preference:\n        | "email"\n' in text


def test_replay_keeps_function_signatures_domains_and_composites() -> None:
    replayed = schema("""
        create domain public.short_text as varchar(20) not null;
        create type public.pair as (a integer, b text);
        create function public.f(x integer, y text default 'a') returns setof public.pair
          language sql rows 5 as $$ select null::public.pair $$;
        create function public.g() returns table (n bigint) language sql as $$ select 1 $$;
        create function public.h() returns int language sql as $$ select 1 $$;
        drop function public.h();
    """)
    f = replayed.signatures[("public", "f", "integer, text")]
    assert [(p.name, p.mode, p.type, p.has_default) for p in f.parameters] == [
        ("x", "in", "integer", False), ("y", "in", "text", True)]
    assert (f.returns, f.returns_set, f.rows) == ("pair", True, 5)
    g = replayed.signatures[("public", "g", "")]
    assert (g.returns, g.returns_set, g.rows) == ("bigint", True, 1000)  # one column: its type
    assert ("public", "h", "") not in replayed.signatures
    assert replayed.domains[("public", "short_text")].not_null
    assert replayed.composites[("public", "pair")].attributes == [("a", "integer"), ("b", "text")]


def test_view_columns_types_and_origins() -> None:
    replayed = schema("""
        create table public.posts (id bigint primary key, title text, score numeric);
        create view public.v as select p.id, p.title::varchar as t, count(*) as n, 1 as one
          from public.posts p group by p.id;
        create view public.w as select * from public.posts;
    """)
    v = replayed.views[("public", "v")]
    assert [(c.name, c.type, c.origin) for c in v.columns] == [
        ("id", "bigint", ("public", "posts", "id")), ("t", "character varying", None),
        ("n", "bigint", None), ("one", "integer", None)]
    assert not v.auto_updatable
    w = replayed.views[("public", "w")]
    assert [c.name for c in w.columns] == ["id", "title", "score"] and w.auto_updatable


@pytest.fixture
def project(tmp_path: Path) -> Path:
    migrations = tmp_path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "001_init.sql").write_text(
        "create schema api;\ncreate table api.items (id int primary key);\n"
        "create table public.notes (id int primary key);\n", encoding="utf-8")
    (tmp_path / "supabase" / "config.toml").write_text(
        '[api]\nschemas = ["api", "graphql_public"]\n', encoding="utf-8")
    return tmp_path


def test_schemas_default_to_the_api_config(project: Path) -> None:
    assert exposed_schemas(project, ("supabase/migrations",)) == [
        "public", "api", "graphql_public"]
    (project / "supabase" / "config.toml").unlink()
    assert exposed_schemas(project, ("supabase/migrations",)) == ["public"]


def test_command_prints_and_writes_inside_the_root_only(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["gen", "types", str(project)]) == 0
    printed = capsys.readouterr().out
    assert "  api: {\n    Tables: {\n      items: {" in printed and "  public: {" in printed
    assert main(["gen", "types", str(project), "--schema", "api"]) == 0
    assert "  public: {" not in capsys.readouterr().out

    monkeypatch.chdir(project)
    assert main(["gen", "types", "--out", "src/database.types.ts"]) == 0
    assert (project / "src" / "database.types.ts").read_text(encoding="utf-8") == printed
    assert main(["gen", "types", "--out", "../outside.ts"]) == 2
    assert not (project.parent / "outside.ts").exists()
    (project / "README.md").write_text("hand written\n", encoding="utf-8")
    assert main(["gen", "types", "--out", "README.md"]) == 2
    assert (project / "README.md").read_text(encoding="utf-8") == "hand written\n"
    assert "not replacing it" in capsys.readouterr().err
