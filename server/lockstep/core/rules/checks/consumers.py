"""Rules on the code that reads and writes tables: `.from('t')` call sites and the clone route.

supabase-js sends table names, select strings, filter columns and insert keys to PostgREST
as plain strings, so a typo or a dropped column compiles and fails at runtime. These rules
check them against the schema the migrations leave behind (views are checked by name only:
their columns are not replayed). The simulator clone route (workflow step 6) must SELECT and
INSERT every column of each mirrored table.
"""

from __future__ import annotations

from collections.abc import Iterator

from lockstep.core.analysis import CONFIG, MIGRATIONS, TYPES
from lockstep.core.consumers.embeds import embed_map
from lockstep.core.consumers.index import ChainCall, SelectArg, TableUse
from lockstep.core.diagnostics import Related
from lockstep.core.globs import glob_match
from lockstep.core.model import Key, Location, Schema, Table
from lockstep.core.replay.context import PLATFORM_SCHEMAS
from lockstep.core.replay.external import UNKNOWN
from lockstep.core.rules.engine import Findings, by_file, check
from lockstep.core.rules.payloads import CloneColumn, UnknownColumnRef, UnknownTableRef
from lockstep.core.rules.registry.consumers import (
    CLONE_MISSING_COLUMN,
    UNKNOWN_COLUMN_REFERENCE,
    UNKNOWN_TABLE_REFERENCE,
)
from lockstep.core.rules.suggestions import missing_column_hint
from lockstep.core.spelling import closest
from lockstep.core.workspace import Workspace


def _uses(workspace: Workspace) -> Iterator[TableUse]:
    for path in sorted(workspace.consumer_files):
        yield from workspace.consumer_files[path]


def _schema_of(use: TableUse) -> str:
    return use.schema or "public"


def _judged_schemas(schema: Schema) -> set[str]:
    """Schemas the migrations define objects in (platform schemas are never judged)."""
    names = {key[0] for key in schema.tables} | {key[0] for key in schema.views}
    return names - PLATFORM_SCHEMAS


def _generated(workspace: Workspace) -> dict[tuple[str, str], str]:
    """Relations of the generated `Database` types → the file that declares them."""
    return {(entry.schema, entry.name): database.path
            for database in workspace.type_index.databases for entry in database.tables}


@check(UNKNOWN_TABLE_REFERENCE)
def table_references(workspace: Workspace, findings: Findings) -> None:
    """Once per missing relation, at its first call site: one table made in the dashboard
    would otherwise be an error at every query of it."""
    schema = workspace.schema
    judged = _judged_schemas(schema)
    generated = _generated(workspace)
    reported: set[tuple[str, str]] = set()
    for use in _uses(workspace):
        where = _schema_of(use)
        key = (where, use.table)
        if where not in judged or "." in use.table or key in schema.tables or key in schema.views:
            continue
        if key in reported:
            continue
        reported.add(key)
        if key in generated:
            findings.add(
                UNKNOWN_TABLE_REFERENCE, Location(use.path, use.table_range),
                f"Migrations never create `{use.table}`; its shape is taken from the generated "
                f"types ({generated[key]}) (reported once: later uses are not)",
                [], UnknownTableRef(use.table, where, None),
            )
            continue
        names = [n for s, n in (*schema.tables, *schema.views) if s == where]
        suggestion = closest(use.table, names)
        message = f"No table or view `{use.table}` in schema `{where}`"
        related: list[Related] = []
        for path, events in workspace.replay.events.items():
            for event in events:
                if event.kind == "drop-table" and event.table == key:
                    related = [Related(event.location, f"dropped in {path.rpartition('/')[2]}")]
        if related:
            message += f" ({related[0].message})"
        if suggestion:
            message += f". Did you mean `{suggestion}`?"
            found = schema.table(suggestion, where)
            if found is not None and found.name_location is not None:
                related.append(Related(found.name_location, f"table `{suggestion}` created here"))
        findings.add(
            UNKNOWN_TABLE_REFERENCE,
            Location(use.path, use.table_range),
            message,
            related,
            UnknownTableRef(use.table, where, suggestion),
        )


def _computed(schema: Schema, name: str) -> bool:
    """A function usable as a computed column (`full_name(profiles)`) or a bare RPC name."""
    return any(routine.name == name for routine in schema.routines.values())


@check(UNKNOWN_COLUMN_REFERENCE)
def column_references(workspace: Workspace, findings: Findings) -> None:
    """File by file: a TS edit re-judges only the edited file (`by_file`)."""
    schema = workspace.schema
    generated_rows = {(entry.schema, entry.name): {f.name for f in entry.row}
                       for database in workspace.type_index.databases
                       for entry in database.tables}
    by_file(workspace, findings, "column references", frozenset({MIGRATIONS, TYPES, CONFIG}),
            workspace.consumer_files, lambda path, found: _column_references(
                workspace, found, schema, generated_rows, workspace.consumer_files[path]))


def _column_references(workspace: Workspace, findings: Findings, schema: Schema,
                       generated_rows: dict[Key, set[str]], uses: list[TableUse]) -> None:
    for use in uses:
        where = _schema_of(use)
        base = (where, use.table)
        if base not in schema.tables and base not in schema.views:
            continue  # unknown (reported above) or a schema the migrations don't define
        selects = [call.select.tree for call in use.chain if call.select is not None]
        embeds = embed_map(schema, base, selects)
        for call in use.chain:
            for column in call.columns:
                if (*column.path, column.name) in embeds.by_path:
                    continue  # the embed itself: `.not('profiles', 'is', null)`
                owner = embeds.owner(column.path)
                target = schema.tables.get(owner) if owner is not None else None
                if target is not None and target.external == UNKNOWN:
                    continue  # a table no migration creates, shape unknown
                if target is not None and target.external is not None and \
                        column.name in generated_rows.get(owner or base, ()):
                    continue  # a computed field its generated Row lists
                if target is None or column.name == "*" or column.name in target.columns:
                    continue  # a view, an unresolved embed, or a known column
                if _computed(schema, column.name):
                    continue
                _report_column(
                    workspace,
                    findings,
                    use,
                    call,
                    target,
                    column.name,
                    Location(use.path, column.range),
                    column.path,
                )


