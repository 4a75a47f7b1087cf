"""Writes checked against the generated `Insert`/`Update` shapes: the keys of `.insert({…})`,
`.upsert({…})` and `.update({…})` on a table the migrations create.

The shapes are the generator's (core/gen/typescript.py): a generated or `GENERATED ALWAYS`
identity column is `?: never` in both; a NOT NULL column without a default, identity or
generation is a required `Insert` key. Whether the project commits generated types or not,
these are what PostgreSQL enforces.
"""

from __future__ import annotations

from lockstep.core.analysis import CONSUMERS, SCHEMA
from lockstep.core.consumers.index import ChainCall, TableUse
from lockstep.core.diagnostics import Related
from lockstep.core.globs import glob_match
from lockstep.core.model import Column, Location, Table
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.payloads import WrittenColumn
from lockstep.core.rules.registry.consumers import (
    INSERT_MISSING_REQUIRED_COLUMN,
    WRITE_GENERATED_COLUMN,
)
from lockstep.core.workspace import Workspace

_INSERTS = ("insert", "upsert")
_WRITES = ("insert", "upsert", "update")


Write = tuple[TableUse, ChainCall, Table]


def _writes(workspace: Workspace) -> tuple[Write, ...]:
    """Every write on a table the migrations create, built once per revision for both
    checks (memoised with the inputs it reads: the replayed schema and the consumers)."""
    return workspace.derived.get("writes", frozenset({SCHEMA, CONSUMERS}),
                                 lambda: _find_writes(workspace))


def _find_writes(workspace: Workspace) -> tuple[Write, ...]:
    schema = workspace.schema
    found: list[Write] = []
    for path in sorted(workspace.consumer_files):
        for use in workspace.consumer_files[path]:
            table = schema.tables.get((use.schema or "public", use.table))
            if table is None or table.external is not None:
                continue  # a view, or a table no migration creates whole
            found += [(use, call, table) for call in use.chain if call.name in _WRITES]
    return tuple(found)


def _never(column: Column) -> bool:
    return column.generated is not None or column.identity == "ALWAYS"


def _related(column: Column) -> list[Related]:
    return [Related(column.location, "column defined here")] if column.location else []


@check(WRITE_GENERATED_COLUMN)
def generated_columns(workspace: Workspace, findings: Findings) -> None:
    for use, call, table in _writes(workspace):
        for key in call.columns:
            column = table.columns.get(key.name)
            if key.relation is not None or column is None or not _never(column):
                continue
            kind = "generated" if column.generated is not None else "a GENERATED ALWAYS identity"
            verb = "an update" if call.name == "update" else "an insert"
            findings.add(
                WRITE_GENERATED_COLUMN, Location(use.path, key.range),
                f"`{table.name}.{key.name}` is {kind} column: PostgreSQL rejects a value for "
                f"it in {verb} (`{key.name}?: never` in the generated types); leave it out",
                _related(column),
                WrittenColumn(table.name, table.schema, key.name, call.name, column.type),
            )


def _clone_insert(workspace: Workspace, use: TableUse) -> bool:
    """The clone route's insert into a mirror: `clone-missing-column` reports it already."""
    return use.table.startswith(workspace.config.mirror_prefix) and any(
        glob_match(pattern, use.path) for pattern in workspace.config.clone_routes)


@check(INSERT_MISSING_REQUIRED_COLUMN)
def required_columns(workspace: Workspace, findings: Findings) -> None:
    for use, call, table in _writes(workspace):
        if call.name not in _INSERTS or call.unknown_columns or not call.columns:
            continue
        if _clone_insert(workspace, use):
            continue
        keys = {key.name for key in call.columns if key.relation is None}
        for name, column in table.columns.items():
            if name in keys or column.nullable or column.has_default:
                continue
            findings.add(
                INSERT_MISSING_REQUIRED_COLUMN, Location(use.path, call.name_range),
                f"`.{call.name}()` into `{table.name}` never sets `{name}` ({column.type} NOT "
                "NULL without a default): PostgreSQL rejects the row; the generated `Insert` "
                f"type requires `{name}`",
                _related(column),
                WrittenColumn(table.name, table.schema, name, call.name, column.type),
            )
