"""The types rules: name, default severity, group and documentation."""

from __future__ import annotations

from lockstep.core.discovery import TONEY
from lockstep.core.rules.options import TYPES_INDEX, TYPES_MAP, TYPES_PATH, TYPES_STYLE
from lockstep.core.rules.payloads import (
    FieldFinding,
    MissingType,
    NotExported,
    StaleEnum,
    StaleGeneratedTypes,
    UnknownField,
)
from lockstep.core.rules.registry import rule

TYPE_MISSING_FIELD = rule(
    "type-missing-field",
    "warning",
    "types",
    "A row type (or the generated `Database` type) has no field for a column of its table.",
    "A column added by a migration but not to its row type is invisible to the build: "
    "`pnpm build` passes, and code that needs the column reaches for it through `any` or "
    "never reads it at all. The workflow adds the field in the same change as the migration. "
    "For a Supabase-generated `Database` type the fix is to regenerate it.",
    "ALTER TABLE wins ADD COLUMN energy_level SMALLINT;\n\n"
    "export type Win = { id?: string; text: string };",
    "ALTER TABLE wins ADD COLUMN energy_level SMALLINT;\n\n"
    "export type Win = { id?: string; text: string; energy_level: number | null };",
    language="ts",
    payload=FieldFinding,
    options=(TYPES_PATH, TYPES_INDEX, TYPES_MAP),
)
TYPE_UNKNOWN_FIELD = rule(
    "type-unknown-field",
    "warning",
    "types",
    "A row type has a field that is not a column of its table (dropped, renamed or a typo).",
    "The type promises a value the database never returns: code reading it gets `undefined` "
    "at runtime while the compiler says `number`, and inserts that set it fail with "
    "`column does not exist`. Usually a column a later migration dropped or renamed. In a "
    "generated `Database` Row, a computed field (`create function f(sessions) returns …`) is "
    "not unknown; in a whole `supabase gen types` file, drift is left to "
    "`generated-types-stale`, which names it once and regenerates the file.",
    "ALTER TABLE sessions DROP COLUMN rating;\n\n"
    "export type Session = { id?: string; rating: number | null };",
    "ALTER TABLE sessions DROP COLUMN rating;\n\nexport type Session = { id?: string };",
    language="ts",
    payload=UnknownField,
    options=(TYPES_PATH, TYPES_INDEX, TYPES_MAP),
)
TYPE_NULLABILITY = rule(
    "type-nullability",
    "warning",
    "types",
    "A nullable column typed without `| null`, or a NOT NULL column typed with it.",
    "A missing `| null` lets code use a value that can be null without checking, which "
    "crashes at runtime; an extra `| null` forces needless checks and hides which columns "
    "really are optional data.",
    "session_id UUID REFERENCES sessions(id)\n\nsession_id: string;",
    "session_id UUID REFERENCES sessions(id)\n\nsession_id: string | null;",
    language="ts",
    payload=FieldFinding,
    options=(TYPES_PATH, TYPES_INDEX, TYPES_MAP),
)
TYPE_OPTIONALITY = rule(
    "type-optionality",
    "information",
    "types",
    "With the `convention` types style: a column with a default whose field is not optional, "
    "or a column without one whose field is.",
    "The repo's convention (workflow step 4) makes a field optional exactly when the database "
    "fills it in (a default, identity, serial or generated column), so the same type serves "
    "for inserts: `id` and `created_at` may be left out, `text` may not. Both ways compile, "
    "so this is reported as information; raise it to `warning` in `lockstep.toml` to enforce "
    'it. With `[types] style = "generated"` (every Row field required, as '
    "`supabase gen types` writes them) the rule is off.",
    "created_at TIMESTAMPTZ DEFAULT now() NOT NULL\n\ncreated_at: string;",
    "created_at TIMESTAMPTZ DEFAULT now() NOT NULL\n\ncreated_at?: string;",
    language="ts",
    payload=FieldFinding,
    options=(TYPES_STYLE,),
)
TYPE_MISMATCH = rule(
    "type-mismatch",
    "error",
    "types",
    "A field whose TypeScript type cannot hold the column's values (`string` for an integer).",
    "supabase-js returns what PostgreSQL stores, whatever the type says: an integer column "
    "typed `string` makes string methods fail on numbers at runtime, and an enum type that "
    "lacks a value the enum gained hides rows the code cannot handle. Types follow "
    "`supabase gen types typescript`; anything Lockstep cannot resolve is accepted.",
    "energy_level SMALLINT\n\nenergy_level: string | null;",
    "energy_level SMALLINT\n\nenergy_level: number | null;",
    language="ts",
    payload=(FieldFinding, StaleEnum),
    options=(TYPES_PATH, TYPES_INDEX, TYPES_MAP),
)
TABLE_MISSING_TYPE = rule(
    "table-missing-type",
    "warning",
    "types",
    "A user-facing table with no row type in the types package.",
    "Without a row type, every consumer of the table types its rows by hand (or as `any`) "
    "and the next migration has nothing to keep in step. Reported only in repos whose types "
    "folder already holds row types or an index; `sim_` tables and internal tables "
    "(`[tables] internal`) are exempt.",
    "CREATE TABLE goals (id UUID PRIMARY KEY, title TEXT NOT NULL);",
    "CREATE TABLE goals (id UUID PRIMARY KEY, title TEXT NOT NULL);\n\n"
    "// packages/types/src/goals.ts\nexport type Goal = { id: string; title: string };",
    language="ts",
    payload=MissingType,
    options=(TYPES_PATH, TYPES_INDEX, TYPES_MAP),
    convention=TONEY,
)
TYPE_NOT_EXPORTED = rule(
    "type-not-exported",
    "warning",
    "types",
    "A row type that `packages/types/src/index.ts` does not export.",
    "Apps import row types from the package index (`@toney/types`); a type that the index "
    "does not re-export cannot be imported, so consumers redeclare it and drift.",
    "// index.ts\nexport * from './sessions';\n\n// goals.ts\nexport type Goal = { id: string };",
    "// index.ts\nexport * from './sessions';\nexport * from './goals';",
    language="ts",
    payload=NotExported,
    options=(TYPES_PATH, TYPES_INDEX, TYPES_MAP),
    convention=TONEY,
)

GENERATED_TYPES_STALE = rule(
    "generated-types-stale",
    "warning",
    "types",
    "A committed Supabase-generated types file differs from what the migrations produce.",
    "`supabase gen types typescript` needs a running database, so the generated file is "
    "regenerated by hand and falls behind: the compiler then vouches for columns that are "
    "gone and rejects ones that exist. Lockstep writes the same file from the migrations "
    "(`lockstep-lsp gen types`) and compares what it declares; formatting does not count.",
    "// after `ALTER TABLE checkins ADD COLUMN mood text`\n"
    "checkins: { Row: { id: string } … }",
    "// regenerated (quick fix, or `lockstep-lsp gen types --out …`)\n"
    "checkins: { Row: { id: string; mood: string | null } … }",
    language="ts",
    payload=StaleGeneratedTypes,
)
