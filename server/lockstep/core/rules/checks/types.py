"""Rules comparing the TypeScript row types (and a generated `Database` type) with the schema.

Step 4 of the workflow: one row type per table in `packages/types/src/`, exported from its
index; nullable column → `T | null`, column with a default → optional `?`. `pnpm build` only
catches a stale type where code happens to use the missing or removed field; these rules
compare every field with the columns the migrations leave behind. Type compatibility comes
from `lockstep.core.ts.sqlts`, which stays silent on what it cannot judge; what the comparison
sees of each side (`RowView`, `TypesContext`) comes from `typeviews`.
"""

from __future__ import annotations

import posixpath

from lockstep.core.diagnostics import Related
from lockstep.core.model import Column, Location, Table
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.registry import rule
from lockstep.core.rules.suggestions import missing_column_hint
from lockstep.core.rules.typeviews import (
    REGENERATE,
    RowView,
    TypesContext,
    column_facts,
    range_json,
    user_facing,
)
from lockstep.core.ts.index import type_name_for_table
from lockstep.core.ts.parse import TypeField
from lockstep.core.ts.sqlts import field_suggestion, may_be_null, mismatch, ts_type_for
from lockstep.core.workspace import Workspace

rule(
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
)
rule(
    "type-unknown-field",
    "warning",
    "types",
    "A row type has a field that is not a column of its table (dropped, renamed or a typo).",
    "The type promises a value the database never returns: code reading it gets `undefined` "
    "at runtime while the compiler says `number`, and inserts that set it fail with "
    "`column does not exist`. Usually a column a later migration dropped or renamed.",
    "ALTER TABLE sessions DROP COLUMN rating;\n\n"
    "export type Session = { id?: string; rating: number | null };",
    "ALTER TABLE sessions DROP COLUMN rating;\n\nexport type Session = { id?: string };",
    language="ts",
)
rule(
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
)
rule(
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
)
rule(
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
)
rule(
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
)
rule(
    "type-not-exported",
    "warning",
    "types",
    "A row type that `packages/types/src/index.ts` does not export.",
    "Apps import row types from the package index (`@toney/types`); a type that the index "
    "does not re-export cannot be imported, so consumers redeclare it and drift.",
    "// index.ts\nexport * from './sessions';\n\n// goals.ts\nexport type Goal = { id: string };",
    "// index.ts\nexport * from './sessions';\nexport * from './goals';",
    language="ts",
)


def _label(view: RowView, table: Table) -> str:
    return view.label or f"`{view.name}`"


def _data(ctx: TypesContext, view: RowView, table: Table, column: Column) -> dict[str, object]:
    optional = ctx.optional_by_default(view, column)
    return {
        **column_facts(table, column),
        "ts_type": ts_type_for(column.type, ctx.enums),
        "optional": optional,
        "suggestion": field_suggestion(
            column.name, column.type, column.nullable, optional, ctx.enums, ctx.enum_names
        ),
        "type_name": view.name,
        "type_path": view.path,
        "generated": view.generated,
    }


def _missing(
    ctx: TypesContext, view: RowView, table: Table, column: Column, findings: Findings
) -> None:
    data = _data(ctx, view, table, column)
    data["type_range"] = range_json(view.range)
    data["last_field_range"] = range_json(view.fields[-1].range) if view.fields else None
    facts = f"{column.type}, {'nullable' if column.nullable else 'not null'}"
    if column.has_default:
        facts += ", has a default"
    fix = REGENERATE if view.generated else f"add `{data['suggestion']}`"
    related = [Related(column.location, "column added here")] if column.location else []
    findings.add(
        "type-missing-field",
        Location(view.path, view.name_range),
        f"{_label(view, table)} has no field for column `{column.name}` ({facts}): {fix}",
        related,
        data,
    )


def _unknown(
    ctx: TypesContext, view: RowView, table: Table, field: TypeField, findings: Findings
) -> None:
    present = {f.name for f in view.fields}
    candidates = [c for c in table.columns if c not in present]
    hint = missing_column_hint(ctx.workspace, table, field.name, candidates)
    suggestion, related = hint.suggestion, hint.related
    message = (
        f"{_label(view, table)} has field `{field.name}` but `{table.name}` has no such column"
        f"{hint.text}"
    )
    if view.generated:
        message += f"; {REGENERATE}"
    data: dict[str, object] = {
        "table": table.name,
        "schema": table.schema,
        "field": field.name,
        "suggestion": suggestion,
        "field_range": range_json(field.range),
        "type_name": view.name,
        "type_path": view.path,
        "generated": view.generated,
    }
    findings.add(
        "type-unknown-field", Location(view.path, field.name_range), message, related, data
    )


