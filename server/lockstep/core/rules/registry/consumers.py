"""The consumers rules: name, default severity, group and documentation."""

from __future__ import annotations

from lockstep.core.discovery import TONEY
from lockstep.core.rules.options import CLONE_ROUTES, MIRROR_PREFIX
from lockstep.core.rules.payloads import (
    CloneColumn,
    SelectResultField,
    UnknownColumnRef,
    UnknownTableRef,
    WrittenColumn,
)
from lockstep.core.rules.registry import rule

UNKNOWN_TABLE_REFERENCE = rule(
    "unknown-table-reference",
    "error",
    "consumers",
    "`.from('name')` names no table or view that the migrations create.",
    "supabase-js sends the name to PostgREST as is; a typo or a dropped table compiles and "
    "fails at runtime (`relation does not exist`), usually as an empty page rather than an "
    "error. Only schemas the migrations define are checked (`public`, or the one given by "
    "`.schema('x')`). Each missing name is reported once, at its first call site; a table "
    "the generated `Database` type has but no migration creates is said to be so.",
    "const { data } = await supabase.from('winz').select('id, text');",
    "const { data } = await supabase.from('wins').select('id, text');",
    language="ts",
    payload=UnknownTableRef,
)
UNKNOWN_COLUMN_REFERENCE = rule(
    "unknown-column-reference",
    "error",
    "consumers",
    "A column in `.select()`, a filter, `.order()` or the keys of `.insert()`/`.update()`/"
    "`.upsert()` that the table does not have.",
    "PostgREST rejects the whole request (`column does not exist`) when one column is wrong: "
    "a column dropped or renamed by a migration breaks every query that still names it. "
    "Embedded resources (`author:profiles(name)`) are checked against their own table; views, "
    "computed columns and what cannot be resolved are skipped.",
    "supabase.from('sessions').select('id, started_at, rating')",
    "supabase.from('sessions').select('id, started_at')",
    language="ts",
    payload=UnknownColumnRef,
)
INSERT_MISSING_REQUIRED_COLUMN = rule(
    "insert-missing-required-column",
    "error",
    "consumers",
    "An `.insert({…})` or `.upsert({…})` leaves out a column its generated `Insert` type "
    "requires: NOT NULL, without a default, identity or generation.",
    "PostgREST fills the columns a row leaves out with their defaults; a NOT NULL column "
    "without one makes PostgreSQL reject the whole request (`null value in column … violates "
    "not-null constraint`). The object must list every key (no spread, no variable): then "
    "what the generated `Database[…]['Insert']` type requires is what the row must set. "
    "Tables the migrations create only.",
    "await supabase.from('goals').insert({ user_id: user.id })",
    "await supabase.from('goals').insert({ user_id: user.id, title })",
    language="ts",
    payload=WrittenColumn,
)
WRITE_GENERATED_COLUMN = rule(
    "write-generated-column",
    "error",
    "consumers",
    "An `.insert()`, `.update()` or `.upsert()` sets a generated or `GENERATED ALWAYS` "
    "identity column (`?: never` in the generated `Insert`/`Update`).",
    "PostgreSQL computes these columns itself and rejects a value for them (`cannot insert a "
    "non-DEFAULT value into column …`, `column … can only be updated to DEFAULT`): the "
    "request fails as a whole. Leave the key out and read the value back with `.select()`.",
    "await supabase.from('orders').insert({ price: 10, qty: 2, total: 20 })",
    "await supabase.from('orders').insert({ price: 10, qty: 2 })",
    language="ts",
    payload=WrittenColumn,
)
SELECT_RESULT_TYPE = rule(
    "select-result-type",
    "warning",
    "consumers",
    "The type code gives a select's rows (`.returns<T>()`, `.overrideTypes<T>()`, "
    "`.single<T>()`, `data as T[]`, an annotated `data`) has a field the select string does "
    "not fetch, or types a fetched column as it cannot be (`string` for an integer, no "
    "`| null` for a nullable column).",
    "Naming the row type overrides what supabase-js would infer from the select string, so "
    "the compiler vouches for every field of `T`: a field the select leaves out is "
    "`undefined` at runtime while the type says `string`. `*` fetches every column of a "
    "table the migrations create; embeds (`author:profiles(*)`), aliases (`alias:column`), "
    "JSON paths, aggregates and spreads name the keys PostgREST returns, and an embed's "
    "fields are judged against its own select. A nullable column filtered on (`.not('x', "
    "'is', null)`, `.gte('x', …)`) may be typed without `| null`. Only types the file "
    "resolves are compared: a local interface or alias, a generated Row (`Tables<'x'>`, "
    "`Database['public']['Tables']['x']['Row']`), `Pick`/`Omit` of those, or a type imported "
    "from the types package; "
    "a dynamic select string, a union or a generic type is left alone.",
    "interface Profile { id: string; name: string | null; bio: string | null }\n"
    "await supabase.from('profiles').select('id, name').returns<Profile[]>()",
    "interface Profile { id: string; name: string | null; bio: string | null }\n"
    "await supabase.from('profiles').select('id, name, bio').returns<Profile[]>()",
    language="ts",
    payload=SelectResultField,
)
CLONE_MISSING_COLUMN = rule(
    "clone-missing-column",
    "warning",
    "consumers",
    "The simulator clone route does not SELECT or INSERT every column of a mirrored table.",
    "The clone deep-copies a user's rows into the `sim_` tables. A column left out of the "
    "SELECT on the source table or the INSERT into the `sim_` table is silently lost in the "
    "copy; a `NOT NULL` column without a default left out of the INSERT (the `sim_wins.content` "
    "gotcha) makes every clone fail, and is reported as an error. Only a primary key with a "
    "default, identity and generated columns may be left to the database.",
    "admin.from('sim_wins').insert(wins.map((w) => ({ id: w.id, text: w.text })))",
    "admin.from('sim_wins').insert(wins.map((w) => ({ id: w.id, text: w.text, content: w.text })))",
    language="ts",
    payload=CloneColumn,
    options=(CLONE_ROUTES, MIRROR_PREFIX),
    convention=TONEY,
)
