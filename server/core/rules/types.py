"""Rules comparing the TypeScript row types (and a generated `Database` type) with the schema.

Step 4 of the workflow: one row type per table in `packages/types/src/`, exported from its
index; nullable column → `T | null`, column with a default → optional `?`. `pnpm build` only
catches a stale type where code happens to use the missing or removed field; these rules
compare every field with the columns the migrations leave behind. Type compatibility comes
from `lockstep.core.sqlts`, which stays silent on what it cannot judge.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, replace

from lockstep.core.diagnostics import Related
from lockstep.core.model import Column, Enum, Location, Table
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.registry import rule
from lockstep.core.sqlts import (
    aliases_of,
    enum_type_names,
    enums_of,
    field_suggestion,
    may_be_null,
    mismatch,
    ts_type_for,
)
from lockstep.core.text import Range
from lockstep.core.tsindex import DatabaseEnum, RowType, type_name_for_table
from lockstep.core.tsparse import TypeField
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


# --- shared with consumer_refs: what both sides of the comparison look like -------------

REGENERATE = "regenerate with `supabase gen types typescript`"


def closest(name: str, candidates: list[str]) -> str | None:
    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def range_json(where: Range) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": where.start.line, "character": where.start.character},
        "end": {"line": where.end.line, "character": where.end.character},
    }


def column_facts(table: Table, column: Column) -> dict[str, object]:
    return {
        "table": table.name,
        "schema": table.schema,
        "column": column.name,
        "sql_type": column.type,
        "nullable": column.nullable,
        "has_default": column.has_default,
        "primary_key": column.primary_key,
    }


def removed_column(
    workspace: Workspace, table: Table, name: str
) -> tuple[Related, str | None] | None:
    """The migration that dropped or renamed `table.name` (the last one), and the new name."""
    found: tuple[Related, str | None] | None = None
    renamed = f"rename column {table.name}.{name} to "
    for path, events in workspace.replay.events.items():
        file = path.rpartition("/")[2]
        for event in events:
            if event.table != (table.schema, table.name):
                continue
            if event.kind == "drop-column" and name in event.columns:
                found = (Related(event.location, f"dropped in {file}"), None)
            elif event.kind == "rename-column" and event.action.startswith(renamed):
                new = event.columns[0] if event.columns else None
                found = (Related(event.location, f"renamed to `{new}` in {file}"), new)
    return found


def user_facing(workspace: Workspace) -> list[Table]:
    """Tables of the exposed schemas that users' code reads: not `sim_`, not internal."""
    config = workspace.config
    return [
        table
        for (schema, name), table in workspace.replay.schema.tables.items()
        if schema in config.exposed_schemas
        and not name.startswith(config.mirror_prefix)
        and name not in config.internal_tables
    ]


@dataclass(frozen=True, slots=True)
class RowView:
    """A hand-written row type or a generated `Database` Row, as the comparison sees it."""

    name: str
    path: str
    name_range: Range
    range: Range
    fields: tuple[TypeField, ...]
    generated: bool = False
    complete: bool = True  # False when fields come from elsewhere too (`extends`, `A & {}`)
    label: str | None = None
    row: RowType | None = None

    @staticmethod
    def placeholder(name: str) -> RowView:
        return RowView(name, "", Range.empty(), Range.empty(), ())


class TypesContext:
    """What every type rule needs once: enums, local aliases, and the type of each table."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.index = workspace.type_index
        self.schema = workspace.replay.schema
        self.style = workspace.config.types_style
        self.exposed = workspace.config.exposed_schemas
        self.enums = enums_of(self.schema)
        self.aliases = aliases_of(workspace.types_files.values())
        self.enum_names = enum_type_names(self.enums, self.aliases)

    def optional_by_default(self, view: RowView, column: Column) -> bool:
        return column.has_default and self.style == "convention" and not view.generated

    def _tables(self) -> Iterator[Table]:
        seen: set[str] = set()
        for schema in self.exposed:
            for (table_schema, name), table in self.schema.tables.items():
                if table_schema == schema and name not in seen:
                    seen.add(name)
                    yield table

    def views(self) -> Iterator[tuple[Table, RowView]]:
        for table in self._tables():
            row = self.index.type_for_table(table.name)
            if row is not None:
                fields, complete = row.fields, not row.extends
                view = RowView(row.name, row.path, row.name_range, row.range, fields, row=row)
                yield table, replace(view, complete=complete)
        for database in self.index.databases:
            for entry in database.tables:
                found = self.schema.table(entry.name, entry.schema)
                if entry.kind != "table" or entry.schema not in self.exposed or found is None:
                    continue
                label = f"`Database['{entry.schema}']['Tables']['{entry.name}']['Row']`"
                where = entry.name_range
                yield (
                    found,
                    RowView("Database", database.path, where, where, entry.row, True, True, label),
                )

    def has_type(self, table: Table) -> bool:
        return (
            self.index.type_for_table(table.name) is not None
            or self.index.row_alias_for_table(table.name) is not None
            or self.index.database_table(table.name, table.schema) is not None
        )

    def stale_database_enums(self) -> Iterator[tuple[Enum, DatabaseEnum, str]]:
        for database in self.index.databases:
            for entry in database.enums:
                enum = self.schema.enums.get((entry.schema, entry.name))
                if (
                    entry.schema in self.exposed
                    and enum is not None
                    and set(entry.values) != set(enum.values)
                ):
                    yield enum, entry, database.path


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
    removed = removed_column(ctx.workspace, table, field.name)
    candidates = [c for c in table.columns if c not in present]
    suggestion = removed[1] if removed and removed[1] else closest(field.name, candidates)
    message = (
        f"{_label(view, table)} has field `{field.name}` but `{table.name}` has no such column"
    )
    related: list[Related] = []
    if removed is not None:
        message += f" ({removed[0].message})"
        related.append(removed[0])
    if suggestion:
        message += f". Did you mean `{suggestion}`?"
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
    data = {**_data(ctx, view, table, column), "field_range": range_json(field.range)}
    qualified = f"`{table.name}.{column.name}`"
    if field.type is not None:
        null = may_be_null(field.type, ctx.aliases)
        if column.nullable and null is False:
            findings.add(
                "type-nullability",
                where,
                f"Column {qualified} is nullable but `{field.name}` has no `| null`",
                related,
                data,
            )
        elif not column.nullable and field.type.nullable:
            findings.add(
                "type-nullability",
                where,
                f"Column {qualified} is NOT NULL but `{field.name}` allows `null`",
                related,
                data,
            )
        reason = mismatch(column.type, field.type, ctx.enums, ctx.aliases)
        if reason is not None:
            findings.add(
                "type-mismatch",
                where,
                f"`{field.name}: {field.type.text}` does not match column {qualified} "
                f"({column.type} → {data['ts_type']}): {reason}",
                related,
                data,
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
            data,
        )
    elif field.optional and not column.has_default:
        findings.add(
            "type-optionality",
            Location(view.path, field.name_range),
            f"Column {qualified} has no default, so `{field.name}` should not be optional",
            related,
            data,
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
