"""The security rules: name, default severity, group and documentation."""

from __future__ import annotations

from lockstep.core.rules.options import EXPOSED_SCHEMAS, INTERNAL_TABLES
from lockstep.core.rules.payloads import ForeignKeyFinding, RlsFinding, TableRef
from lockstep.core.rules.registry import rule

RLS_DISABLED = rule(
    "rls-disabled",
    "error",
    "security",
    "A table in an exposed schema without row level security.",
    "Tables in `public` are served by the Data API to anyone holding the anon key, which "
    "ships in every browser bundle, and Supabase grants `anon` and `authenticated` every "
    "privilege on new tables there. Without RLS every row can be read and written by anyone. "
    "That holds for `sim_` tables and `internal_tables` (`llm_usage`) too, which only the "
    "service role should reach: give them RLS with no policy (the service role bypasses it) "
    "or `REVOKE ALL … FROM anon, authenticated`; a table whose grants were revoked is not "
    "reported. Supabase's advisor `0013_rls_disabled_in_public`; unlike it, a partitioned "
    "parent counts (a query through it sees every partition under the parent's RLS only).",
    "CREATE TABLE goals (id UUID PRIMARY KEY, user_id UUID NOT NULL);",
    "CREATE TABLE goals (id UUID PRIMARY KEY, user_id UUID NOT NULL);\n"
    "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n"
    'CREATE POLICY "Users can read own rows" ON goals\n'
    "  FOR SELECT USING (auth.uid() = user_id);",
    payload=RlsFinding,
    options=(INTERNAL_TABLES, EXPOSED_SCHEMAS),
)
RLS_ENABLED_NO_POLICY = rule(
    "rls-enabled-no-policy",
    "information",
    "security",
    "Row level security is on but the table has no policy.",
    "With RLS on and no policy, the Data API returns no rows and rejects every write for "
    "users; only the service role gets through. That is sometimes the intent (a table only "
    "the server touches), so this is information, not a warning: add the policies users "
    "need, or say so in a comment and suppress it.",
    "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;",
    "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n"
    'CREATE POLICY "Users can read own rows" ON goals\n'
    "  FOR SELECT USING (auth.uid() = user_id);",
    payload=RlsFinding,
    options=(INTERNAL_TABLES, EXPOSED_SCHEMAS),
)
POLICY_RLS_DISABLED = rule(
    "policy-rls-disabled",
    "error",
    "security",
    "A table has policies but row level security is off.",
    "Policies do nothing until RLS is enabled on the table: the author meant to restrict "
    "access, yet every row is open to anyone with the anon key. Usually a forgotten "
    "`ENABLE ROW LEVEL SECURITY`, or a `DISABLE` left over from debugging.",
    'CREATE POLICY "Users can read own rows" ON goals\n  FOR SELECT USING (auth.uid() = user_id);',
    "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n"
    'CREATE POLICY "Users can read own rows" ON goals\n'
    "  FOR SELECT USING (auth.uid() = user_id);",
    payload=RlsFinding,
)
UNINDEXED_FOREIGN_KEY = rule(
    "unindexed-foreign-key",
    "warning",
    "performance",
    "A foreign key whose columns are not the leading columns of any index.",
    "PostgreSQL indexes the referenced side of a foreign key, never the referencing side. "
    "Without an index, every delete or key update on the referenced table scans the whole "
    "referencing table (and so does a join or filter on the column). A primary key or "
    "unique constraint that starts with the columns counts as an index.",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  user_id UUID REFERENCES auth.users(id) ON DELETE CASCADE\n);",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  user_id UUID REFERENCES auth.users(id) ON DELETE CASCADE\n);\n"
    "CREATE INDEX idx_goals_user_id ON goals(user_id);",
    payload=ForeignKeyFinding,
)
FOREIGN_KEY_MISSING_ON_DELETE = rule(
    "foreign-key-missing-on-delete",
    "warning",
    "performance",
    "A foreign key that does not say what happens when the referenced row is deleted.",
    "The default, `NO ACTION`, makes deleting the referenced row fail while rows point at "
    "it: deleting an account or a session errors out far from the migration that caused it. "
    "Say `ON DELETE CASCADE`, `SET NULL` or `RESTRICT` so the choice is deliberate. Where "
    "Toney's convention is in force every foreign key is checked; elsewhere only references "
    "to rows Supabase itself deletes (`auth`, `storage`: a user removed from the dashboard "
    "fails with \"Database error deleting user\").",
    "user_id UUID NOT NULL REFERENCES auth.users(id)",
    "user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE",
    payload=ForeignKeyFinding,
)
MISSING_PRIMARY_KEY = rule(
    "missing-primary-key",
    "warning",
    "performance",
    "A table without a primary key.",
    "Rows without a key cannot be updated or deleted one at a time reliably (supabase-js "
    "`.update().eq('id', …)`, the dashboard's table editor), logical replication and "
    "Realtime need one, and duplicates creep in unnoticed.",
    "CREATE TABLE goals (id UUID DEFAULT gen_random_uuid(), title TEXT);",
    "CREATE TABLE goals (id UUID DEFAULT gen_random_uuid() PRIMARY KEY, title TEXT);",
    payload=TableRef,
)
