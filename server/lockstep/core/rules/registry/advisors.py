"""Supabase's database advisors (splinter's lints), decided from the migrations alone.

Each rule keeps splinter's level as its default severity and links splinter's remediation
page. Lints that need a live database (statistics, settings, versions) are listed in
`NOT_COVERED` and in the generated docs.
"""

from __future__ import annotations

from lockstep.core.rules.options import EXPOSED_SCHEMAS
from lockstep.core.rules.payloads import AdvisorFinding
from lockstep.core.rules.registry import Rule, rule
from lockstep.core.rules.registry.security import (
    MISSING_PRIMARY_KEY,
    POLICY_RLS_DISABLED,
    RLS_DISABLED,
    RLS_ENABLED_NO_POLICY,
    UNINDEXED_FOREIGN_KEY,
)

LINTER = "https://supabase.com/docs/guides/database/database-linter?lint="


def _advisor(name: str, lint: str, severity: str, group: str, summary: str, why: str,
             bad: str, good: str) -> Rule:
    return rule(name, severity, group, summary,
                f"{why} Supabase's advisor `{lint}`: see [its remediation]({LINTER}{lint}).",
                bad, good, payload=AdvisorFinding, options=(EXPOSED_SCHEMAS,))


AUTH_RLS_INITPLAN = _advisor(
    "auth-rls-initplan", "0003_auth_rls_initplan", "warning", "performance",
    "A policy calls `auth.uid()` (or `auth.jwt()`, `current_setting()` …) once per row.",
    "Written bare, the call is evaluated for every row the query scans; wrapped in "
    "`(select auth.uid())` PostgreSQL evaluates it once per statement (an init plan). The "
    "quick fix wraps each call.",
    "CREATE POLICY own ON goals FOR SELECT USING (auth.uid() = user_id);",
    "CREATE POLICY own ON goals FOR SELECT USING ((select auth.uid()) = user_id);")
MULTIPLE_PERMISSIVE_POLICIES = _advisor(
    "multiple-permissive-policies", "0006_multiple_permissive_policies", "warning",
    "performance",
    "Several permissive policies apply to the same role and action on a table.",
    "PostgreSQL evaluates every permissive policy for every row and ORs them; merge them "
    "into one policy per role and action (or make the extra ones `AS RESTRICTIVE`).",
    "CREATE POLICY a ON goals FOR SELECT USING (is_public);\n"
    "CREATE POLICY b ON goals FOR SELECT USING ((select auth.uid()) = user_id);",
    "CREATE POLICY a ON goals FOR SELECT\n"
    "  USING (is_public OR (select auth.uid()) = user_id);")
DUPLICATE_INDEX = _advisor(
    "duplicate-index", "0009_duplicate_index", "warning", "performance",
    "Two or more identical indexes on one table.",
    "Each copy slows every write and takes space while serving no query the other does not; "
    "a unique index on the primary key's columns duplicates the key's own index.",
    "CREATE INDEX a ON goals(user_id);\nCREATE INDEX b ON goals(user_id);",
    "CREATE INDEX a ON goals(user_id);")
