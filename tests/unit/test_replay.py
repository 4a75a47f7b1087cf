"""Schema replay, one statement kind at a time (the PostgreSQL differential suite checks the
same against a real server: tests/pg)."""

from __future__ import annotations

from lockstep.core.model import Schema, Table
from lockstep.core.replay.engine import ReplayResult, replay
from lockstep.core.sql.parse import parse_migration_sql

BASE = """
CREATE TABLE sessions (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE
);
"""


def run(*sources: str) -> ReplayResult:
    return replay([(f"supabase/migrations/{i:03}_m.sql", parse_migration_sql(text))
                   for i, text in enumerate(sources, start=1)])


def schema(*sources: str) -> Schema:
    return run(*sources).schema


def table(name: str, *sources: str) -> Table:
    found = schema(*sources).find_table(name)
    assert found is not None, f"no table {name}"
    return found


def test_create_table_columns_and_inline_constraints() -> None:
    wins = table("wins", BASE, """
        CREATE TABLE wins (
          id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
          session_id UUID REFERENCES sessions ON DELETE SET NULL,
          text TEXT NOT NULL,
          score INT CHECK (score > 0) DEFAULT 1,
          code TEXT UNIQUE,
          n BIGINT GENERATED ALWAYS AS IDENTITY,
          doubled INT GENERATED ALWAYS AS (score * 2) STORED
        );""")
    columns = wins.columns
    assert [c.name for c in columns.values()] == ["id", "session_id", "text", "score", "code",
                                                 "n", "doubled"]
    assert columns["id"].primary_key and not columns["id"].nullable
    assert columns["id"].default == "gen_random_uuid()"
    assert columns["text"].nullable is False and columns["session_id"].nullable is True
    assert columns["score"].default == "1"
    assert columns["n"].identity == "ALWAYS" and not columns["n"].nullable
    assert columns["doubled"].generated is not None
    [fk] = wins.foreign_keys
    assert (fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) == (
        ["session_id"], "sessions", ["id"], "SET NULL")
    assert {i.name for i in wins.indexes} == {"wins_pkey", "wins_code_key"}


def test_foreign_key_without_on_delete_is_none_not_no_action() -> None:
    said = table("a", BASE, "CREATE TABLE a (s UUID REFERENCES sessions(id) ON DELETE NO ACTION)")
    unsaid = table("b", BASE, "CREATE TABLE b (s UUID REFERENCES sessions(id))")
    assert said.foreign_keys[0].on_delete == "NO ACTION"
    assert unsaid.foreign_keys[0].on_delete is None


def test_table_constraints_and_composite_keys() -> None:
    t = table("members", BASE, """
        CREATE TABLE members (
          session_id UUID, user_id UUID, role TEXT,
          CONSTRAINT members_pk PRIMARY KEY (session_id, user_id),
          FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE RESTRICT ON UPDATE CASCADE,
          UNIQUE (user_id, role)
        );""")
    assert t.primary_key == ["session_id", "user_id"]
    assert t.foreign_keys[0].on_delete == "RESTRICT"
    assert t.foreign_keys[0].on_update == "CASCADE"
    assert {i.name for i in t.indexes} == {"members_pk", "members_user_id_role_key"}


def test_if_not_exists_keeps_the_first_definition() -> None:
    t = table("a", "CREATE TABLE a (x int);", "CREATE TABLE IF NOT EXISTS a (y int);")
    assert list(t.columns) == ["x"]


def test_like_copies_columns_and_optionally_defaults_and_indexes() -> None:
    source = "CREATE TABLE a (id int PRIMARY KEY, n int NOT NULL DEFAULT 3);"
    plain = table("b", source, "CREATE TABLE b (LIKE a);")
    assert plain.columns["n"].default is None and not plain.columns["n"].nullable
    assert plain.indexes == []
    full = table("c", source, "CREATE TABLE c (LIKE a INCLUDING ALL, extra text);")
    assert full.columns["n"].default == "3"
    assert list(full.columns) == ["id", "n", "extra"]
    assert [i.name for i in full.indexes] == ["c_pkey"]


