"""Index, constraint and policy names that embed a renamed name (`idx_wins_user_id`,
`wins_pkey`, "Users can read own wins"), renamed with it when the person asks
(`[rename] objects = true`, off by default: the names are cosmetic, and a script or a
dashboard may know them).

Statements are written for each table separately (prod and `sim_` twin), from what each one
really has: the twin may lack a constraint its prod table has (no FK to `auth.users`), so a
generated mirror of the prod statements could name objects that do not exist.
"""

from __future__ import annotations

from lockstep.core.model import Schema, Table
from lockstep.core.sql.types import quote_ident

MIRROR_HEADER = "-- Simulator mirror (no FK to auth.users, no RLS)"  # as the mirror generator


def swap_name(name: str, old: str, new: str) -> str | None:
    """`name` with every whole-word `old` (between `_`, spaces or the ends) made `new`."""
    out: list[str] = []
    at = 0
    changed = False
    while (found := name.find(old, at)) >= 0:
        before = name[found - 1] if found else ""
        after = name[found + len(old) : found + len(old) + 1]
        whole = not (before.isalnum() or after.isalnum())
        out.append(name[at:found] + (new if whole else old))
        changed = changed or whole
        at = found + len(old)
    out.append(name[at:])
    return "".join(out) if changed else None


def _taken(schema: Schema, table: Table) -> set[str]:
    """Index and constraint names of the table's schema (an index name is schema-wide)."""
    return {
        name
        for (namespace, _), other in schema.tables.items()
        if namespace == table.schema
        for name in (*(i.name for i in other.indexes), *(c.name for c in other.constraints))
    }


def object_renames(schema: Schema, table: Table, new_table: str, old: str, new: str) -> str:
    """The renames for one table, after the table (now `new_table`) or its column was renamed."""
    taken = _taken(schema, table)
    qualified = quote_ident(new_table)
    prefix = "" if table.schema == "public" else f"{quote_ident(table.schema)}."
    lines: list[str] = []

    def free(name: str | None) -> str | None:
        if name is None or name in taken:
            return None
        taken.add(name)
        return name

    for index in table.indexes:
        renamed = None if index.is_constraint else free(swap_name(index.name, old, new))
        if renamed:
            lines.append(
                f"ALTER INDEX {prefix}{quote_ident(index.name)} RENAME TO {quote_ident(renamed)};"
            )
    for constraint in table.constraints:
        renamed = free(swap_name(constraint.name, old, new))
        if renamed:
            lines.append(
                f"ALTER TABLE {prefix}{qualified} RENAME CONSTRAINT {quote_ident(constraint.name)} "
                f"TO {quote_ident(renamed)};"
            )
    for policy in table.policies:
        renamed = swap_name(policy.name, old, new)
        if renamed and renamed not in {p.name for p in table.policies}:
            lines.append(
                f"ALTER POLICY {quote_ident(policy.name)} ON {prefix}{qualified} "
                f"RENAME TO {quote_ident(renamed)};"
            )
    return "".join(line + "\n" for line in lines)