FUNCTION_SEARCH_PATH_MUTABLE = _advisor(
    "function-search-path-mutable", "0011_function_search_path_mutable", "warning",
    "security",
    "A function that does not pin its `search_path`.",
    "The function resolves unqualified names through the caller's search_path, so a caller "
    "who can create objects can make it call theirs (worse with SECURITY DEFINER). Add "
    "`SET search_path = ''` and qualify names; the quick fix adds the clause.",
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ … $$;",
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$ … $$;")
SECURITY_DEFINER_VIEW = _advisor(
    "security-definer-view", "0010_security_definer_view", "error", "security",
    "A view the Data API serves that runs with its owner's rights.",
    "Without `security_invoker`, a view reads its tables as its owner (usually `postgres`, "
    "which bypasses RLS), so anyone with the anon key reads every row the view shows.",
    "CREATE VIEW open_goals AS SELECT * FROM goals;",
    "CREATE VIEW open_goals WITH (security_invoker = on) AS SELECT * FROM goals;")
RLS_POLICY_ALWAYS_TRUE = _advisor(
    "rls-policy-always-true", "0024_permissive_rls_policy", "warning", "security",
    "A write policy for anon or authenticated whose condition is always true.",
    "`USING (true)` on UPDATE/DELETE or `WITH CHECK (true)` on INSERT lets any user change "
    "every row, which is rarely meant; SELECT with `USING (true)` is left alone (public read "
    "access is a common, deliberate choice).",
    "CREATE POLICY anyone ON goals FOR UPDATE USING (true);",
    "CREATE POLICY own ON goals FOR UPDATE USING ((select auth.uid()) = user_id);")
EXTENSION_IN_PUBLIC = _advisor(
    "extension-in-public", "0014_extension_in_public", "warning", "security",
    "An extension installed in the `public` schema.",
    "Its functions and types land in the schema the Data API exposes and clutter it; install "
    "extensions in `extensions` (`CREATE EXTENSION … WITH SCHEMA extensions`).",
    "CREATE EXTENSION pg_trgm;",
    "CREATE EXTENSION pg_trgm WITH SCHEMA extensions;")
RLS_REFERENCES_USER_METADATA = _advisor(
    "rls-references-user-metadata", "0015_rls_references_user_metadata", "error", "security",
    "A policy trusts `auth.jwt() -> 'user_metadata'`.",
    "Users can edit their own `user_metadata` (`supabase.auth.updateUser`), so a policy that "
    "trusts it lets them grant themselves access; use `app_metadata` or a table.",
    "CREATE POLICY admins ON goals USING "
    "((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');",
    "CREATE POLICY admins ON goals USING "
    "((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');")
MATERIALIZED_VIEW_IN_API = _advisor(
    "materialized-view-in-api", "0016_materialized_view_in_api", "warning", "security",
    "A materialized view that anon or authenticated can read through the Data API.",
    "Materialized views have no row level security: every row is readable. Move it to an "
    "unexposed schema or `REVOKE SELECT … FROM anon, authenticated`.",
    "CREATE MATERIALIZED VIEW totals AS SELECT user_id, count(*) FROM goals GROUP BY 1;",
    "CREATE MATERIALIZED VIEW totals AS SELECT user_id, count(*) FROM goals GROUP BY 1;\n"
    "REVOKE SELECT ON totals FROM anon, authenticated;")
AUTH_USERS_EXPOSED = _advisor(
    "auth-users-exposed", "0002_auth_users_exposed", "error", "security",
    "A view in an exposed schema that reads `auth.users`.",
    "`auth.users` holds every user's email, phone and metadata; a view over it that anon or "
    "authenticated can read (owner's rights, or a materialized view) publishes them.",
    "CREATE VIEW people AS SELECT id, email FROM auth.users;",
    "CREATE TABLE profiles (id uuid PRIMARY KEY REFERENCES auth.users ON DELETE CASCADE);")
UNSUPPORTED_REG_TYPES = _advisor(
    "unsupported-reg-types", "unsupported_reg_types", "warning", "migrations",
    "A column of a `reg*` type that pg_upgrade cannot carry over.",
    "Columns of `regproc`, `regclass`-like OID alias types (except `regclass`, `regrole` and "
    "`regtype`) block Supabase's Postgres upgrades; store the name as text.",
    "CREATE TABLE hooks (id int PRIMARY KEY, fn regproc);",
    "CREATE TABLE hooks (id int PRIMARY KEY, fn text);")
SENSITIVE_COLUMNS_EXPOSED = _advisor(
    "sensitive-columns-exposed", "0023_sensitive_columns_exposed", "error", "security",
    "A table without RLS that anon can read has a column named like a secret.",
    "Columns such as `password`, `token` or `ssn` in a table the Data API serves without "
    "RLS are readable by anyone with the anon key.",
    "CREATE TABLE accounts (id int PRIMARY KEY, password text);",
    "CREATE TABLE accounts (id int PRIMARY KEY, password text);\n"
    "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;")
FKEY_TO_AUTH_UNIQUE = _advisor(
    "fkey-to-auth-unique", "0021_fkey_to_auth_unique", "error", "security",
    "A foreign key to a unique column of `auth` other than its primary key.",
    "Supabase may change the unique constraints of its `auth` tables in an upgrade; a "
    "foreign key that depends on one blocks it. Reference the primary key (`auth.users.id`).",
    "user_phone text REFERENCES auth.users(phone)",
    "user_id uuid REFERENCES auth.users(id) ON DELETE CASCADE")
FOREIGN_TABLE_IN_API = _advisor(
    "foreign-table-in-api", "0017_foreign_table_in_api", "warning", "security",
    "A foreign table that anon or authenticated can read through the Data API.",
    "Foreign tables have no row level security: the API serves every row the remote server "
    "returns. Move it to an unexposed schema or `REVOKE SELECT … FROM anon, authenticated`.",
    "CREATE FOREIGN TABLE invoices (id int) SERVER billing;",
    "CREATE FOREIGN TABLE private.invoices (id int) SERVER billing;")
INSECURE_QUEUE_EXPOSED_IN_API = _advisor(
    "insecure-queue-exposed-in-api", "0019_insecure_queue_exposed_in_api", "error",
    "security",
    "A Supabase Queue without RLS that anon or authenticated can reach through `pgmq_public`.",
    "With `pgmq_public` exposed, the API's queue functions read and write `pgmq.q_<queue>` as "
    "the caller; without RLS on that table, anyone holding the granted role reads, sends and "
    "deletes every message. Enable RLS on the queue table and add policies.",
    "select pgmq.create('jobs');\nGRANT SELECT, INSERT ON pgmq.q_jobs TO authenticated;",
    "select pgmq.create('jobs');\nGRANT SELECT, INSERT ON pgmq.q_jobs TO authenticated;\n"
    "ALTER TABLE pgmq.q_jobs ENABLE ROW LEVEL SECURITY;")
GRAPHQL_TABLE_EXPOSED = _advisor(
    "graphql-table-exposed", "0026_pg_graphql_anon_table_exposed", "warning", "security",
    "A relation anon or authenticated can SELECT, in a schema whose GraphQL introspection is "
    "on.",
    "pg_graphql's introspection shows every table, view, materialized view (and, to "
    "authenticated, foreign table) the role may read — its name, columns and relationships — "
    "even when RLS hides its rows (splinter 0026 for anon, 0027 for authenticated). Since "
    "pg_graphql 1.6.0 introspection is off unless the schema's comment opts in with "
    "`@graphql({\"introspection\": true})`, and new Supabase projects no longer enable "
    "pg_graphql, so the rule judges the schemas whose comment opts in; it cannot see projects "
    "on an older pg_graphql, where introspection is on everywhere (splinter flags every "
    "readable relation once pg_graphql is installed). Revoke SELECT from the roles that must "
    "not discover the relation, or leave introspection off.",
    "COMMENT ON SCHEMA public IS '@graphql({\"introspection\": true})';\n"
    "CREATE TABLE audit_log (id bigint PRIMARY KEY, detail text);",
    "COMMENT ON SCHEMA public IS '@graphql({\"introspection\": true})';\n"
    "CREATE TABLE audit_log (id bigint PRIMARY KEY, detail text);\n"
    "REVOKE SELECT ON audit_log FROM anon, authenticated;")
SECURITY_DEFINER_FUNCTION_EXECUTABLE = _advisor(
    "security-definer-function-executable",
    "0028_anon_security_definer_function_executable", "warning", "security",
    "A SECURITY DEFINER function that anon or authenticated may execute.",
    "It runs with its owner's rights and bypasses RLS, and PostgREST serves it at "
    "`/rest/v1/rpc/<name>` (splinter 0028 for anon, 0029 for authenticated). New functions "
    "are executable by PUBLIC, and Supabase also grants EXECUTE in `public` to anon and "
    "authenticated: revoke it from all three, or make the function SECURITY INVOKER. Trigger "
    "functions are left out, unlike splinter: PostgreSQL calls them only as triggers.",
    "CREATE FUNCTION purge() RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = ''\n"
    "  AS $$ DELETE FROM public.logs $$;",
    "CREATE FUNCTION purge() RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = ''\n"
    "  AS $$ DELETE FROM public.logs $$;\n"
    "REVOKE EXECUTE ON FUNCTION purge() FROM PUBLIC, anon, authenticated;")

# Splinter's lints → the rules that decide them from the migrations (docs/rules.md lists them).
COVERED = (
    ("0001_unindexed_foreign_keys", UNINDEXED_FOREIGN_KEY.name),
    ("0002_auth_users_exposed", AUTH_USERS_EXPOSED.name),
    ("0003_auth_rls_initplan", AUTH_RLS_INITPLAN.name),
    ("0004_no_primary_key", MISSING_PRIMARY_KEY.name),
    ("0006_multiple_permissive_policies", MULTIPLE_PERMISSIVE_POLICIES.name),
    ("0007_policy_exists_rls_disabled", POLICY_RLS_DISABLED.name),
    ("0008_rls_enabled_no_policy", RLS_ENABLED_NO_POLICY.name),
    ("0009_duplicate_index", DUPLICATE_INDEX.name),
    ("0010_security_definer_view", SECURITY_DEFINER_VIEW.name),
    ("0011_function_search_path_mutable", FUNCTION_SEARCH_PATH_MUTABLE.name),
    ("0013_rls_disabled_in_public", RLS_DISABLED.name),
    ("0014_extension_in_public", EXTENSION_IN_PUBLIC.name),
    ("0015_rls_references_user_metadata", RLS_REFERENCES_USER_METADATA.name),
    ("0016_materialized_view_in_api", MATERIALIZED_VIEW_IN_API.name),
    ("0017_foreign_table_in_api", FOREIGN_TABLE_IN_API.name),
    ("0019_insecure_queue_exposed_in_api", INSECURE_QUEUE_EXPOSED_IN_API.name),
    ("0021_fkey_to_auth_unique", FKEY_TO_AUTH_UNIQUE.name),
    ("0023_sensitive_columns_exposed", SENSITIVE_COLUMNS_EXPOSED.name),
    ("0024_permissive_rls_policy", RLS_POLICY_ALWAYS_TRUE.name),
    ("0026_pg_graphql_anon_table_exposed", GRAPHQL_TABLE_EXPOSED.name),
    ("0027_pg_graphql_authenticated_table_exposed", GRAPHQL_TABLE_EXPOSED.name),
    ("0028_anon_security_definer_function_executable",
     SECURITY_DEFINER_FUNCTION_EXECUTABLE.name),
    ("0029_authenticated_security_definer_function_executable",
     SECURITY_DEFINER_FUNCTION_EXECUTABLE.name),
    ("unsupported_reg_types", UNSUPPORTED_REG_TYPES.name),
)
# Splinter's lints that the migrations cannot decide, and why (rendered into docs/rules.md).
NOT_COVERED = (
    ("0005_unused_index", "needs the index usage statistics of a running database"),
    ("0012_auth_allow_anonymous_sign_ins", "an Auth setting, not the schema"),
    ("0020_table_bloat", "needs the table statistics of a running database"),
    ("0022_extension_versions_outdated", "needs the versions the server offers"),
    ("0025_public_bucket_allows_listing", "storage buckets are data, not migrations"),
)