def test_alter_table_with_several_subcommands() -> None:
    t = table("wins", BASE, """
        CREATE TABLE wins (id UUID PRIMARY KEY, text TEXT, n NUMERIC);
        ALTER TABLE ONLY "public"."wins"
          ADD COLUMN mood TEXT NOT NULL DEFAULT 'ok',
          ADD COLUMN IF NOT EXISTS text TEXT,
          DROP COLUMN n,
          ALTER COLUMN text SET NOT NULL,
          ALTER COLUMN mood DROP DEFAULT,
          ALTER COLUMN mood TYPE varchar(20) USING mood::varchar(20),
          ALTER COLUMN text SET DEFAULT 'x';
        """)
    assert list(t.columns) == ["id", "text", "mood"]
    assert t.columns["mood"].type == "character varying(20)"
    assert t.columns["mood"].default is None
    assert t.columns["text"].default == "'x'::text" and not t.columns["text"].nullable


def test_drop_not_null_and_if_exists_variants() -> None:
    t = table("a", "CREATE TABLE a (x int NOT NULL);",
              "ALTER TABLE a ALTER COLUMN x DROP NOT NULL, DROP COLUMN IF EXISTS gone;",
              "ALTER TABLE IF EXISTS missing ADD COLUMN y int;")
    assert t.columns["x"].nullable
    assert not run("ALTER TABLE IF EXISTS missing ADD COLUMN y int;").issues


def test_add_and_drop_constraints() -> None:
    t = table("wins", BASE, """
        CREATE TABLE wins (id UUID, session_id UUID, code TEXT);
        ALTER TABLE ONLY wins ADD CONSTRAINT wins_pkey PRIMARY KEY (id);
        ALTER TABLE wins ADD CONSTRAINT wins_session_fk FOREIGN KEY (session_id)
          REFERENCES sessions(id) ON DELETE CASCADE;
        ALTER TABLE wins ADD CONSTRAINT wins_code_key UNIQUE (code);
        ALTER TABLE wins DROP CONSTRAINT wins_code_key;
        """)
    assert t.primary_key == ["id"] and t.columns["id"].primary_key
    assert t.foreign_keys[0].name == "wins_session_fk"
    assert [i.name for i in t.indexes] == ["wins_pkey"]
    dropped = table("wins", BASE, "CREATE TABLE wins (id UUID PRIMARY KEY, s UUID "
                    "REFERENCES sessions);", "ALTER TABLE wins DROP CONSTRAINT wins_s_fkey, "
                    "DROP CONSTRAINT wins_pkey;")
    assert dropped.foreign_keys == [] and dropped.primary_key == []


def test_row_level_security_flags() -> None:
    t = table("a", "CREATE TABLE a (x int);", "ALTER TABLE a ENABLE ROW LEVEL SECURITY;",
              "ALTER TABLE a FORCE ROW LEVEL SECURITY;")
    assert t.rls_enabled and t.rls_forced
    off = table("a", "CREATE TABLE a (x int);", "ALTER TABLE a ENABLE ROW LEVEL SECURITY;",
                "ALTER TABLE a DISABLE ROW LEVEL SECURITY;")
    assert not off.rls_enabled


def test_renames_follow_foreign_keys() -> None:
    result = schema(BASE, """
        CREATE TABLE wins (id UUID PRIMARY KEY, session_id UUID REFERENCES sessions(id));
        ALTER TABLE sessions RENAME TO coaching_sessions;
        ALTER TABLE coaching_sessions RENAME COLUMN id TO session_pk;
        ALTER TABLE wins RENAME COLUMN session_id TO coaching_session_id;
        """)
    wins = result.find_table("wins")
    assert wins is not None and result.find_table("sessions") is None
    [fk] = wins.foreign_keys
    assert (fk.columns, fk.ref_table, fk.ref_columns) == (
        ["coaching_session_id"], "coaching_sessions", ["session_pk"])


