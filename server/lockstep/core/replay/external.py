"""Tables the migrations touch but never create (a `schema.sql` baseline, the dashboard, Lovable).

PostgreSQL would say "relation does not exist" at every statement touching such a table, but
the table exists in the real database: the migrations just don't build the schema from empty.
The replay says so once, where the table is first used, then goes on with a placeholder:
shaped from the committed generated `Database` type when the repo has one (TypeScript types
mapped back to a plausible column), else of unknown shape, whose columns nothing judges.
A table that a migration does create (even later) is no placeholder: using it before it exists
is a real error, reported as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lockstep.core.model import Column, Constraint, Enum, ForeignKey, Key, Schema, Table
from lockstep.core.sql import ir
from lockstep.core.sql.parse import ParsedSql

if TYPE_CHECKING:  # attributes only: the SQL-only commands never load tree-sitter
    from lockstep.core.ts.database import DatabaseTable, DatabaseType
    from lockstep.core.ts.parse import FieldType, TypeField

TYPES = "types"  # Table.external: shaped from the generated types
UNKNOWN = "unknown"  # Table.external: no shape known

# TypeScript → PostgreSQL, the generator's mapping read backwards (one plausible type each).
_SCALARS = {"string": "text", "number": "integer", "boolean": "boolean", "Json": "jsonb",
            "unknown": "unknown"}
# A NOT NULL column whose Insert field is optional has some default; the types don't say which.
HAS_DEFAULT = "(a default: see the generated types)"


@dataclass(slots=True)
class Externals:
    """What the replay needs to tell a never-created table from a late one, and its shape."""

    created: set[str] = field(default_factory=set)  # relation names some migration creates
    shapes: dict[Key, tuple[DatabaseTable, str]] = field(default_factory=dict)  # → (entry, path)
    enums: dict[Key, tuple[str, ...]] = field(default_factory=dict)  # the generated Enums
    reported: set[tuple[str, str, str]] = field(default_factory=set)  # (schema, table, column)

    def shape(self, schema: str, name: str) -> tuple[DatabaseTable, str] | None:
        return self.shapes.get((schema, name))


def externals_for(
    migrations: Sequence[tuple[str, ParsedSql]], databases: Iterable[DatabaseType] = ()
) -> Externals:
    found = Externals(created=created_relations(migrations))
    for database in databases:
        for entry in database.tables:
            if entry.kind == "table":
                found.shapes.setdefault((entry.schema, entry.name), (entry, database.path))
        for enum in database.enums:
            found.enums.setdefault((enum.schema, enum.name), enum.values)
    return found


def created_relations(migrations: Sequence[tuple[str, ParsedSql]]) -> set[str]:
    """Every relation name a migration creates or renames something to (any schema: a name
    found here is never a placeholder, so a doubt falls back to the plain error)."""
    created: set[str] = set()
    for _, parsed in migrations:
        for statement in parsed.statements:
            nodes: list[ir.Stmt] = [statement.ir]
            if isinstance(statement.ir, ir.DoBlock):
                nodes += [nested.ir for nested in statement.ir.statements]
            for node in nodes:
                name = _created_name(node)
                if name:
                    created.add(name)
    return created


def _created_name(node: ir.Stmt) -> str | None:
    if isinstance(node, (ir.CreateTable, ir.CreateTableAs, ir.CreateView)):
        return node.name.name
    if isinstance(node, ir.Rename) and node.object_kind in (
            "table", "view", "materialized view"):
        return node.new_name or None
    return None


def placeholder(model: Schema, schema: str, name: str, shape: DatabaseTable | None,
                externals: Externals) -> Table:
    """The table as the generated types describe it (or with no known column); an enum its
    columns use that no migration creates either comes from the generated `Enums`."""
    table = Table(schema=schema, name=name, external=TYPES if shape else UNKNOWN)
    if shape is None:
        return table
    for row_field in shape.row:
        base = row_field.type.base if row_field.type is not None else ()
        enum = _enum_reference(base[0]) if len(base) == 1 else None
        values = externals.enums.get(("public", enum)) if enum else None
        if enum and values is not None and ("public", enum) not in model.enums:
            model.enums[("public", enum)] = Enum("public", enum, list(values))
    enum_names = {n for s, n in model.enums if s == "public"}
    inserts = {f.name: f for f in shape.insert}
    for row_field in shape.row:
        if inserts and row_field.name not in inserts:
            continue  # in Row only: a computed field (a function of the row), not a column
        column = column_from_field(row_field, inserts.get(row_field.name), enum_names)
        table.columns[column.name] = column
    return table


def complete_placeholders(model: Schema, externals: Externals) -> None:
    """After the last migration: the foreign keys the generated types list (`Relationships`)
    that no migration added. Added at the end because the types describe the final schema:
    a key a migration adds itself must not be there twice."""
    for (schema, name), table in model.tables.items():
        shape = externals.shape(schema, name) if table.external == TYPES else None
        for link in shape[0].relationships if shape else ():
            if any(fk.name == link.name for fk in table.foreign_keys):
                continue
            table.foreign_keys.append(ForeignKey(list(link.columns), schema, link.referenced,
                                                 list(link.referenced_columns), name=link.name))
            unique = [c.columns for c in table.constraints if c.kind in ("primary", "unique")]
            if link.one_to_one and list(link.columns) not in unique:  # isOneToOne
                table.constraints.append(Constraint(f"{link.name}_key", "unique",
                                                    list(link.columns)))


def column_from_field(row: TypeField, insert: TypeField | None, enum_names: set[str]) -> Column:
    """A Row field as a column: `| null` → nullable, optional in Insert → has a default."""
    nullable = row.type.nullable if row.type is not None else True
    optional = insert is None or insert.optional
    default = HAS_DEFAULT if optional and not nullable else None
    return Column(row.name, pg_type(row.type, enum_names), nullable, default)


def pg_type(ts: FieldType | None, enum_names: set[str]) -> str:
    if ts is None or len(ts.base) != 1:
        return "text" if ts is not None and ts.is_literal_union else "unknown"
    base = ts.base[0]
    enum = _enum_reference(base)
    if enum is not None:
        scalar = enum if enum in enum_names else "text"
    else:
        scalar = _SCALARS.get(base, "unknown")
    return f"{scalar}[]" if ts.is_array else scalar


def _enum_reference(text: str) -> str | None:
    """`Database["public"]["Enums"]["mood"]` → mood (the generator's own spelling)."""
    if not text.startswith("Database[") or not text.endswith("]"):
        return None
    keys = [part.strip("\"'") for part in text[len("Database["):-1].split("][")]
    return keys[2] if len(keys) == 3 and keys[1] == "Enums" else None
