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
from dataclasses import replace

from lockstep.core.analysis import CONFIG, TYPES
from lockstep.core.diagnostics import Diagnostic, Related
from lockstep.core.model import Column, Location, Table
from lockstep.core.rules.checks.generated_types import cached_staleness
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.payloads import (
    FieldFinding,
    MissingType,
    NotExported,
    StaleEnum,
    UnknownField,
)
from lockstep.core.rules.registry.types import (
    GENERATED_TYPES_STALE,
    TABLE_MISSING_TYPE,
    TYPE_MISMATCH,
    TYPE_MISSING_FIELD,
    TYPE_NOT_EXPORTED,
    TYPE_NULLABILITY,
    TYPE_OPTIONALITY,
    TYPE_UNKNOWN_FIELD,
)
from lockstep.core.rules.suggestions import missing_column_hint
from lockstep.core.rules.typeviews import (
    REGENERATE,
    RowView,
    TypesContext,
    range_json,
    user_facing,
)
from lockstep.core.ts.index import type_name_for_table
from lockstep.core.ts.parse import TypeField
from lockstep.core.ts.sqlts import field_suggestion, may_be_null, mismatch, ts_type_for
from lockstep.core.workspace import Workspace


def _label(view: RowView, table: Table) -> str:
    return view.label or f"`{view.name}`"


def _data(ctx: TypesContext, view: RowView, table: Table, column: Column) -> FieldFinding:
    optional = ctx.optional_by_default(view, column)
    return FieldFinding(
        table.name, table.schema, column.name, column.type, column.nullable,
        column.has_default, column.primary_key, ts_type_for(column.type, ctx.enums), optional,
        field_suggestion(
            column.name, column.type, column.nullable, optional, ctx.enums, ctx.enum_names
        ),
        view.name, view.path, view.generated,
    )


