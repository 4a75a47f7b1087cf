"""Both sides of the row-type comparison, as the type rules see them.

A hand-written row type and a Supabase-generated `Database` Row are compared with their table
the same way, so each becomes a `RowView`; `TypesContext` gathers once what every type rule
needs (enums, local aliases, which tables are exposed). The finding-data helpers live here so
that every type rule describes a range the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from lockstep.core.model import Column, Enum, Table
from lockstep.core.text import Range
from lockstep.core.ts.database import DatabaseEnum
from lockstep.core.ts.index import RowType
from lockstep.core.ts.parse import TypeField
from lockstep.core.ts.sqlts import enum_type_names, enums_of
from lockstep.core.views import local_aliases
from lockstep.core.workspace import Workspace

REGENERATE = "regenerate the types (`lockstep-lsp gen types` or `supabase gen types typescript`)"


def range_json(where: Range) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": where.start.line, "character": where.start.character},
        "end": {"line": where.end.line, "character": where.end.character},
    }


def user_facing(workspace: Workspace) -> list[Table]:
    """Tables of the exposed schemas that users' code reads: not `sim_`, not internal."""
    config = workspace.config
    return [
        table
        for (schema, name), table in workspace.schema.tables.items()
        if schema in config.exposed_schemas
        and table.external is None
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
        self.schema = workspace.schema
        self.style = workspace.config.types_style
        self.exposed = workspace.config.exposed_schemas
        self.enums = enums_of(self.schema)
        self.aliases = local_aliases(workspace)
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
