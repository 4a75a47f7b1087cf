"""The migration-safety rules: statements that work on an empty database and fail, lock or
break something on a production project that has rows and running clients.

"Pre-existing" means the table existed before the migration being judged (an earlier
migration created it, or Supabase did): the replay's history says so. A table created earlier
in the same migration is empty when the migration runs, so the same statement is harmless.
"""

from __future__ import annotations

from lockstep.core.discovery import KNOWN_RUNNER
from lockstep.core.rules.payloads import BrokenConsumers, TableChange
from lockstep.core.rules.registry import rule

_PRODUCTION = (
    "The Supabase CLI (`supabase db push`, the GitHub integration) applies migrations to a "
    "production project whose tables already have rows, while the Data API keeps serving them. "
)

ADD_NOT_NULL_WITHOUT_DEFAULT = rule(
    "add-not-null-without-default", "warning", "safety",
    "`ADD COLUMN … NOT NULL` without a default, or `ALTER COLUMN … SET NOT NULL`, on a table "
    "that existed before this migration.",
    _PRODUCTION + "Adding a `NOT NULL` column without a default fails as soon as the table has "
    "one row (`column contains null values`), so the migration passes on a fresh local database "
    "and fails on `db push`. `SET NOT NULL` fails the same way when a row still holds NULL, and "
    "scans the whole table under an ACCESS EXCLUSIVE lock that blocks every API request on it. "
    "Give the column a default (a constant default is instant since PostgreSQL 11), or backfill "
    "it first: an `UPDATE` of the column earlier in the same migration keeps `SET NOT NULL` "
    "quiet. A table created in the same migration is empty and never flagged.",
    "-- 016_wins_energy_level.sql (wins was created in 005)\n"
    "ALTER TABLE wins ADD COLUMN energy_level SMALLINT NOT NULL;",
    "-- 016_wins_energy_level.sql\n"
    "ALTER TABLE wins ADD COLUMN energy_level SMALLINT NOT NULL DEFAULT 3;",
    payload=TableChange,
)
COLUMN_TYPE_CHANGE = rule(
    "column-type-change", "warning", "safety",
    "`ALTER COLUMN … TYPE` on a table that existed before this migration.",
    _PRODUCTION + "Changing a column's type rewrites the whole table (and its indexes) under "
    "an ACCESS EXCLUSIVE lock, so reads and writes through the API wait for it; a value that "
    "does not convert fails the migration halfway through production data. It also changes "
    "the type PostgREST returns and `supabase gen types` generates, so deployed clients that "
    "still expect the old type break. Add a new column, backfill it, move the clients, then "
    "drop the old one; or confirm the change is binary-compatible (e.g. `varchar(n)` to "
    "`text`) and suppress the finding with the reason.",
    "-- 020_sessions_duration.sql (sessions was created in 002)\n"
    "ALTER TABLE sessions ALTER COLUMN duration TYPE numeric;",
    "-- 020_sessions_duration.sql\n"
    "ALTER TABLE sessions ADD COLUMN duration_exact numeric;\n"
    "UPDATE sessions SET duration_exact = duration WHERE duration IS NOT NULL;",
    payload=TableChange,
)
RENAME_BREAKS_CONSUMERS = rule(
    "rename-breaks-consumers", "warning", "safety",
    "`RENAME` of a table or column that a supabase-js call site still uses by its old name.",
    "supabase-js names tables and columns as strings, so the compiler cannot see that a "
    "`.from('wins')` or a `.select('text')` refers to a name a migration renames; the query "
    "fails at runtime (`relation does not exist`, `column does not exist`) the moment the "
    "migration reaches the Supabase project, and deployed clients keep the old name until "
    "they are redeployed. Only Lockstep sees both sides: the diagnostic is on the RENAME and "
    "its related information lists every call site. Rename both at once with "
    "`lockstep-lsp rename` (or the editor's rename on the SQL name), and deploy the clients "
    "together with the migration (or keep a view under the old name meanwhile).",
    "-- 017_rename_wins.sql\n"
    "ALTER TABLE wins RENAME TO victories;\n"
    "-- apps/web/src/lib/wins.ts still calls supabase.from('wins')",
    "-- 017_rename_wins.sql\n"
    "ALTER TABLE wins RENAME TO victories;\n"
    "-- apps/web/src/lib/wins.ts calls supabase.from('victories') (lockstep-lsp rename)",
    payload=BrokenConsumers,
)
DROP_BREAKS_CONSUMERS = rule(
    "drop-breaks-consumers", "warning", "safety",
    "`DROP TABLE` or `DROP COLUMN` of a table or column that a supabase-js call site still "
    "uses.",
    "A dropped table or column that the code still queries fails at runtime, not at build "
    "time: PostgREST rejects the whole request (`relation does not exist`, `column does not "
    "exist`), and the data is gone, so the migration cannot simply be reverted. On Supabase "
    "the migration usually reaches the database before (or without) the client deploy. Remove "
    "the uses first (the related information lists each call site), deploy, then drop.",
    "-- 014_drop_session_rating.sql\n"
    "ALTER TABLE sessions DROP COLUMN rating;\n"
    "-- apps/admin/src/lib/queries/sessions.ts still selects 'rating'",
    "-- 014_drop_session_rating.sql (after the queries stopped selecting it)\n"
    "ALTER TABLE sessions DROP COLUMN rating;",
    payload=BrokenConsumers,
)
CONCURRENTLY_IN_TRANSACTION = rule(
    "concurrently-in-transaction", "error", "safety",
    "`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY` or `REINDEX … CONCURRENTLY` after "
    "another statement of the same migration file.",
    "The Supabase CLI sends each migration file as one batch that runs as one transaction "
    "(supabase/cli#2898), and PostgreSQL refuses `CONCURRENTLY` inside it (`CREATE INDEX "
    "CONCURRENTLY cannot be executed within a pipeline`, or `… cannot run inside a "
    "transaction block`), so the migration fails on every `db push` and `db reset`. "
    "PostgreSQL still accepts it as the first statement of the batch, so only a concurrent "
    "statement that follows another one is flagged. The maintainers' advice: put it in a "
    "migration file of its own.",
    "-- 021_wins_pinned_at.sql\n"
    "ALTER TABLE wins ADD COLUMN pinned_at timestamptz;\n"
    "CREATE INDEX CONCURRENTLY idx_wins_pinned_at ON wins (pinned_at);",
    "-- 021_wins_pinned_at.sql\n"
    "ALTER TABLE wins ADD COLUMN pinned_at timestamptz;\n"
    "-- 022_wins_pinned_at_index.sql (nothing else in the file)\n"
    "CREATE INDEX CONCURRENTLY idx_wins_pinned_at ON wins (pinned_at);",
    convention=KNOWN_RUNNER,
)
TRANSACTION_IN_MIGRATION = rule(
    "transaction-in-migration", "warning", "safety",
    "`BEGIN`, `START TRANSACTION`, `COMMIT`, `END` or `ROLLBACK` in a migration file.",
    "The Supabase CLI already runs each migration file in a transaction and records its "
    "version in that same transaction, so a `BEGIN … COMMIT` around the file is redundant at "
    "best. A `COMMIT` ends the CLI's transaction early: what precedes it is committed even if "
    "a later statement (or the version record) fails, leaving a half-applied migration that "
    "the CLI will try to run again; a `ROLLBACK` silently undoes the statements before it. "
    "Remove the transaction statements; the quick fix does so when they wrap the whole file "
    "(safe on the newest migration; unsafe on one that later migrations follow, which is "
    "probably applied already).",
    "-- 004_handle_new_user.sql\n"
    "BEGIN;\n"
    "CREATE FUNCTION public.handle_new_user() RETURNS trigger …;\n"
    "COMMIT;",
    "-- 004_handle_new_user.sql (the CLI runs the file in one transaction)\n"
    "CREATE FUNCTION public.handle_new_user() RETURNS trigger …;",
    convention=KNOWN_RUNNER,
)
UNBOUNDED_DATA_CHANGE = rule(
    "unbounded-data-change", "warning", "safety",
    "`UPDATE` or `DELETE` without `WHERE`, or `TRUNCATE`, on a table that existed before this "
    "migration.",
    _PRODUCTION + "An `UPDATE` or `DELETE` without `WHERE` touches every production row in "
    "one transaction: it locks them all (API writes to the table wait), fires every row "
    "trigger, writes the whole table to the WAL, and a `DELETE` cannot be undone once the "
    "migration commits; `TRUNCATE` empties the table under an ACCESS EXCLUSIVE lock. On a "
    "local database it looks harmless because the table is small or empty. Say which rows "
    "(`WHERE status IS NULL`), or suppress the finding where touching every row is the point "
    "(a one-off backfill of a small table). Backfilling a column that the same migration "
    "added (`ADD COLUMN done boolean; UPDATE t SET done = false;`) is not flagged.",
    "-- 018_prune_wins.sql\n"
    "DELETE FROM wins;",
    "-- 018_prune_wins.sql\n"
    "DELETE FROM wins WHERE created_at < '2024-01-01';",
    payload=TableChange,
)