def _missing(
    ctx: TypesContext, view: RowView, table: Table, column: Column, findings: Findings
) -> None:
    data = replace(
        _data(ctx, view, table, column),
        type_range=range_json(view.range),
        last_field_range=range_json(view.fields[-1].range) if view.fields else None,
    )
    facts = f"{column.type}, {'nullable' if column.nullable else 'not null'}"
    if column.has_default:
        facts += ", has a default"
    fix = REGENERATE if view.generated else f"add `{data.suggestion}`"
    related = [Related(column.location, "column added here")] if column.location else []
    findings.add(
        TYPE_MISSING_FIELD,
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
    data = UnknownField(table.name, table.schema, field.name, suggestion,
                        range_json(field.range), view.name, view.path, view.generated)
    findings.add(
        TYPE_UNKNOWN_FIELD, Location(view.path, field.name_range), message, related, data
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
    computed: list[FieldFinding] = []

    def data() -> FieldFinding:
        """The quick-fix data, built only for a field that has a finding."""
        if not computed:
            computed.append(replace(_data(ctx, view, table, column),
                                    field_range=range_json(field.range)))
        return computed[0]

    qualified = f"`{table.name}.{column.name}`"
    if field.type is not None:
        null = may_be_null(field.type, ctx.aliases)
        if column.nullable and null is False:
            findings.add(
                TYPE_NULLABILITY,
                where,
                f"Column {qualified} is nullable but `{field.name}` has no `| null`",
                related,
                data(),
            )
        elif not column.nullable and field.type.nullable:
            findings.add(
                TYPE_NULLABILITY,
                where,
                f"Column {qualified} is NOT NULL but `{field.name}` allows `null`",
                related,
                data(),
            )
        reason = mismatch(column.type, field.type, ctx.enums, ctx.aliases)
        if reason is not None:
            findings.add(
                TYPE_MISMATCH,
                where,
                f"`{field.name}: {field.type.text}` does not match column {qualified} "
                f"({column.type} → {data().ts_type}): {reason}",
                related,
                data(),
            )
    if view.generated or ctx.style != "convention":
        return
    if column.has_default and not field.optional:
        findings.add(
            TYPE_OPTIONALITY,
            Location(view.path, field.name_range),
            f"Column {qualified} has a default, so `{field.name}` should be optional "
            f"(`{field.name}?:`)",
            related,
            data(),
        )
    elif field.optional and not column.has_default:
        findings.add(
            TYPE_OPTIONALITY,
            Location(view.path, field.name_range),
            f"Column {qualified} has no default, so `{field.name}` should not be optional",
            related,
            data(),
        )


def _computed_field(ctx: TypesContext, table: Table, name: str) -> bool:
    """A function taking the table's row type as its only argument: a PostgREST computed
    field, which `supabase gen types` lists in the Row type."""
    row_types = [table.name, table.qualified_name]
    for signature in ctx.schema.signatures.values():
        inputs = [p.type for p in signature.parameters if p.mode in ("in", "inout", "variadic")]
        if signature.name == name and len(inputs) == 1 and inputs[0] in row_types:
            return True
    return False


def _compare(ctx: TypesContext, view: RowView, table: Table, findings: Findings) -> None:
    fields = {f.name: f for f in view.fields}
    if view.complete:
        for column in table.columns.values():
            if column.name not in fields:
                _missing(ctx, view, table, column, findings)
    for field in view.fields:
        found = table.columns.get(field.name)
        if found is None and view.generated and _computed_field(ctx, table, field.name):
            continue  # `create function f(t) returns …`: the generator puts it in Row
        if found is None:
            _unknown(ctx, view, table, field, findings)
        else:
            _compare_field(ctx, view, table, found, field, findings)


def _left_to_stale(workspace: Workspace, path: str) -> bool:
    """Whether `generated-types-stale` judges this file (a whole `supabase gen types` output,
    the rule on): it names what is out of date and its fix regenerates the file, so the
    per-field rules would only repeat each difference there. A `Database` type the generator
    did not print whole (hand-edited, trimmed) is still compared field by field."""
    if workspace.config.rules.get(GENERATED_TYPES_STALE.name) == "off" or \
            not workspace.migrations:
        return False
    text = workspace.ts_texts.get(path)
    return text is not None and cached_staleness(workspace, path, text) is not None


# (view, table, context) → what `_compare` found, for the next run (`_compared`)
PAIRS = "row types by pair"
_Pairs = dict[tuple[object, ...], tuple[object, tuple[Diagnostic, ...]]]


def _compared(ctx: TypesContext, view: RowView, table: Table, findings: Findings,
              pairs: tuple[_Pairs, _Pairs], context: tuple[object, ...]) -> None:
    """`_compare`, remembered by everything it reads: a migration edit re-judges only the
    tables whose columns changed. A view with a field the table lacks is judged afresh (its
    hint reads the migrations' history, and a generated one the functions)."""
    columns = table.columns
    if any(f.name not in columns for f in view.fields):
        _compare(ctx, view, table, findings)
        return
    key = (id(view.fields), view.name, view.path, view.label, view.generated, view.complete,
           view.range, view.name_range, table.schema, table.name, context,
           tuple((c.name, c.type, c.nullable, c.has_default, c.primary_key, c.location)
                 for c in columns.values()))
    before, now = pairs
    known = before.get(key)
    if known is None or known[0] is not view.fields:  # the entry keeps its fields alive
        local = Findings()
        _compare(ctx, view, table, local)
        known = (view.fields, tuple(local.items))
    now[key] = known
    findings.items += known[1]


@check(TYPE_MISSING_FIELD, TYPE_UNKNOWN_FIELD, TYPE_NULLABILITY, TYPE_MISMATCH,
       TYPE_OPTIONALITY)
def row_types(workspace: Workspace, findings: Findings) -> None:
    if not workspace.types_files:
        return
    ctx = TypesContext(workspace)
    known = workspace.derived.peek(PAIRS)
    pairs: tuple[_Pairs, _Pairs] = (known if isinstance(known, dict) else {}, {})
    context = (ctx.style, id(ctx.aliases), tuple((k, tuple(v)) for k, v in ctx.enums.items()),
               tuple(ctx.enum_names.items()))
    judged: dict[str, bool] = {}
    for table, view in ctx.views():
        if view.generated and judged.setdefault(view.path, _left_to_stale(workspace, view.path)):
            continue
        _compared(ctx, view, table, findings, pairs, context)
    # Only this run's pairs are kept; dropped with the types files' or config's next change.
    workspace.derived.put(PAIRS, frozenset({TYPES, CONFIG}), pairs[1])
    for enum, database_enum, path in ctx.stale_database_enums():
        if judged.setdefault(path, _left_to_stale(workspace, path)):
            continue
        findings.add(
            TYPE_MISMATCH,
            Location(path, database_enum.name_range),
            f"`Database` enum `{enum.name}` has {list(database_enum.values)} but the "
            f"migrations leave {list(enum.values)}: {REGENERATE}",
            [Related(enum.location, "enum defined here")] if enum.location else [],
            StaleEnum(enum.name, enum.schema, list(enum.values), True),
        )


@check(TABLE_MISSING_TYPE)
def missing_types(workspace: Workspace, findings: Findings) -> None:
    index = workspace.type_index
    if not workspace.types_files or not (index.types or index.has_index):
        return
    ctx = TypesContext(workspace)
    if index.databases and not index.types and \
            all(_left_to_stale(workspace, d.path) for d in index.databases):
        return  # `generated-types-stale` names the tables the generated types lack
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
            TABLE_MISSING_TYPE,
            where,
            f"Table `{table.name}` has no row type: {fix}",
            (),
            MissingType(table.name, table.schema, name, workspace.config.types_path,
                        index.index_path, [f.suggestion for f in fields], in_database),
        )


@check(TYPE_NOT_EXPORTED)
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
            TYPE_NOT_EXPORTED,
            Location(row.path, row.name_range),
            f"`{row.name}` (row type of `{table.name}`) is not exported from "
            f"{index.index_path}: {fix}",
            (),
            NotExported(row.name, row.path, table.name, index.index_path, row.exported, fix),
        )
