"""Actions that start a new migration: from selected SQL, or from a TS field with no column.

"Move selection to a new migration" runs `lockstep.newMigration` with the selected SQL and
leaves the original text where it is: the selection may sit in a migration that is already
applied, and deleting it there silently would be worse than a duplicate the person removes.
"""

from __future__ import annotations

from typing import Any

from lockstep.core.sql import ir
from lockstep.core.sql.parse import parse_migration_sql

EXTRACT_TITLE = "Move selection to a new migration (with sim_ mirror)"
# Column names that mean money or measurements: NUMERIC rather than INTEGER.
_DECIMAL_HINTS = (
    "amount",
    "price",
    "cost",
    "rate",
    "ratio",
    "score",
    "balance",
    "percent",
    "lat",
    "lng",
    "latitude",
    "longitude",
    "weight",
    "usd",
)
_ZERO = {
    "TEXT": "''",
    "INTEGER": "0",
    "NUMERIC": "0",
    "BOOLEAN": "false",
    "TEXT[]": "'{}'",
    "JSONB": "'{}'::jsonb",
    "TIMESTAMPTZ": "now()",
    "UUID": "gen_random_uuid()",
}


def selection_sql(text: str) -> str | None:
    """The selected text when it is non-empty SQL that parses into statements."""
    if not text.strip():
        return None
    parsed = parse_migration_sql(text)
    return text if parsed.statements and not parsed.errors else None


def describe_sql(sql: str) -> str:
    """A file-name-worthy description of what the SQL does (`add mood to wins`)."""
    parsed = parse_migration_sql(sql)
    parts: list[str] = []
    for statement in parsed.statements[:2]:
        node = statement.ir
        relation = ir.relation(node)
        table = relation.name if relation is not None else None
        if isinstance(node, ir.CreateTable) and table:
            parts.append(f"create {table}")
        elif isinstance(node, ir.AlterTable) and table:
            added = [c.column.name for c in node.commands if c.column is not None]
            parts.append(f"add {'_'.join(added)} to {table}" if added else f"alter {table}")
        elif isinstance(node, ir.CreateIndex) and table:
            parts.append(f"index {table}")
        elif table:
            parts.append(f"change {table}")
    return " and ".join(parts) or "schema change"


def sql_type_for(ts_type: str, field: str) -> str:
    """TS type → column type: string→TEXT, number→INTEGER/NUMERIC, boolean, string[], Json."""
    core = " ".join(p.strip() for p in ts_type.split("|") if p.strip() not in ("null", "undefined"))
    lowered = core.replace(" ", "")
    if lowered in ("string[]", "Array<string>"):
        return "TEXT[]"
    if lowered == "number":
        hinted = any(h in field.lower().split("_") for h in _DECIMAL_HINTS)
        return "NUMERIC" if hinted else "INTEGER"
    if lowered == "boolean":
        return "BOOLEAN"
    if lowered in ("Json", "JSON", "Record<string,unknown>", "unknown", "object"):
        return "JSONB"
    if lowered == "string" and field.endswith("_at"):
        return "TIMESTAMPTZ"
    if lowered == "string" and (field == "id" or field.endswith("_id")):
        return "UUID"
    return "TEXT"


def column_spec_for(table: str, field: str, ts_type: str, optional: bool) -> dict[str, Any]:
    """The `lockstep.addColumn` argument for a TS field that has no column.

    `| null` → nullable column. Optional without `| null` (`f?: T`) → `NOT NULL DEFAULT` a zero
    value (the convention types columns with a default as optional). Required and not null →
    `NOT NULL` without a default: `add-not-null-without-default` then says it fails on a table
    that has rows, and adding a DEFAULT or a backfill is the person's decision, not a guess.
    """
    sql_type = sql_type_for(ts_type, field)
    nullable = any(p.strip() == "null" for p in ts_type.split("|"))
    default = _ZERO.get(sql_type, "NULL") if optional and not nullable else None
    return {"table": table, "column": field, "type": sql_type, "nullable": nullable,
            "default": default}
