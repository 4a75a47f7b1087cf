"""Generator eras: which era a project's Supabase CLI implies, and what differs per era.

The eras' output is checked byte for byte against the real releases in
tests/pg/test_gen_types_vs_postgres_meta.py; these tests pin the choices without Node."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from lockstep.cli.main import main
from lockstep.core.gen.eras import (
    ERAS,
    LATEST,
    era_named,
    era_of_cli,
    era_of_text,
    judging_eras,
    project_era,
    text_eras,
    types_era,
)
from lockstep.core.gen.from_model import metadata
from lockstep.core.gen.lockfiles import parse_version, pinned_cli
from lockstep.core.gen.stale import staleness
from lockstep.core.gen.typescript import generate_typescript
from tests.unit.test_gen_types import schema

SQL = """
create table public.posts (
  id bigint generated always as identity primary key,
  body jsonb not null,
  took interval,
  words int generated always as (1) stored
);
create function public.ping() returns int language sql as $$ select 1 $$;
create function public.word_total(public.posts) returns int language sql as $$ select 1 $$;
"""


def _files(files: dict[str, str]) -> Callable[[str], str | None]:
    return files.get


@pytest.mark.parametrize(("text", "expected"), [
    ("1.187.3", (1, 187, 3)), ("^2.20.1", (2, 20, 1)), ("~0.84", (0, 84, 0)),
    ("latest", None), ("1.2.3.4", None)])
def test_parse_version(text: str, expected: tuple[int, int, int] | None) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize(("cli", "era"), [
    ((1, 190, 0), "0.83"), ((1, 210, 0), "0.84"), ((2, 10, 0), "0.84"), ((2, 18, 0), "0.86"),
    ((2, 20, 4), "0.87"), ((2, 22, 2), "0.88"), ((2, 31, 1), "0.91"), ((2, 33, 9), "0.91.4"),
    ((2, 45, 0), "0.91.5"),
    ((2, 53, 1), "0.92"), ((2, 60, 0), "0.93"),
    ((2, 70, 0), "0.94"), ((2, 72, 3), "0.95"), ((2, 104, 0), "0.95"), ((1, 100, 0), "0.83")])
def test_cli_release_picks_the_era_of_its_generator(cli: tuple[int, int, int], era: str) -> None:
    assert era_of_cli(cli).name == era


def test_generator_version_takes_releases_and_era_names() -> None:
    assert era_named("0.96.1") is ERAS["0.95"]
    assert era_named("0.83.2") is ERAS["0.83"]
    assert era_named("0.84") is ERAS["0.84"]
    assert era_named("0.99.0") is LATEST
    assert era_named("0.91.6") is ERAS["0.91.5"] and era_named("0.91.4") is ERAS["0.91.4"]
    assert era_named("0.91.3") is ERAS["0.91"]
    assert era_named("0.85.4") is ERAS["0.84"] and era_named("0.86.2") is ERAS["0.86"]
    assert era_named("0.86.3") is ERAS["0.86.3"]
    assert era_named("0.87.1") is ERAS["0.87"] and era_named("0.90.0") is ERAS["0.88"]
    assert era_named("0.93.0") is ERAS["0.92"] and era_named("0.93.1") is ERAS["0.93"]
    assert era_named("0.95.1") is ERAS["0.94"] and era_named("0.95.2") is ERAS["0.95"]
    assert era_named("soon") is None


def test_project_era_reads_the_lockfile_before_the_manifest() -> None:
    lock = json.dumps({"packages": {"node_modules/supabase": {"version": "1.200.3"}}})
    manifest = json.dumps({"devDependencies": {"supabase": "^2.80.0"}})
    assert project_era(_files({"package-lock.json": lock, "package.json": manifest})).name \
        == "0.83"
    assert project_era(_files({"package.json": manifest})).name == "0.95"
    assert project_era(_files({"package.json": "{not json"})) is LATEST
    assert project_era(_files({})) is LATEST


PNPM_V9 = """lockfileVersion: '9.0'
importers:
  .:
    devDependencies:
      supabase:
        specifier: ^1.100.0
        version: 1.110.1
packages:
  '@supabase/auth-js@2.64.2':
    resolution: {integrity: sha512-x}
  supabase@1.110.1:
    resolution: {integrity: sha512-y}
