"""The `schema --format json` document (its shape is a contract: see DESIGN.md)."""

from __future__ import annotations

from typing import Any

from lockstep.core.model import Schema, Table


def _table(table: Table) -> dict[str, Any]:
    return {
        "schema": table.schema,
        "name": table.name,
        "rls_enabled": table.rls_enabled,
        "defined_in": table.defined_in,
        "columns": [
            {
                "name": column.name,
                "type": column.type,
                "nullable": column.nullable,
                "default": column.default,
                "primary_key": column.primary_key,
            }
            for column in table.columns.values()
        ],
        "foreign_keys": [
            {
                "columns": fk.columns,
                "references": {
                    "schema": fk.ref_schema,
                    "table": fk.ref_table,
                    "columns": fk.ref_columns,
                },
                "on_delete": fk.on_delete,
            }
            for fk in table.foreign_keys
        ],
        "indexes": [
            {"name": index.name, "columns": index.columns, "unique": index.unique}
            for index in table.indexes
        ],
        "policies": [{"name": p.name, "command": p.command} for p in table.policies],
    }


def schema_to_json(schema: Schema) -> dict[str, Any]:
    return {
        "tables": [_table(t) for _, t in sorted(schema.tables.items())],
        "enums": [
            {"schema": e.schema, "name": e.name, "values": e.values}
            for _, e in sorted(schema.enums.items())
        ],
        "views": [{"schema": v.schema, "name": v.name} for _, v in sorted(schema.views.items())],
    }
