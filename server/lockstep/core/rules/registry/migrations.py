"""The migrations rules: name, default severity, group and documentation."""

from __future__ import annotations

from lockstep.core.discovery import KNOWN_RUNNER, TONEY
from lockstep.core.rules.options import MIGRATION_PATHS
from lockstep.core.rules.registry import rule

MIGRATION_SYNTAX_ERROR = rule(
    "migration-syntax-error", "error", "migrations",
    "A statement PostgreSQL cannot parse.",
    "The migration will fail in the SQL editor of both Supabase projects, and everything "
    "after the broken statement is unknown to Lockstep's schema model. Lockstep parses each "
    "statement with libpg_query, the parser of PostgreSQL itself, so what it flags the "
    "server would reject too.",
    "ALTER TABLE wins ADD COLUMN mood TEXT DEFALT 'ok';",
    "ALTER TABLE wins ADD COLUMN mood TEXT DEFAULT 'ok';",
)
MIGRATION_FILENAME = rule(
    "migration-filename", "warning", "migrations",
    "A migration file name the Supabase CLI would skip (not `<version>_<name>.sql`) or whose "
    "version width differs from the folder's; with the Toney convention, any name that is not "
    "`NNN_snake_case.sql` or `YYYYMMDDHHMMSS_snake_case.sql`.",
    "The version in the name decides the order migrations run in. The Supabase CLI runs only "
    "`<digits>_<name>.sql` files and silently skips the rest; versions of different widths "
    "sort differently as text and as numbers. Where the repository follows Toney's "
    "convention (numbered `NNN_` migrations), spaces, capitals and a mix of numbered and "
    "timestamp names are flagged too.",
    "supabase/migrations/add_mood.sql",
    "supabase/migrations/20240101120000_add_mood.sql",
    options=(MIGRATION_PATHS,),
)
DUPLICATE_MIGRATION_VERSION = rule(
    "duplicate-migration-version", "error", "migrations",
    "Two migration files share a version.",
    "Two files with one version run in an order decided by their names, and the Supabase CLI "
    "records only one of them as applied. Usually two branches each created `037_…`: renumber "
    "the later one.",
    "037_profile_language.sql\n037_win_mood.sql",
    "037_profile_language.sql\n038_win_mood.sql",
    options=(MIGRATION_PATHS,),
    convention=KNOWN_RUNNER,
)
MIGRATION_MISSING_COMMENT = rule(
    "migration-missing-comment", "warning", "migrations",
    "A migration that does not start with a comment saying what it does and why.",
    "Migrations are applied by hand to the DEV and PROD projects; the header comment is what "
    "the person pasting it reads first, and what a reviewer reads months later.",
    "ALTER TABLE wins ADD COLUMN mood TEXT;",
    "-- Wins get a mood so the coach can reflect on how a win felt.\n"
    "ALTER TABLE wins ADD COLUMN mood TEXT;",
    convention=TONEY,
)
UNKNOWN_TABLE = rule(
    "unknown-table", "error", "migrations",
    "A statement touches a table that no earlier migration created.",
    "PostgreSQL will reject the statement (`relation does not exist`). Usually a typo, or a "
    "migration that depends on a later one. Supabase's own schemas (`auth`, `storage`, …) "
    "are known and never flagged. A table that no migration creates at all (made in the "
    "dashboard, or by a `schema.sql` the migrations build on) is reported once, where it is "
    "first used: from then on its shape is taken from the generated `Database` type when the "
    "repo has one (else its columns are not judged), and no later statement repeats the "
    "error. List such schema files in `[migrations] baseline` to replay them first. A "
    "`CREATE POLICY` on a view gets PostgreSQL's own reason: it is not a table.",
    "ALTER TABLE winz ADD COLUMN mood TEXT;",
    "ALTER TABLE wins ADD COLUMN mood TEXT;",
)
UNKNOWN_COLUMN = rule(
    "unknown-column", "error", "migrations",
    "A statement names a column that the table does not have at that point.",
    "PostgreSQL will reject the statement (`column does not exist`): a typo, a column dropped "
    "or renamed earlier, or one added by a later migration.",
    "CREATE INDEX idx_wins_usr ON wins(usr_id);",
    "CREATE INDEX idx_wins_user_id ON wins(user_id);",
)
DEPENDENT_OBJECTS = rule(
    "dependent-objects", "error", "migrations",
    "A DROP that PostgreSQL refuses because other objects depend on what it drops.",
    "Without CASCADE (RESTRICT is the default) PostgreSQL will not drop a column a view or "
    "policy reads, a key another table's foreign key relies on, a table others reference, a "
    "type a column has or a schema that is not empty: the migration fails. Add CASCADE if "
    "the dependents should go too (the message lists them), or drop them first.",
    "CREATE VIEW titles AS SELECT title FROM posts;\nALTER TABLE posts DROP COLUMN title;",
    "DROP VIEW titles;\nALTER TABLE posts DROP COLUMN title;",
)