"""
PNPM_V6 = "packages:\n\n  /supabase-js@2.0.0:\n    dev: true\n  /supabase@1.150.2:\n    dev: true\n"
YARN_CLASSIC = ('"@supabase/supabase-js@^2.0.0":\n  version "2.39.0"\n\n'
                'supabase@^1.100.0, supabase@^1.110.0:\n  version "1.142.2"\n')
YARN_BERRY = '"supabase@npm:^1.100.0":\n  version: 1.190.0\n  resolution: "supabase@npm:1.190.0"\n'
BUN = '{\n  "packages": {\n    "supabase": ["supabase@2.20.5", "", {}, "sha512-z"],\n  }\n}\n'


@pytest.mark.parametrize(("name", "text", "version"), [
    ("pnpm-lock.yaml", PNPM_V9, (1, 110, 1)),
    ("pnpm-lock.yaml", PNPM_V6, (1, 150, 2)),
    ("yarn.lock", YARN_CLASSIC, (1, 142, 2)),
    ("yarn.lock", YARN_BERRY, (1, 190, 0)),
    ("bun.lock", BUN, (2, 20, 5)),
    ("bun.lock", '{"packages": {"supabase-js": ["supabase-js@1.0.0"]}}', None),
])
def test_every_lockfile_names_the_installed_cli(
    name: str, text: str, version: tuple[int, int, int] | None
) -> None:
    """pnpm, yarn and bun projects (midday, onlook, nextjs-subscription-payments) pin too."""
    manifest = json.dumps({"devDependencies": {"supabase": "^9.0.0"}})
    expected = version or (9, 0, 0)
    assert pinned_cli(_files({name: text, "package.json": manifest})) == expected


def test_eras_differ_where_the_releases_did() -> None:
    meta = metadata(schema(SQL), ["public"])
    latest = generate_typescript(meta, era=LATEST)
    assert "body: NonNullable<Json>" in latest and "words?: never" in latest
    assert "ping: { Args: Record<PropertyKey, never>; Returns: number }" in latest
    assert "export const Constants" in latest
    era_095 = generate_typescript(metadata(schema(SQL), ["public"]), era=ERAS["0.95"])
    assert "body: Json" in era_095 and "words?: number | null" in era_095
    assert "ping: { Args: never; Returns: number }" in era_095
    assert "word_total: number | null" in era_095  # computed field (unnamed row argument)
    era_084 = generate_typescript(metadata(schema(SQL), ["public"]), era=ERAS["0.84"])
    assert "took: unknown | null" in era_084 and "type PublicSchema" in era_084
    assert "export const Constants" not in era_084
    assert "ping: {\n        Args: Record<PropertyKey, never>\n        Returns: number\n      }" \
        in era_084


OVERLOADS = """
create table public.events (id int, at date, primary key (id, at)) partition by range (at);
create function public.pick(x int) returns setof public.events language sql
  as $$ select * from public.events $$;