def _compare_field(
    ctx: TypesContext,
    view: RowView,
    table: Table,
    column: Column,
    field: TypeField,
    findings: Findings,
) -> None:
    where = Location(view.path, field.range)
    related = [Related(column.location, "column defined here")] if column.location else []
    computed: dict[str, object] = {}

    def data() -> dict[str, object]:
        """The quick-fix data, built only for a field that has a finding."""
        if not computed:
            computed.update(_data(ctx, view, table, column))
            computed["field_range"] = range_json(field.range)
        return computed

    qualified = f"`{table.name}.{column.name}`"
    if field.type is not None:
        null = may_be_null(field.type, ctx.aliases)
        if column.nullable and null is False:
            findings.add(
                "type-nullability",
                where,
                f"Column {qualified} is nullable but `{field.name}` has no `| null`",
                related,
                data(),
            )
        elif not column.nullable and field.type.nullable:
            findings.add(
                "type-nullability",
                where,
                f"Column {qualified} is NOT NULL but `{field.name}` allows `null`",
                related,
                data(),
            )
        reason = mismatch(column.type, field.type, ctx.enums, ctx.aliases)
        if reason is not None:
            findings.add(
                "type-mismatch",
                where,
                f"`{field.name}: {field.type.text}` does not match column {qualified} "
                f"({column.type} → {data()['ts_type']}): {reason}",
                related,
                data(),
            )
    if view.generated or ctx.style != "convention":
        return
    if column.has_default and not field.optional:
        findings.add(
            "type-optionality",
            Location(view.path, field.name_range),
            f"Column {qualified} has a default, so `{field.name}` should be optional "
            f"(`{field.name}?:`)",
            related,
            data(),
        )
    elif field.optional and not column.has_default:
        findings.add(
            "type-optionality",
            Location(view.path, field.name_range),
            f"Column {qualified} has no default, so `{field.name}` should not be optional",
            related,
            data(),
        )


def _compare(ctx: TypesContext, view: RowView, table: Table, findings: Findings) -> None:
    fields = {f.name: f for f in view.fields}
    if view.complete:
        for column in table.columns.values():
            if column.name not in fields:
                _missing(ctx, view, table, column, findings)
    for field in view.fields:
        found = table.columns.get(field.name)
        if found is None:
            _unknown(ctx, view, table, field, findings)
        else:
            _compare_field(ctx, view, table, found, field, findings)


@check
def row_types(workspace: Workspace, findings: Findings) -> None:
    if not workspace.types_files:
        return
    ctx = TypesContext(workspace)
    for table, view in ctx.views():
        _compare(ctx, view, table, findings)
    for enum, database_enum, path in ctx.stale_database_enums():
        findings.add(
            "type-mismatch",
            Location(path, database_enum.name_range),
            f"`Database` enum `{enum.name}` has {list(database_enum.values)} but the "
            f"migrations leave {list(enum.values)}: {REGENERATE}",
            [Related(enum.location, "enum defined here")] if enum.location else [],
            {
                "enum": enum.name,
                "schema": enum.schema,
                "values": list(enum.values),
                "generated": True,
            },
        )


@check
def missing_types(workspace: Workspace, findings: Findings) -> None:
    index = workspace.type_index
    if not workspace.types_files or not (index.types or index.has_index):
        return
    ctx = TypesContext(workspace)
    for table in user_facing(workspace):
        if ctx.has_type(table):
            continue
        where = table.name_location or table.location
        if where is None:
            continue
        name = type_name_for_table(table.name)
        in_database = bool(index.databases) and not index.types
        fix = (
            REGENERATE
            if in_database
            else (f"add `export type {name} = {{ … }}` to {workspace.config.types_path}")
        )
        fields = [_data(ctx, RowView.placeholder(name), table, c) for c in table.columns.values()]
        findings.add(
            "table-missing-type",
            where,
            f"Table `{table.name}` has no row type: {fix}",
            (),
            {
                "table": table.name,
                "schema": table.schema,
                "type_name": name,
                "types_path": workspace.config.types_path,
                "types_index": index.index_path,
                "fields": [f["suggestion"] for f in fields],
                "generated": in_database,
            },
        )


@check
def unexported_types(workspace: Workspace, findings: Findings) -> None:
    index = workspace.type_index
    if not workspace.types_files or not index.has_index:
        return
    ctx = TypesContext(workspace)
    for table, view in ctx.views():
        row = view.row
        if row is None or index.is_exported(row):
            continue
        if row.path == index.index_path:
            fix = f"add `export` to `{row.kind} {row.name}`"
        else:
            module = posixpath.relpath(row.path, posixpath.dirname(index.index_path))
            module = module.rsplit(".", 1)[0].removesuffix("/index")
            fix = f"add `export * from './{module}';` to it"
            if not row.exported:
                fix = f"export `{row.name}` and " + fix
        findings.add(
            "type-not-exported",
            Location(row.path, row.name_range),
            f"`{row.name}` (row type of `{table.name}`) is not exported from "
            f"{index.index_path}: {fix}",
            (),
            {
                "type_name": row.name,
                "type_path": row.path,
                "table": table.name,
                "types_index": index.index_path,
                "exported": row.exported,
                "suggestion": fix,
            },
        )
