"""Add a column in lockstep: the migration with its `sim_` mirror, the row-type field and the
simulator clone's select and insert keys, as one edit (workflow steps 3, 4 and 6 at once).

The field follows the seed's rules as the type rules check them: `| null` for a nullable
column, `?` for one with a default. The clone edits reuse the clone quick fixes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lockstep.codeactions.edits import CreateFile, Edit, TextEdit
from lockstep.codeactions.fixes.clone import fix_clone_missing_column
from lockstep.codeactions.fixes.ts import fix_missing_field
from lockstep.codeactions.migration.new import plan_new_migration
from lockstep.codeactions.refactor.rename import RenameEdit
from lockstep.core.consumers.index import TableUse
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.ide.navigation import counterpart, row_type
from lockstep.core.ide.rename import RefactorRefused
from lockstep.core.ide.target import table_key, use_table
from lockstep.core.model import Key
from lockstep.core.rules.payloads import CloneColumn, FieldFinding
from lockstep.core.rules.registry.consumers import CLONE_MISSING_COLUMN
from lockstep.core.rules.registry.types import TYPE_MISSING_FIELD
from lockstep.core.sql import ir
from lockstep.core.sql.parse import parse_migration_sql
from lockstep.core.sql.types import format_type, quote_ident
from lockstep.core.ts.sqlts import aliases_of, enum_type_names, enums_of, field_suggestion
from lockstep.core.workspace import Workspace

_WRITES = ("insert", "update", "upsert", "delete")


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    table: str
    column: str
    type: str
    nullable: bool = True
    default: str | None = None

    @classmethod
    def from_json(cls, value: Any) -> ColumnSpec:
        """`{"table", "column", "type", "nullable"?, "default"?}`; ValueError when malformed."""
        if not isinstance(value, dict) or not all(
            isinstance(value.get(key), str) and value[key].strip()
            for key in ("table", "column", "type")
        ):
            raise ValueError(
                'lockstep.addColumn expects [{"table": str, "column": str, "type": str, '
                '"nullable"?: bool, "default"?: str}]'
            )
        nullable = value.get("nullable", True)
        default = value.get("default")
        return cls(
            value["table"].strip(),
            value["column"].strip(),
            value["type"].strip(),
            bool(nullable),
            str(default) if default is not None else None,
        )


def add_column_sql(key: Key, spec: ColumnSpec) -> str:
    table = quote_ident(key[1])
    if key[0] != "public":
        table = f"{quote_ident(key[0])}.{table}"
    sql = f"ALTER TABLE {table} ADD COLUMN {quote_ident(spec.column)} {spec.type}"
    if not spec.nullable:
        sql += " NOT NULL"
    if spec.default is not None:
        sql += f" DEFAULT {spec.default}"
    return sql + ";\n"


def _column_type(sql: str) -> str:
    parsed = parse_migration_sql(sql)
    node = parsed.statements[0].ir if parsed.statements and not parsed.errors else None
    commands = node.commands if isinstance(node, ir.AlterTable) else ()
    definition = commands[0].column if commands else None
    if definition is None or definition.type is None:
        raise RefactorRefused(f"Cannot add the column: `{sql.strip()}` is not valid SQL.")
    return format_type(definition.type)


def _check(workspace: Workspace, spec: ColumnSpec) -> tuple[Key, Key | None]:
    key = table_key(spec.table)
    table = workspace.replay.schema.tables.get(key)
    if table is None:
        raise RefactorRefused(f"`{spec.table}` is not a table the migrations create.")
    name = spec.column
    if not (name.isascii() and name.isidentifier() and name == name.lower()):
        raise RefactorRefused(f"`{name}` is not a plain lower-case SQL column name.")
    twin = counterpart(workspace, key)
    prefix = workspace.config.mirror_prefix
    if twin is not None and key[1].startswith(prefix):
        raise RefactorRefused(f"`{key[1]}` mirrors `{twin[1]}`: add the column there.")
    for owner in (key, *((twin,) if twin else ())):
        if name in workspace.replay.schema.tables[owner].columns:
            raise RefactorRefused(f"`{owner[1]}` already has a column `{name}`.")
    return key, twin


def _field_edits(workspace: Workspace, key: Key, spec: ColumnSpec, sql_type: str) -> list[TextEdit]:
    row = row_type(workspace, key)
    if row is None or row.field(spec.column) is not None:
        return []  # no row type, or the field was written first (the TS-side flow)
    enums = enums_of(workspace.replay.schema)
    names = enum_type_names(enums, aliases_of(workspace.types_files.values()))
    optional = spec.default is not None and workspace.config.types_style == "convention"
    suggestion = field_suggestion(spec.column, sql_type, spec.nullable, optional, enums, names)
    finding = Diagnostic(row.path, row.name_range, "hint", TYPE_MISSING_FIELD.name, "")
    data = FieldFinding(
        table=key[1], schema=key[0], column=spec.column, sql_type=sql_type,
        nullable=spec.nullable, has_default=spec.default is not None, primary_key=False,
        ts_type="", optional=optional, suggestion=suggestion, type_name=row.name,
        type_path=row.path, generated=False,
    )
    return [e for fix in fix_missing_field(workspace, finding, data) for e in fix.edits]


def _clone_edits(workspace: Workspace, key: Key, twin: Key, column: str) -> list[TextEdit]:
    """Select the column from the source and copy it in the insert into the twin."""
    edits: list[TextEdit] = []
    for path in workspace.config.clone_routes:
        for use in workspace.consumer_files.get(path, ()):
            for finding, data in _clone_findings(use, key, twin, column):
                fixes = fix_clone_missing_column(workspace, finding, data)
                edits += [e for fix in fixes for e in fix.edits]
    return edits


def _clone_findings(
    use: TableUse, key: Key, twin: Key, column: str
) -> list[tuple[Diagnostic, CloneColumn]]:
    """The clone-missing-column findings the new column will cause, to fix them up front."""
    table = use_table(use)
    found: list[tuple[Diagnostic, CloneColumn]] = []
    writes = any(call.name in _WRITES for call in use.chain)
    code = CLONE_MISSING_COLUMN.name
    for call in use.chain:
        if table == key and not writes and call.select is not None and not call.select.tree.star:
            found.append((Diagnostic(use.path, call.select.range, "hint", code, ""),
                          CloneColumn(key[1], column, "", "select", None, mirror=twin[1])))
        if table == twin and call.name == "insert" and call.row_variable:
            entry = f"{column}: {call.row_variable}.{column}"
            found.append((Diagnostic(use.path, call.name_range, "hint", code, ""),
                          CloneColumn(twin[1], column, "", "insert", entry, source=key[1])))
    return found


def build_add_column(
    workspace: Workspace, spec: ColumnSpec, now: datetime | None = None
) -> RenameEdit:
    """The migration (with mirror), the row-type field and the clone keys; RefactorRefused when
    the table is unknown, the column exists or the SQL does not parse."""
    key, twin = _check(workspace, spec)
    sql = add_column_sql(key, spec)
    sql_type = _column_type(sql)
    migration = plan_new_migration(workspace, f"add {spec.column} to {key[1]}", sql, now)
    edits = _field_edits(workspace, key, spec, sql_type)
    if twin is not None:
        edits += _clone_edits(workspace, key, twin, spec.column)
    edit = Edit(
        f"Add column {key[1]}.{spec.column}",
        "refactor",
        tuple(edits),
        (CreateFile(migration.path, migration.content),),
    )
    return RenameEdit(edit, migration)