def _report_column(
    workspace: Workspace,
    findings: Findings,
    use: TableUse,
    call: ChainCall,
    table: Table,
    name: str,
    where: Location,
    path: tuple[str, ...] = (),
) -> None:
    hint = missing_column_hint(workspace, table, name, list(table.columns))
    suggestion = hint.suggestion
    if path:
        embedded = ".".join(path)
        named = f"`{embedded}` " if embedded != table.name else ""
        message = (
            f"Embedded table `{table.name}` ({named}in `.from('{use.table}')`) has no column "
            f"`{name}`{hint.text}"
        )
    else:
        message = f"Table `{table.name}` has no column `{name}`{hint.text}"
    related = list(hint.related)
    if table.name_location is not None:
        related.append(Related(table.name_location, f"table `{table.name}` created here"))
    findings.add(
        UNKNOWN_COLUMN_REFERENCE,
        where,
        message,
        related,
        UnknownColumnRef(
            table.name, table.schema, name, suggestion, call.name, use.table,
            ".".join(path) or None,
        ),
    )


# --- the simulator clone route ------------------------------------------------------------


def _written(call: ChainCall) -> tuple[set[str], str | None] | None:
    """The columns an insert sets (and the row variable of a `.map()`), if all are listed."""
    if call.unknown_columns:
        return None
    return {column.name for column in call.columns if column.relation is None}, call.row_variable


def _exempt(table: Table, name: str) -> bool:
    column = table.columns[name]
    return (
        column.generated is not None
        or column.identity is not None
        or (column.primary_key and column.default is not None)
    )


def _check_insert(
    workspace: Workspace,
    findings: Findings,
    use: TableUse,
    mirror: Table,
    source: Table | None,
) -> None:
    for call in use.chain:
        if call.name not in ("insert", "upsert"):
            continue
        written = _written(call)
        if written is None:
            continue
        keys, row = written
        for name, column in mirror.columns.items():
            if name in keys or _exempt(mirror, name):
                continue
            shared = source is not None and name in source.columns
            required = not column.nullable and not column.has_default
            if not (shared or required):
                continue
            if required:
                message = (
                    f"The clone's insert into `{mirror.name}` never sets `{name}` "
                    f"({column.type} NOT NULL without a default): every clone fails"
                )
            else:
                message = f"The clone's insert into `{mirror.name}` does not copy `{name}`"
            related = [Related(column.location, "column defined here")] if column.location else []
            findings.add(
                CLONE_MISSING_COLUMN,
                Location(use.path, call.name_range),
                message,
                related,
                CloneColumn(
                    mirror.name, name, column.type, "insert",
                    f"{name}: {row}.{name}," if row and shared else None,
                    source=source.name if source else None,
                    nullable=column.nullable, has_default=column.has_default,
                ),
                severity="error" if required else None,
            )


def _reads(use: TableUse) -> SelectArg | None:
    """The select list of a read (`.from('wins').select('…')`, no write in the chain)."""
    if any(call.name in ("insert", "update", "upsert", "delete") for call in use.chain):
        return None
    return next((call.select for call in use.chain if call.select is not None), None)


def _check_selects(
    findings: Findings, path: str, selects: list[SelectArg], source: Table, mirror: Table
) -> None:
    """A column is missing when no read of the source in the clone route selects it."""
    if not selects or any(select.tree.star for select in selects):
        return
    chosen = {column.name for select in selects for column in select.tree.columns}
    select = max(selects, key=lambda s: len(s.tree.columns))  # the one that feeds the copy
    for name, column in source.columns.items():
        if name in chosen:
            continue
        message = f"The clone selects from `{source.name}` without `{name}`: it is not copied"
        if name not in mirror.columns:
            message += f" (`{mirror.name}` lacks it too: add it there first)"
        related = [Related(column.location, "column defined here")] if column.location else []
        findings.add(
            CLONE_MISSING_COLUMN,
            Location(path, select.range),
            message,
            related,
            CloneColumn(source.name, name, column.type, "select",
                        f"{select.value.rstrip()}, {name}", mirror=mirror.name),
        )


@check(CLONE_MISSING_COLUMN)
def clone_columns(workspace: Workspace, findings: Findings) -> None:
    schema = workspace.schema
    prefix = workspace.config.mirror_prefix
    for path in sorted(workspace.consumer_files):
        if not any(glob_match(pattern, path) for pattern in workspace.config.clone_routes):
            continue
        reads: dict[tuple[str, str], list[SelectArg]] = {}
        copied: set[tuple[str, str]] = set()
        for use in workspace.consumer_files[path]:
            where = _schema_of(use)
            if use.table.startswith(prefix):
                mirror = schema.table(use.table, where)
                if mirror is not None:
                    source = schema.table(use.table[len(prefix) :], where)
                    _check_insert(workspace, findings, use, mirror, source)
                    if source is not None and use.operations:
                        copied.add((where, source.name))
            elif (select := _reads(use)) is not None:
                reads.setdefault((where, use.table), []).append(select)
        for (where, name), selects in reads.items():
            source, mirror = schema.table(name, where), schema.table(prefix + name, where)
            if source is not None and mirror is not None and (where, name) in copied:
                _check_selects(findings, path, selects, source, mirror)
