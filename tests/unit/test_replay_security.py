"""What replay/security.py records for the advisors: grants, policies, functions, views."""

from __future__ import annotations

from lockstep.core.model import Schema
from lockstep.core.replay.engine import replay
from lockstep.core.sql.parse import parse_migration_sql


def schema(*sources: str) -> Schema:
    return replay([(f"supabase/migrations/{i:03}_m.sql", parse_migration_sql(text))
                   for i, text in enumerate(sources, start=1)]).schema


def test_supabase_default_grants_then_revoke_grant_and_rename() -> None:
    found = schema(
        "CREATE TABLE a (id int); CREATE TABLE b (id int); CREATE SCHEMA app;"
        "CREATE TABLE app.c (id int);",
        "REVOKE ALL ON a FROM anon, authenticated; GRANT SELECT ON app.c TO authenticated;",
        "ALTER TABLE b RENAME TO b2;",
    )
    assert found.readers[("public", "a")] == {"service_role"}
    assert found.readers[("public", "b2")] == {"anon", "authenticated", "service_role"}
    assert found.readers[("app", "c")] == {"authenticated"}


def test_default_privileges_and_all_tables_in_schema() -> None:
    found = schema(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM anon;"
        "CREATE TABLE a (id int);",
        "CREATE SCHEMA api; CREATE TABLE api.x (id int);"
        "GRANT SELECT ON ALL TABLES IN SCHEMA api TO anon;",
    )
    assert found.readers[("public", "a")] == {"authenticated", "service_role"}
    assert found.readers[("api", "x")] == {"anon"}


def test_policy_facts_roles_and_per_row_calls() -> None:
    [own, mixed, wrapped, altered] = schema(
        "CREATE TABLE t (id uuid, user_id uuid);",
        "CREATE POLICY own ON t AS RESTRICTIVE FOR SELECT TO authenticated "
        "USING (auth.uid() = user_id);"
        # splinter reads the text: one wrapped call of a function quiets its bare calls
        "CREATE POLICY mixed ON t USING ((select auth.uid()) = user_id OR auth.uid() = id);"
        "CREATE POLICY wrapped ON t USING (((select auth.jwt()) ->> 'role') = 'x');"
        "CREATE POLICY altered ON t USING (true);",
        "ALTER POLICY altered ON t TO anon USING (current_setting('app.x') = 'y');",
    ).tables[("public", "t")].policies
    assert own.facts is not None and not own.facts.permissive
    assert own.facts.roles == ["authenticated"] and len(own.facts.per_row_calls) == 1
    assert mixed.facts is not None and mixed.facts.per_row_calls == []
    assert wrapped.facts is not None and wrapped.facts.per_row_calls == []
    assert altered.facts is not None and altered.facts.roles == ["anon"]
    assert len(altered.facts.per_row_calls) == 1 and altered.facts.using != "true"


def test_function_attributes_and_view_options() -> None:
    found = schema(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'select 1';"
        "CREATE FUNCTION g() RETURNS int LANGUAGE sql SET search_path = '' AS 'select 1';"
        "CREATE TABLE t (id int); CREATE VIEW v AS SELECT id FROM t;"
        "CREATE VIEW w WITH (security_invoker) AS SELECT id FROM t;",
        "ALTER FUNCTION g() RESET ALL; ALTER VIEW v SET (security_invoker = on);"
        "ALTER VIEW w RESET (security_invoker);",
    )
    f, g = found.signatures[("public", "f", "")], found.signatures[("public", "g", "")]
    assert f.security_definer and not f.search_path_set
    assert not g.search_path_set
    assert found.views[("public", "v")].security_invoker
    assert not found.views[("public", "w")].security_invoker


def test_extensions_follow_schema_moves_and_drops() -> None:
    found = schema(
        "CREATE EXTENSION pg_trgm; CREATE EXTENSION citext WITH SCHEMA extensions;"
        "CREATE EXTENSION pg_cron; CREATE EXTENSION hstore;",
        "ALTER EXTENSION pg_trgm SET SCHEMA extensions; DROP EXTENSION hstore;",
    )
    assert {e.name: e.schema for e in found.extensions.values()} == {
        "pg_trgm": "extensions", "citext": "extensions", "pg_cron": "pg_catalog"}