def test_set_schema_and_quoted_identifiers() -> None:
    result = schema('CREATE SCHEMA private; CREATE TABLE "MixedCase" ("Id" int);',
                    'ALTER TABLE "MixedCase" SET SCHEMA private;')
    moved = result.tables[("private", "MixedCase")]
    assert list(moved.columns) == ["Id"]


def test_public_prefix_and_bare_names_are_one_table() -> None:
    t = table("wins", "CREATE TABLE public.wins (id int);", "ALTER TABLE wins ADD COLUMN x int;",
              'ALTER TABLE "public"."wins" ADD COLUMN y int;')
    assert list(t.columns) == ["id", "x", "y"]


def test_drop_table_removes_dependent_foreign_keys() -> None:
    result = schema(BASE, "CREATE TABLE wins (s UUID REFERENCES sessions(id));",
                    "DROP TABLE IF EXISTS sessions CASCADE; DROP TABLE IF EXISTS nothing;")
    wins = result.find_table("wins")
    assert wins is not None and wins.foreign_keys == [] and result.find_table("sessions") is None


def test_indexes_create_and_drop() -> None:
    t = table("users_x", """
        CREATE TABLE users_x (id int, email text, org int, deleted boolean);
        CREATE UNIQUE INDEX CONCURRENTLY users_x_email ON users_x (lower(email));
        CREATE INDEX ON users_x (org, id) WHERE NOT deleted;
        CREATE INDEX IF NOT EXISTS users_x_email ON users_x (email);
        CREATE INDEX idx_drop_me ON users_x (id);
        DROP INDEX IF EXISTS idx_drop_me;
        """)
    assert [(i.name, i.columns, i.unique) for i in t.indexes] == [
        ("users_x_email", ["lower(email)"], True),
        ("users_x_org_id_idx", ["org", "id"], False),
    ]


def test_policies_create_rename_drop() -> None:
    t = table("wins", "CREATE TABLE wins (user_id uuid);", """
        CREATE POLICY "read own" ON wins FOR SELECT USING (auth.uid() = user_id);
        CREATE POLICY "all own" ON public.wins FOR ALL TO authenticated USING (true);
        CREATE POLICY "insert own" ON wins FOR INSERT WITH CHECK (auth.uid() = user_id);
        ALTER POLICY "all own" ON wins RENAME TO "everything own";
        DROP POLICY "insert own" ON wins;
        DROP POLICY IF EXISTS "never there" ON wins;
        """)
    assert [(p.name, p.command) for p in t.policies] == [("read own", "SELECT"),
                                                         ("everything own", "ALL")]


def test_policies_on_platform_tables_are_known() -> None:
    result = run("CREATE POLICY \"avatars\" ON storage.objects FOR SELECT USING (true);")
    assert result.issues == []


def test_enums_create_add_and_rename_values() -> None:
    result = schema("CREATE TYPE mood AS ENUM ('happy', 'sad');",
                    "ALTER TYPE mood ADD VALUE 'ok' BEFORE 'sad';",
                    "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy';",
                    "ALTER TYPE mood ADD VALUE 'grateful' AFTER 'sad';",
                    "ALTER TYPE public.mood ADD VALUE 'last';",
                    "ALTER TYPE mood RENAME VALUE 'sad' TO 'down';",
                    "CREATE TABLE wins (mood mood, moods mood[]);")
    assert result.enums[("public", "mood")].values == ["happy", "ok", "down", "grateful", "last"]
    wins = result.find_table("wins")
    assert wins is not None and wins.columns["moods"].type == "mood[]"


