"""The sim_ mirror generator, statement kind by statement kind."""

from __future__ import annotations

from lockstep.codeactions.mirror.generate import mirror_statements, sim_object_name, sql_with_mirror
from lockstep.core.replay.engine import replay
from lockstep.core.sql.parse import parse_migration_sql

BASE = """
CREATE TABLE sessions (id UUID PRIMARY KEY, user_id UUID NOT NULL REFERENCES auth.users(id));
CREATE TABLE wins (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  session_id UUID REFERENCES sessions(id) ON DELETE SET NULL,
  text TEXT NOT NULL
);
CREATE INDEX idx_wins_user_id ON wins(user_id);
CREATE TABLE sim_sessions (id UUID PRIMARY KEY, user_id UUID NOT NULL);
CREATE TABLE sim_wins (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL,
  session_id UUID REFERENCES sim_sessions(id) ON DELETE SET NULL,
  text TEXT NOT NULL
);
CREATE INDEX idx_sim_wins_user_id ON sim_wins(user_id);
CREATE TABLE profiles (id UUID PRIMARY KEY);
CREATE TABLE llm_usage (id UUID PRIMARY KEY, session_id UUID REFERENCES sessions(id));
"""
SCHEMA = replay([("001_base.sql", parse_migration_sql(BASE))]).schema


def mirror(sql: str) -> list[str]:
    return [m.text for m in mirror_statements(sql, SCHEMA)]


def test_add_column() -> None:
    assert mirror("ALTER TABLE wins ADD COLUMN mood TEXT DEFAULT 'ok'") == [
        "ALTER TABLE sim_wins ADD COLUMN mood TEXT DEFAULT 'ok'"
    ]


def test_add_column_drops_auth_fk_and_retargets() -> None:
    sql = (
        "ALTER TABLE public.wins ADD COLUMN coach UUID NOT NULL REFERENCES auth.users(id) "
        "ON DELETE CASCADE, ADD COLUMN s2 UUID REFERENCES sessions(id)"
    )
    assert mirror(sql) == [
        "ALTER TABLE public.sim_wins ADD COLUMN coach UUID NOT NULL, "
        "ADD COLUMN s2 UUID REFERENCES sim_sessions(id)"
    ]


def test_drop_rename_alter_column() -> None:
    assert mirror("ALTER TABLE wins DROP COLUMN text") == ["ALTER TABLE sim_wins DROP COLUMN text"]
    assert mirror("ALTER TABLE wins RENAME COLUMN text TO body") == [
        "ALTER TABLE sim_wins RENAME COLUMN text TO body"
    ]
    assert mirror("ALTER TABLE wins ALTER COLUMN text SET DEFAULT ''") == [
        "ALTER TABLE sim_wins ALTER COLUMN text SET DEFAULT ''"
    ]
    assert mirror("ALTER TABLE wins ALTER COLUMN text TYPE VARCHAR(10)") == [
        "ALTER TABLE sim_wins ALTER COLUMN text TYPE VARCHAR(10)"
    ]


def test_add_constraint_retargets_and_renames() -> None:
    sql = (
        "ALTER TABLE wins ADD CONSTRAINT wins_session_fk FOREIGN KEY (session_id) "
        "REFERENCES sessions(id)"
    )
    assert mirror(sql) == [
        "ALTER TABLE sim_wins ADD CONSTRAINT sim_wins_session_fk FOREIGN KEY (session_id) "
        "REFERENCES sim_sessions(id)"
    ]
    assert (
        mirror("ALTER TABLE wins ADD CONSTRAINT u FOREIGN KEY (user_id) REFERENCES auth.users(id)")
        == []
    )


def test_rls_policies_grants_comments_not_mirrored() -> None:
    assert mirror("ALTER TABLE wins ENABLE ROW LEVEL SECURITY") == []
    assert mirror('CREATE POLICY "p" ON wins FOR SELECT USING (auth.uid() = user_id)') == []
    assert mirror("GRANT SELECT ON wins TO authenticated") == []
    assert mirror("COMMENT ON TABLE wins IS 'x'") == []


def test_mixed_alter_keeps_only_mirrored_commands() -> None:
    assert mirror("ALTER TABLE wins ADD COLUMN a INT, ENABLE ROW LEVEL SECURITY") == [
        "ALTER TABLE sim_wins ADD COLUMN a INT"
    ]


def test_rename_table() -> None:
    assert mirror(
        "ALTER TABLE wins RENAME TO victories; ALTER TABLE victories ADD COLUMN x INT"
    ) == [
        "ALTER TABLE sim_wins RENAME TO sim_victories",
        "ALTER TABLE sim_victories ADD COLUMN x INT",
    ]