create function public.pick(x int, y text) returns int language sql as $$ select 2 $$;
create function public.same(e public.events) returns int language sql as $$ select 1 $$;
"""


def test_the_0_88_to_0_91_template_merges_overloads() -> None:
    """One entry per name: the union of the overloads' Args (inline, sorted), the first
    overload's Returns; a partitioned table's row is missing from its type list."""
    text = generate_typescript(metadata(schema(OVERLOADS), ["public"]), era=ERAS["0.91.5"])
    assert "pick: {\n        Args: { x: number } | { x: number; y: string }\n" \
           "        Returns: {\n          at: string\n          id: number\n        }[]\n" in text
    assert "same: {\n        Args: { e: unknown }" in text


def test_0_92_to_0_94_order_overloads_by_body_and_list_partitioned_rows_late() -> None:
    era_092 = generate_typescript(metadata(schema(OVERLOADS), ["public"]), era=ERAS["0.92"])
    era_093 = generate_typescript(metadata(schema(OVERLOADS), ["public"]), era=ERAS["0.93"])
    era_094 = generate_typescript(metadata(schema(OVERLOADS), ["public"]), era=ERAS["0.94"])
    assert "Args: { e: unknown }" in era_092
    assert 'Args: { e: Database["public"]["Tables"]["events"]["Row"] }' in era_093
    # bodies, descending: `select 2` before `select * …`; 0.94.1: by argument types
    assert era_093.index("x: number; y: string") < era_093.index("Args: { x: number }\n")
    assert era_094.index("Args: { x: number }\n") < era_094.index("x: number; y: string")
    assert "at: string" in era_093 and "took: unknown" in generate_typescript(
        metadata(schema(SQL), ["public"]), era=ERAS["0.94"])


def test_the_0_86_to_0_90_eras() -> None:
    """0.86 names row types (0.84: unknown); 0.87 adds `DefaultSchema` over `keyof Database`
    and Constants; 0.88 merges overloads; 0.91.4 sorts arguments by name."""
    sql = SQL + ("create function public.two(b int, a int) returns int language sql as $$ $$;"
                 "create function public.tab() returns table (z int, a int) language sql "
                 "as $$ $$;")
    text = {n: generate_typescript(metadata(schema(sql), ["public"]), era=ERAS[n])
            for n in ("0.84", "0.86", "0.87", "0.88", "0.91", "0.91.4", "0.91.5")}
    assert '"": unknown' in text["0.84"]
    assert '"": Database["public"]["Tables"]["posts"]["Row"]' in text["0.86"]
    assert "type PublicSchema" in text["0.86"] and "Constants" not in text["0.86"]
    assert 'type DefaultSchema = Database[Extract<keyof Database, "public">]' in text["0.87"]
    assert "DatabaseWithoutInternals" not in text["0.87"] and "Constants" in text["0.87"]
    assert "two: {\n        Args: {\n          b: number\n          a: number\n" in text["0.87"]
    assert "two: {\n        Args: { b: number; a: number }" in text["0.88"]
    assert "two: {\n        Args: { b: number; a: number }" in text["0.91"]
    assert "DatabaseWithoutInternals" in text["0.91"]
    assert "two: {\n        Args: { a: number; b: number }" in text["0.91.4"]
    assert "two: {\n        Args: { a: number; b: number }" in text["0.91.5"]
    assert "z: number\n          a: number" in text["0.91.4"]  # RETURNS TABLE: 0.91.5
    assert "a: number\n          z: number" in text["0.91.5"]


def test_cli_generator_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "supabase" / "migrations").mkdir(parents=True)
    (tmp_path / "supabase" / "migrations" / "001_posts.sql").write_text(SQL)
    (tmp_path / "package.json").write_text(json.dumps({"devDependencies": {"supabase": "1.190.0"}}))
    assert main(["gen", "types", str(tmp_path)]) == 0
    assert "type PublicSchema" in capsys.readouterr().out  # the pinned CLI's era
    assert main(["gen", "types", str(tmp_path), "--generator-version", "0.99.0"]) == 0
    assert "export const Constants" in capsys.readouterr().out
    assert main(["gen", "types", str(tmp_path), "--generator-version", "soon"]) == 2


def test_a_files_own_era_is_told_by_what_only_it_printed() -> None:
    for era in ERAS.values():
        text = generate_typescript(metadata(schema(SQL), ["public"]), era=era)
        assert era in (text_eras(text) or [])
        if era.name in ("0.83", "0.84", "0.88", "0.91.5", "0.99"):  # others: in data only
            assert era_of_text(text) is era
    assert era_of_text("export type Database = {}") is None


def test_regeneration_era_pinned_cli_first_then_the_file() -> None:
    old = generate_typescript(metadata(schema(SQL), ["public"]), era=ERAS["0.84"])
    assert types_era(_files({}), old) is ERAS["0.84"]
    assert types_era(_files({}), None) is LATEST
    manifest = json.dumps({"devDependencies": {"supabase": "2.80.0"}})
    assert types_era(_files({"package.json": manifest}), old) is ERAS["0.95"]


def test_an_older_eras_file_is_judged_in_its_era() -> None:
    """A 0.83 file lists the key to auth.users and types a range `unknown | null`: fresh."""
    sql = ("create table public.profiles (id uuid primary key references auth.users, "
           "span tstzrange);")
    text = generate_typescript(metadata(schema(sql), ["public"]), era=ERAS["0.83"])
    assert 'referencedRelation: "users"' in text and "span: unknown | null" in text
    found = staleness(schema(sql), "types.ts", text, LATEST)
    assert found is not None and found.differences == []
    assert "export const Constants" in found.fresh_text  # regenerated in the era asked for


def test_the_pinned_era_judges_a_file_of_its_family() -> None:
    old = generate_typescript(metadata(schema(SQL), ["public"]), era=ERAS["0.84"])
    trimmed = old[:old.index("export type CompositeTypes<")]  # reads as 0.83
    assert era_of_text(trimmed) is ERAS["0.83"]
    assert judging_eras(trimmed, ERAS["0.84"])[0] is ERAS["0.84"]
    assert judging_eras(trimmed, LATEST) == [ERAS["0.83"]]
