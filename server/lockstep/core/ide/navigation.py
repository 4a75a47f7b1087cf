"""References, definitions, consumers and mirror status, answered from the in-memory index.

Step 5 of the migration workflow ("find every place that reads or writes the table") is
`consumers()`; references and definitions reuse the same joins between the schema, the
consumer index and the row types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lockstep.core.ide.target import Target, embedded_table, table_key, use_table
from lockstep.core.model import Key, Location, Table
from lockstep.core.spelling import closest
from lockstep.core.sql.sites import sql_index

if TYPE_CHECKING:
    from lockstep.core.consumers.index import TableUse
    from lockstep.core.ts.index import RowType
    from lockstep.core.workspace import Workspace

CATEGORY_ORDER = (
    "api-route",
    "hook",
    "context",
    "admin-query",
    "coaching",
    "after-callback",
    "clone",
    "other",
)


@dataclass(frozen=True, slots=True)
class Consumer:
    category: str
    location: Location
    function: str | None
    operations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Drift:
    column: str
    reason: str  # "missing on sim_x", "type text vs integer", "nullability"


@dataclass(frozen=True, slots=True)
class MirrorStatus:
    mirror: str  # the other table's name (sim_x for x, x for sim_x)
    is_mirror: bool  # True when the table itself is the sim_ one
    drift: tuple[Drift, ...]

    @property
    def in_sync(self) -> bool:
        return not self.drift


def category_rank(category: str) -> int:
    return CATEGORY_ORDER.index(category) if category in CATEGORY_ORDER else len(CATEGORY_ORDER)


def find_table(workspace: Workspace, name: str) -> Table | None:
    return workspace.replay.schema.tables.get(table_key(name))


def uses_of(workspace: Workspace, table: Key) -> list[TableUse]:
    return [
        use for uses in workspace.consumer_files.values() for use in uses if use_table(use) == table
    ]


def consumers(workspace: Workspace, table: Key) -> list[Consumer]:
    """Every call site of the table, grouped by category (in workflow order), then by place."""
    found = [
        Consumer(
            use.display_category,
            Location(use.path, use.table_range),
            use.function,
            use.operations,
        )
        for use in uses_of(workspace, table)
    ]
    found.sort(key=lambda c: (category_rank(c.category), c.location.path, c.location.range.start))
    return found


def category_counts(workspace: Workspace, table: Key) -> dict[str, int]:
    counts: dict[str, int] = {}
    for consumer in consumers(workspace, table):
        counts[consumer.category] = counts.get(consumer.category, 0) + 1
    return counts


def suggest(workspace: Workspace, name: str) -> str | None:
    """The closest known table name, for "did you mean"."""
    names = sorted({key[1] for key in workspace.replay.schema.tables})
    return closest(table_key(name)[1], names)


# -- mirror ------------------------------------------------------------------------------


def counterpart(workspace: Workspace, table: Key) -> Key | None:
    """`wins` ↔ `sim_wins`, when both exist."""
    prefix = workspace.config.mirror_prefix
    tables = workspace.replay.schema.tables
    schema, name = table
    other = (schema, name[len(prefix) :]) if name.startswith(prefix) else (schema, prefix + name)
    return other if prefix and other in tables and other != table else None


def mirror_status(workspace: Workspace, table: Key) -> MirrorStatus | None:
    other = counterpart(workspace, table)
    if other is None:
        return None
    tables = workspace.replay.schema.tables
    is_mirror = table[1].startswith(workspace.config.mirror_prefix)
    prod, sim = (tables[other], tables[table]) if is_mirror else (tables[table], tables[other])
    drift: list[Drift] = []
    for name, column in prod.columns.items():
        copy = sim.columns.get(name)
        if copy is None:
            drift.append(Drift(name, f"missing on {sim.name}"))
        elif copy.type != column.type:
            drift.append(Drift(name, f"type {column.type} vs {copy.type}"))
        elif copy.nullable != column.nullable:
            drift.append(Drift(name, "nullability differs"))
    return MirrorStatus(other[1], is_mirror, tuple(drift))


# -- row types ---------------------------------------------------------------------------


def row_type(workspace: Workspace, table: Key) -> RowType | None:
    if table not in workspace.replay.schema.tables:
        return None
    return workspace.type_index.type_for_table(table[1])


# -- definition and references -------------------------------------------------------------


def _table_declaration(table: Table) -> Location | None:
    return table.name_location or table.location


def definition(workspace: Workspace, target: Target) -> list[Location]:
    """Table → its CREATE TABLE; column → the statement that added (or last renamed) it."""
    table = workspace.replay.schema.tables.get(target.table)
    if table is None:
        return []
    if target.column is not None:
        column = table.columns.get(target.column)
        where = column.location if column is not None else None
        return [where] if where is not None else []
    where = _table_declaration(table)
    return [where] if where is not None else []


def type_definition(workspace: Workspace, target: Target) -> list[Location]:
    """The `sim_` counterpart's CREATE TABLE, then the table's TS row type (or field)."""
    found: list[Location] = []
    other = counterpart(workspace, target.table)
    if other is not None:
        mirror = workspace.replay.schema.tables[other]
        column = mirror.columns.get(target.column) if target.column else None
        where = column.location if column is not None else _table_declaration(mirror)
        if where is not None:
            found.append(where)
    row = row_type(workspace, target.table)
    if row is not None and target.origin not in ("row-type", "type-field"):
        field = row.field(target.column) if target.column else None
        found.append(Location(row.path, field.name_range if field else row.name_range))
    return found


def references(workspace: Workspace, target: Target, include_declaration: bool) -> list[Location]:
    if target.column is None:
        found = [c.location for c in consumers(workspace, target.table)]
        if include_declaration:
            found += [
                Location(s.path, s.range)
                for s in sql_index(workspace).by_table.get(target.table, ())
            ]
            row = row_type(workspace, target.table)
            if row is not None:
                found.append(Location(row.path, row.name_range))
        return _unique(found)
    return _unique(_column_references(workspace, target, include_declaration))


def _column_references(
    workspace: Workspace, target: Target, include_declaration: bool
) -> list[Location]:
    assert target.column is not None
    found: list[Location] = []
    for uses in workspace.consumer_files.values():
        for use in uses:
            table = use_table(use)
            for call in use.chain:
                for column in call.columns:
                    if column.name != target.column:
                        continue
                    owner = table
                    if column.relation:
                        owner = embedded_table(workspace, table, column.relation) or table_key(
                            column.relation
                        )
                    if owner == target.table:
                        found.append(Location(use.path, column.range))
    row = row_type(workspace, target.table)
    field = row.field(target.column) if row is not None else None
    if row is not None and field is not None:
        found.append(Location(row.path, field.name_range))
    defined = workspace.replay.schema.tables.get(target.table)
    added = defined.columns.get(target.column) if defined else None
    declaration = added.location if added else None
    sites = sql_index(workspace).by_column.get((target.table, target.column), ())
    for site in sites:
        is_declaration = declaration is not None and (site.path, site.range.start) == (
            declaration.path,
            declaration.range.start,
        )
        if include_declaration or not is_declaration:
            found.append(Location(site.path, site.range))
    covered = any(
        declaration is not None
        and (s.path, s.range.start) == (declaration.path, declaration.range.start)
        for s in sites
    )
    if include_declaration and declaration is not None and not covered:
        found.append(declaration)
    return found


def _unique(locations: list[Location]) -> list[Location]:
    seen: set[Location] = set()
    out: list[Location] = []
    for where in locations:
        if where not in seen:
            seen.add(where)
            out.append(where)
    return out


# -- code lens -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lens:
    table: Key
    location: Location  # the table name in its CREATE TABLE
    title: str


def lens_title(workspace: Workspace, table: Key) -> str:
    count = len(uses_of(workspace, table))
    parts = [f"{count} consumer{'s' if count != 1 else ''}"]
    row = row_type(workspace, table)
    mirror = mirror_status(workspace, table)
    if row is not None:
        parts.append(f"type {row.name}")
    if mirror is not None and mirror.is_mirror:
        parts.append(f"mirrors {mirror.mirror}")
    elif mirror is not None and mirror.in_sync:
        parts.append(f"{mirror.mirror} in sync")
    elif mirror is not None:
        drifted = len(mirror.drift)
        parts.append(f"{mirror.mirror} drift: {drifted} column{'s' if drifted != 1 else ''}")
    return " · ".join(parts)


def lenses(workspace: Workspace, path: str) -> list[Lens]:
    """One lens above each CREATE TABLE in `path` whose table still exists."""
    found: list[Lens] = []
    for key, table in workspace.replay.schema.tables.items():
        where = _table_declaration(table)
        if where is not None and where.path == path:
            found.append(Lens(key, where, lens_title(workspace, key)))
    found.sort(key=lambda lens: lens.location.range.start)
    return found
