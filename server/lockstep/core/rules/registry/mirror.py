"""The mirror rules: name, default severity, group and documentation."""

from __future__ import annotations

from lockstep.core.discovery import TONEY
from lockstep.core.rules.options import INTERNAL_TABLES, MIRROR_PREFIX
from lockstep.core.rules.payloads import MirrorDrift, MirrorMissing, SimForeignKey, SimRls
from lockstep.core.rules.registry import rule

SIM_MIRROR_DRIFT = rule(
    "sim-mirror-drift",
    "warning",
    "mirror",
    "A change to a mirrored table that its `sim_` twin did not get in the same migration.",
    "The simulator clones real users into `sim_` tables and runs the same code on them. A "
    "column that exists on `wins` but not on `sim_wins` (or has another type or nullability "
    "there) makes the clone fail or silently drop data, and it is only noticed when someone "
    "runs the simulator. The workflow repeats every change on the twin in the same migration; "
    "extra columns on the twin, other defaults and FKs to `sim_` tables are allowed.",
    "ALTER TABLE wins ADD COLUMN mood TEXT;",
    "ALTER TABLE wins ADD COLUMN mood TEXT;\n-- Mirror for simulator:\n"
    "ALTER TABLE sim_wins ADD COLUMN mood TEXT;",
    payload=MirrorDrift,
    options=(MIRROR_PREFIX, INTERNAL_TABLES),
    convention=TONEY,
)
SIM_MIRROR_MISSING = rule(
    "sim-mirror-missing",
    "warning",
    "mirror",
    "A new table tied to a mirrored table by a foreign key has no `sim_` twin.",
    "When a table references a mirrored table (`sessions`, `wins`, …), its rows belong to "
    "what the simulator clones; without a `sim_` twin the simulator cannot hold them and "
    "persona runs miss that data. Tables that only reference `auth.users`, and internal "
    "tables such as `llm_usage`, need no twin.",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE\n);",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE\n);\n"
    "CREATE TABLE sim_goals (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sim_sessions(id) ON DELETE CASCADE\n);",
    payload=MirrorMissing,
    options=(MIRROR_PREFIX, INTERNAL_TABLES),
    convention=TONEY,
)
SIM_REFERENCES_PROD_TABLE = rule(
    "sim-references-prod-table",
    "error",
    "mirror",
    "A `sim_` table references a production table that has a `sim_` twin.",
    "Simulator rows must point at simulator rows: `sim_wins.session_id` referencing "
    "`sessions(id)` makes every cloned win fail its foreign key (the session was cloned into "
    "`sim_sessions`), or worse, ties simulator data to a real user's session.",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE\n);",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sim_sessions(id) ON DELETE CASCADE\n);",
    payload=SimForeignKey,
    options=(MIRROR_PREFIX,),
    convention=TONEY,
)
SIM_FK_TO_AUTH_USERS = rule(
    "sim-fk-to-auth-users",
    "error",
    "mirror",
    "A `sim_` table has a foreign key to `auth.users`.",
    "Simulated personas are not auth users: a `sim_` table keeps `user_id` as a bare "
    "`UUID NOT NULL`. A foreign key to `auth.users` makes every clone of a persona fail, and "
    "`ON DELETE CASCADE` would tie simulator data to real accounts.",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n"
    "  user_id UUID NOT NULL REFERENCES auth.users(id)\n);",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n  user_id UUID NOT NULL\n);",
    payload=SimForeignKey,
    options=(MIRROR_PREFIX,),
    convention=TONEY,
)
SIM_TABLE_RLS = rule(
    "sim-table-rls",
    "warning",
    "mirror",
    "A policy on a `sim_` table.",
    "`sim_` tables are written and read only by the service role (the simulator and the "
    "admin app), which bypasses RLS. A policy there grants end users what the simulator "
    "must keep to itself, and one keyed on `auth.uid()` never matches a persona. RLS itself "
    "is fine, and needed: Supabase grants `anon` and `authenticated` every privilege on new "
    "tables in `public`, so a `sim_` table is safe only with RLS on and no policy, or after "
    "`REVOKE ALL … FROM anon, authenticated` (what the generated mirror does).",
    'CREATE POLICY "own" ON sim_wins FOR SELECT USING ((select auth.uid()) = user_id);',
    "ALTER TABLE sim_wins ENABLE ROW LEVEL SECURITY;  -- and no policy",
    payload=SimRls,
    options=(MIRROR_PREFIX,),
    convention=TONEY,
)
