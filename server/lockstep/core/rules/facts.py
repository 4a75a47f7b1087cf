"""Facts about tables that rules and quick fixes both judge by: which tables are `sim_`,
internal or Supabase's own, where a table is named, its SQL name, and which statement holds
a location. One definition each, so a rule and its fix never disagree.
"""

from __future__ import annotations

from lockstep.core.config import Config
from lockstep.core.model import Key, Location, Table
from lockstep.core.replay.context import PLATFORM_SCHEMAS
from lockstep.core.sql.types import quote_ident
from lockstep.core.workspace import Workspace


def is_sim(table: Table | Key, config: Config) -> bool:
    name = table.name if isinstance(table, Table) else table[1]
    return name.startswith(config.mirror_prefix)


def is_internal(table: Table, config: Config) -> bool:
    return table.name in config.internal_tables or table.qualified_name in config.internal_tables


def is_platform(table: Table) -> bool:
    """Supabase's own tables, and tables no migration creates (replay/external.py): the
    migrations do not say how either was made, so no rule judges them."""
    return table.schema in PLATFORM_SCHEMAS or table.external is not None


def anchor(table: Table) -> Location | None:
    """The table's name in its CREATE TABLE (or the statement when the name is unknown)."""
    return table.name_location or table.location


def sql_name(table: Table | Key) -> str:
    """`goals` or `app.goals`, quoted where PostgreSQL needs it."""
    schema, name = (table.schema, table.name) if isinstance(table, Table) else table
    return quote_ident(name) if schema == "public" else f"{quote_ident(schema)}.{quote_ident(name)}"


def statement_span(workspace: Workspace, location: Location) -> list[int] | None:
    """[start, end) character offsets of the statement holding `location`, for quick fixes."""
    doc = workspace.migrations.get(location.path)
    if doc is None:
        return None
    offset = doc.parsed.lines.offset(location.range.start)
    for statement in doc.parsed.statements:
        if statement.start <= offset <= statement.end:
            return [statement.start, statement.end]
    return None


def event_locations(workspace: Workspace, kind: str) -> set[Location]:
    return {
        e.location for events in workspace.replay.events.values() for e in events if e.kind == kind
    }


def last_touch(table: Table, wanted: set[Location]) -> Location | None:
    """The table's last statement among `wanted` (history follows renames; event keys do not)."""
    touches = [t.location for t in table.history if t.location in wanted]
    return touches[-1] if touches else None