def test_views_and_materialized_views() -> None:
    result = schema("CREATE TABLE a (x int);", "CREATE VIEW v AS SELECT x FROM a;",
                    "CREATE OR REPLACE VIEW v AS SELECT x FROM a;",
                    "CREATE MATERIALIZED VIEW mv AS SELECT x FROM a;",
                    "CREATE VIEW gone AS SELECT 1; DROP VIEW gone;")
    assert sorted(result.views) == [("public", "mv"), ("public", "v")]
    assert result.views[("public", "mv")].materialized


def test_functions_triggers_comments_and_do_blocks() -> None:
    result = run("CREATE TABLE a (x int);", """
        CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.x := 1; RETURN NEW; END $$;
        CREATE TRIGGER touch_a BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE TRIGGER on_auth_user AFTER INSERT ON auth.users
          FOR EACH ROW EXECUTE FUNCTION touch();
        COMMENT ON TABLE a IS 'the a table';
        COMMENT ON COLUMN a.x IS 'x marks';
        DO $$ BEGIN RAISE NOTICE 'hi'; END $$;
        """)
    routines = result.schema.routines
    assert ("public", "touch", "function") in routines
    assert ("public", "touch_a", "trigger") in routines
    assert result.schema.tables[("public", "a")].comment == "the a table"
    assert result.issues == []


def test_transactions_and_search_path() -> None:
    result = schema("BEGIN; CREATE SCHEMA app; SET search_path TO app, public;"
                    " CREATE TABLE t (x int); COMMIT;")
    assert ("app", "t") in result.tables


def test_history_records_every_statement_with_its_location() -> None:
    t = table("wins", "CREATE TABLE wins (id int);",
              "-- mood\nALTER TABLE wins ADD COLUMN mood text;",
              "ALTER TABLE wins RENAME COLUMN mood TO feeling;")
    assert [h.action for h in t.history] == [
        "create table wins", "add column wins.mood", "rename column wins.mood to feeling"]
    assert t.history[1].migration == "supabase/migrations/002_m.sql"
    assert t.history[1].location.range.start.line == 1
    feeling = t.columns["feeling"]
    assert feeling.location is not None and feeling.location.path.endswith("003_m.sql")


def test_unknown_tables_and_columns_are_issues() -> None:
    result = run("CREATE TABLE wins (id int);", """
        ALTER TABLE winz ADD COLUMN x int;
        ALTER TABLE wins DROP COLUMN nope;
        CREATE INDEX ON wins (usr_id);
        CREATE TABLE t (w int REFERENCES wins(nada));
        """)
    assert [i.code for i in result.issues] == [
        "unknown-table", "unknown-column", "unknown-column", "unknown-column"]
    first = result.issues[0].location.range
    assert (first.start.line, first.start.character) == (1, 20)


def test_statements_on_auth_and_storage_are_known() -> None:
    result = run("ALTER TABLE auth.users ADD COLUMN x int;",
                 "CREATE TABLE p (id uuid REFERENCES auth.users ON DELETE CASCADE);")
    assert result.issues == []


def test_serial_columns() -> None:
    t = table("a", "CREATE TABLE a (id serial PRIMARY KEY, big bigserial);")
    assert t.columns["id"].type == "integer" and t.columns["id"].default is not None
    assert t.columns["big"].type == "bigint" and not t.columns["big"].nullable


def test_each_migration_starts_with_the_default_search_path() -> None:
    result = schema("CREATE SCHEMA app; SET search_path TO app;", "CREATE TABLE t (x int);")
    assert ("public", "t") in result.tables


def test_observer_sees_each_migration() -> None:
    seen: list[tuple[str, int]] = []
    replay([(f"m/{i}.sql", parse_migration_sql(f"CREATE TABLE t{i} (x int);"))
            for i in range(3)],
           observer=lambda path, s, events: seen.append((path, len(s.tables))))
    assert seen == [("m/0.sql", 1), ("m/1.sql", 2), ("m/2.sql", 3)]
