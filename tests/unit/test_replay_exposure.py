"""What replay/foreign.py, queues.py and routine_grants.py record for the advisors."""

from __future__ import annotations

from lockstep.core.model import Schema
from lockstep.core.replay.engine import replay
from lockstep.core.sql.parse import parse_migration_sql


def schema(*sources: str) -> Schema:
    return replay([(f"supabase/migrations/{i:03}_m.sql", parse_migration_sql(text))
                   for i, text in enumerate(sources, start=1)]).schema


def test_foreign_tables_follow_rename_set_schema_and_drops() -> None:
    found = schema(
        "CREATE FOREIGN DATA WRAPPER w; CREATE SERVER s FOREIGN DATA WRAPPER w;"
        "CREATE FOREIGN TABLE a (id int) SERVER s; CREATE FOREIGN TABLE b (id int) SERVER s;"
        "CREATE FOREIGN TABLE c (id int) SERVER s; CREATE SCHEMA x; CREATE SCHEMA y;"
        "CREATE FOREIGN TABLE y.d (id int) SERVER s;",
        "ALTER FOREIGN TABLE a RENAME TO a2; ALTER FOREIGN TABLE b SET SCHEMA x;"
        "DROP FOREIGN TABLE c; DROP SCHEMA y CASCADE;",
    )
    assert sorted(found.foreign_tables) == [("public", "a2"), ("x", "b")]
    assert found.foreign_tables[("x", "b")].server == "s"
    assert found.readers[("x", "b")] == {"anon", "authenticated", "service_role"}
    assert ("y", "d") not in found.readers and not found.tables


def test_pgmq_create_makes_lower_cased_queue_and_archive_tables() -> None:
    found = schema(
        "select pgmq.create('Jobs'); SELECT * FROM pgmq.create_unlogged('mail');"
        "select from pgmq.create('gone'); select pgmq.drop_queue('gone');"
        "GRANT SELECT ON pgmq.q_jobs TO anon; ALTER TABLE pgmq.q_mail ENABLE ROW LEVEL SECURITY;"
    )
    assert sorted(k[1] for k in found.tables if k[0] == "pgmq") == [
        "a_jobs", "a_mail", "q_jobs", "q_mail"]
    jobs = found.tables[("pgmq", "q_jobs")]
    assert jobs.primary_key == ["msg_id"] and "archived_at" not in jobs.columns
    assert "archived_at" in found.tables[("pgmq", "a_jobs")].columns
    assert found.readers[("pgmq", "q_jobs")] == {"anon"}
    assert found.tables[("pgmq", "q_mail")].rls_enabled


def test_execute_defaults_grants_and_revokes() -> None:
    found = schema(
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;"
        "CREATE FUNCTION f(a text) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"
        "CREATE SCHEMA app; CREATE FUNCTION app.g() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"
        "REVOKE EXECUTE ON FUNCTION f(text) FROM PUBLIC, anon;",
        "CREATE OR REPLACE FUNCTION f(a text) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;"
        "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;"
        "CREATE FUNCTION app.h() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"
        "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO authenticated;"
        "DROP FUNCTION f(integer);",
    )
    assert found.executors == {
        ("public", "f", "text"): {"authenticated", "service_role"},
        ("app", "g", ""): {"public", "authenticated"},
        ("app", "h", ""): {"authenticated"},
    }


def test_typmods_do_not_make_overloads() -> None:
    """PostgreSQL drops argument typmods: these name one function, as pg_proc has it."""
    found = schema(
        "CREATE FUNCTION pay(a numeric(19,4), c char(3)) RETURNS numeric(10,2) LANGUAGE sql"
        " AS $$ SELECT a $$;"
        "CREATE OR REPLACE FUNCTION pay(a numeric, c character) RETURNS numeric LANGUAGE sql"
        " AS $$ SELECT a $$;"
        "REVOKE EXECUTE ON FUNCTION pay(numeric(5,2), char(1)) FROM PUBLIC, anon;"
    )
    assert list(found.signatures) == [("public", "pay", "numeric, character")]
    assert found.signatures[("public", "pay", "numeric, character")].returns == "numeric"
    assert found.executors[("public", "pay", "numeric, character")] == {
        "authenticated", "service_role"}


def test_alter_table_works_on_foreign_tables_without_unknown_table() -> None:
    result = replay([("supabase/migrations/001_m.sql", parse_migration_sql(
        "CREATE FOREIGN DATA WRAPPER w; CREATE SERVER s FOREIGN DATA WRAPPER w;"
        "CREATE FOREIGN TABLE a (id int) SERVER s; ALTER TABLE a ADD COLUMN x int;"
        "ALTER TABLE a RENAME TO b; CREATE SCHEMA app; ALTER TABLE b SET SCHEMA app;"
        "CREATE SCHEMA tmp; DROP SCHEMA tmp;"))])
    assert result.issues == []
    assert list(result.schema.foreign_tables) == [("app", "b")]
    assert result.schema.readers[("app", "b")] == {"anon", "authenticated", "service_role"}


def test_graphql_introspection_follows_schema_comments() -> None:
    found = schema(
        "CREATE SCHEMA a; CREATE SCHEMA b; CREATE SCHEMA c;"
        "COMMENT ON SCHEMA public IS 'Docs. @graphql({\"introspection\": true, \"max_rows\": 5})';"
        "COMMENT ON SCHEMA a IS '@graphql({\"introspection\": true})';"
        "COMMENT ON SCHEMA b IS '@graphql({\"introspection\": true})';"
        "COMMENT ON SCHEMA c IS '@graphql({\"inflect_names\": true})';",
        "COMMENT ON SCHEMA a IS NULL; DROP SCHEMA b;",
    )
    assert found.graphql_introspection == {"public"}
