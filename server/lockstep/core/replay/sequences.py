"""The sequences of serial columns: which column owns one and which defaults use it.

A serial column owns its sequence (`Column.owned_sequence`): the sequence moves with the
table's schema and goes with the column. Any column's default may use it (LIKE … INCLUDING
DEFAULTS copies `nextval('t_id_seq'::regclass)`); such a default prints the sequence where
it is now, and it depends on the sequence: PostgreSQL refuses to drop the owning column or
table without CASCADE, and with CASCADE the default goes.
"""

from __future__ import annotations

from collections.abc import Iterable

from pglast import parse_sql

from lockstep.core.model import Column, Key, Schema, Table
from lockstep.core.replay.reprint import reparse
from lockstep.core.sql.types import SEARCH_PATH_SCHEMAS, quote_ident


def sequence_default(schema: str, sequence: str) -> str:
    """A serial column's default: nextval of its sequence, named as regclass prints it."""
    shown = quote_ident(sequence) if schema in SEARCH_PATH_SCHEMAS \
        else f"{quote_ident(schema)}.{quote_ident(sequence)}"
    return "nextval('" + shown.replace("'", "''") + "'::regclass)"


def sequence_key(default: str | None) -> Key | None:
    """The sequence a `nextval('…'::regclass)` default names; unqualified = public, as the
    replay's search_path resolves it."""
    if not default or not default.startswith("nextval('"):
        return None
    try:
        literal = reparse(default).args[0].arg.val.sval
        relation = parse_sql(f"SELECT * FROM {literal}")[0].stmt.fromClause[0]
    except Exception:  # noqa: BLE001 - not a default this replay wrote
        return None
    return (str(relation.schemaname or "public"), str(relation.relname))


def sequence_names(schema: Schema, namespace: str) -> set[str]:
    """The sequences in a schema: owned by a column, or used by a default."""
    found: set[str] = set()
    for table in schema.tables.values():
        for column in table.columns.values():
            for key in (column.owned_sequence, sequence_key(column.default)):
                if key is not None and key[0] == namespace:
                    found.add(key[1])
    return found


def move_sequences(schema: Schema, table: Table, namespace: str) -> None:
    """SET SCHEMA: the table's own sequences follow it, and every default using them."""
    for owner in table.columns.values():
        old = owner.owned_sequence
        if old is None or old[0] == namespace:
            continue
        owner.owned_sequence = (namespace, old[1])
        for _, column in _users(schema, [old]):
            column.default = sequence_default(namespace, old[1])


def sequence_users(schema: Schema, doomed: Iterable[Column]) -> list[tuple[Table, Column]]:
    """Columns, other than the doomed ones, whose default uses a doomed column's sequence."""
    doomed = list(doomed)
    owned = [c.owned_sequence for c in doomed if c.owned_sequence is not None]
    return [(t, c) for t, c in _users(schema, owned) if not any(c is d for d in doomed)]


def _users(schema: Schema, keys: list[Key]) -> list[tuple[Table, Column]]:
    if not keys:
        return []
    return [(table, column) for table in schema.tables.values()
            for column in table.columns.values() if sequence_key(column.default) in keys]


def user_names(users: list[tuple[Table, Column]]) -> list[str]:
    return [f"default value for column {c.name} of table {t.name}" for t, c in users]


def drop_defaults(users: list[tuple[Table, Column]]) -> None:
    for _, column in users:
        column.default = None