def test_drop_table_and_indexes() -> None:
    assert mirror("DROP TABLE IF EXISTS wins CASCADE") == ["DROP TABLE IF EXISTS sim_wins CASCADE"]
    assert mirror("DROP INDEX idx_wins_user_id") == ["DROP INDEX idx_sim_wins_user_id"]
    assert mirror("CREATE UNIQUE INDEX IF NOT EXISTS idx_wins_text ON wins (text)") == [
        "CREATE UNIQUE INDEX IF NOT EXISTS idx_sim_wins_text ON sim_wins (text)"
    ]


def test_new_table_referencing_a_mirrored_one() -> None:
    sql = """CREATE TABLE win_reactions (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  win_id UUID NOT NULL REFERENCES wins(id) ON DELETE CASCADE,
  profile_id UUID REFERENCES profiles(id),
  CONSTRAINT win_reactions_one UNIQUE (user_id, win_id),
  FOREIGN KEY (user_id) REFERENCES auth.users(id)
);
CREATE INDEX idx_win_reactions_win_id ON win_reactions(win_id);
ALTER TABLE win_reactions ENABLE ROW LEVEL SECURITY;"""
    assert mirror(sql) == [
        """CREATE TABLE sim_win_reactions (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL,
  win_id UUID NOT NULL REFERENCES sim_wins(id) ON DELETE CASCADE,
  profile_id UUID REFERENCES profiles(id),
  CONSTRAINT sim_win_reactions_one UNIQUE (user_id, win_id)
);
REVOKE ALL ON sim_win_reactions FROM anon, authenticated""",
        "CREATE INDEX idx_sim_win_reactions_win_id ON sim_win_reactions(win_id)",
    ]


def test_unrelated_and_internal_tables_are_not_mirrored() -> None:
    assert mirror("ALTER TABLE profiles ADD COLUMN x INT") == []
    assert mirror("CREATE TABLE other (id INT PRIMARY KEY, p UUID REFERENCES profiles(id))") == []
    assert mirror("ALTER TABLE llm_usage ADD COLUMN tokens INT") == []
    assert mirror("CREATE TABLE llm_usage2 (id INT)") == []


def test_table_mirrored_by_the_same_sql() -> None:
    sql = "CREATE TABLE sim_goals (id INT); ALTER TABLE goals ADD COLUMN x INT"
    assert mirror(sql) == ["ALTER TABLE sim_goals ADD COLUMN x INT"]


def test_statements_on_sim_tables_and_existing_mirrors_are_left_alone() -> None:
    assert mirror("ALTER TABLE sim_wins ADD COLUMN content TEXT") == []
    assert (
        mirror("ALTER TABLE wins ADD COLUMN m TEXT; ALTER TABLE sim_wins ADD COLUMN m TEXT") == []
    )
    assert (
        mirror(
            "CREATE TABLE goals (id INT, w UUID REFERENCES wins(id)); "
            "CREATE TABLE sim_goals (id INT)"
        )
        == []
    )


def test_quoted_names_keep_quotes() -> None:
    assert mirror('ALTER TABLE "wins" ADD COLUMN "Mood" TEXT') == [
        'ALTER TABLE "sim_wins" ADD COLUMN "Mood" TEXT'
    ]


def test_sim_object_name() -> None:
    assert sim_object_name("idx_wins_user_id", "wins") == "idx_sim_wins_user_id"
    assert sim_object_name("wins_pkey", "wins") == "sim_wins_pkey"
    assert sim_object_name("by_user", "wins") == "sim_by_user"
    assert sim_object_name("idx_winsome", "wins") == "sim_idx_winsome"


def test_sql_with_mirror_block_and_terminator() -> None:
    out = sql_with_mirror("ALTER TABLE wins ADD COLUMN mood TEXT", SCHEMA)
    assert out == (
        "ALTER TABLE wins ADD COLUMN mood TEXT;\n\n"
        "-- Simulator mirror (no FK to auth.users, no RLS)\n"
        "ALTER TABLE sim_wins ADD COLUMN mood TEXT;\n"
    )


def test_broken_sql_never_raises() -> None:
    for sql in [
        "ALTER TABLE wins ADD",
        "CREATE TABLE (",
        "'unterminated",
        "",
        "\ufeff-- x",
        "DO $$ $$",
    ]:
        mirror_statements(sql, SCHEMA)
        sql_with_mirror(sql, SCHEMA)
    assert mirror_statements("ALTER TABLE wins ADD COLUMN a INT", None) == []
