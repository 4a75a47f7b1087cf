"""The `sim-mirror-drift` check: compare each mirrored pair after every migration.

Drift is judged after every migration and reported once, at the migration that opened it, and
only while it is still open at the last migration: a difference that a later migration fixed
cannot be fixed where it started (applied migrations are never edited), so flagging it would
only be noise. The rule itself is declared with the rest of the mirror rules in `mirror`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from lockstep.core.analysis import MIGRATIONS
from lockstep.core.diagnostics import Related
from lockstep.core.model import Key, Location
from lockstep.core.replay.engine import Event
from lockstep.core.rules.drift_history import ColumnShape, Pair, Pairs, observed_changes
from lockstep.core.rules.engine import Findings, check, file_start
from lockstep.core.rules.facts import anchor, sql_name, statement_span
from lockstep.core.rules.payloads import MirrorDrift
from lockstep.core.rules.registry.mirror import SIM_MIRROR_DRIFT
from lockstep.core.sql import ir
from lockstep.core.sql.types import quote_ident
from lockstep.core.workspace import Workspace

Difference = tuple[Key, str, str]  # (X, column, kind) between X and sim_X


@dataclass(slots=True)
class _History:
    """Per migration: the mirrored pairs' columns; per open difference: where it started."""

    snapshots: list[tuple[str, Pairs]] = field(default_factory=list)
    opened: dict[Difference, int] = field(default_factory=dict)


def _differences(
    key: Key,
    pair: Pair,
    prior: Pair | None,
    events: list[Event],
    still_open: Collection[Difference],
) -> set[Difference]:
    """(X, column, kind) for every difference between X and sim_X after one migration."""
    found: set[Difference] = set()
    for name, (type_, nullable, _) in pair.table.items():
        twin = pair.twin.get(name)
        if twin is None:
            found.add((key, name, "missing"))
        elif twin[0] != type_:
            found.add((key, name, "type"))
        elif twin[1] != nullable:
            found.add((key, name, "nullability"))
    dropped = {c for e in events if e.table == key and e.kind == "drop-column" for c in e.columns}
    for name in pair.twin:
        if name in pair.table:
            continue
        was_mirrored = prior is not None and name in prior.table and name in prior.twin
        if (key, name, "dropped") in still_open or (name in dropped and was_mirrored):
            found.add((key, name, "dropped"))
    return found


def _history(workspace: Workspace) -> tuple[_History, dict[str, list[Event]]]:
    """Where each difference still open at the last migration opened, from the pairs the
    replay observed after every migration (rules/drift_history.py). Only the pairs a migration
    touched are compared again: the cost follows the changes, not pairs × migrations."""
    result = workspace.replay
    observed = observed_changes(result.observations, workspace.config)
    history = _History([(path, pairs) for path, pairs, _ in observed])
    open_now: dict[Difference, int] = {}  # open difference → the migration that opened it
    found_by_pair: dict[Key, set[Difference]] = {}
    before: Pairs = {}
    for index, (path, pairs, touched) in enumerate(observed):
        if pairs is before:
            continue
        keys = pairs.keys() | before.keys() if touched is None else touched
        events = result.events.get(path, [])
        # Judged against what was open before this migration, then applied.
        now = {key: _differences(key, pairs[key], before.get(key), events, open_now)
               if key in pairs else set() for key in keys
               if key not in pairs or before.get(key) is not pairs[key]
               or key not in found_by_pair}
        for key, found in now.items():
            old = found_by_pair.pop(key, set())
            for difference in old - found:
                del open_now[difference]
            for difference in found - old:
                open_now[difference] = index
            if key in pairs:
                found_by_pair[key] = found
        before = pairs
    # A difference a baseline left open is not reported: no migration opened it.
    history.opened = {d: i for d, i in open_now.items()
                      if history.snapshots[i][0] in workspace.migrations}
    return history, result.events


def _type_sql(shape: ColumnShape) -> str:
    return shape[0] + ("" if shape[1] else " NOT NULL")


def _renamed_from(workspace: Workspace, location: Location) -> str | None:
    span = statement_span(workspace, location)
    doc = workspace.migrations.get(location.path)
    if span is None or doc is None:
        return None
    for statement in doc.parsed.statements:
        if statement.start == span[0] and isinstance(statement.ir, ir.Rename):
            return statement.ir.subname or None
    return None


def _drift_report(
    workspace: Workspace,
    difference: Difference,
    pair: Pair,
    events: list[Event],
    path: str,
) -> tuple[Location, str, str]:
    """Where a difference started (the statement that opened it), a message and the fix."""
    key, column, kind = difference
    table, twin_name, twin = f"{key[1]}.{column}", pair.twin_key[1], sql_name(pair.twin_key)
    shape, twin_shape = pair.table.get(column), pair.twin.get(column)
    on_table = [e for e in events if e.table == key and column in e.columns]
    changed = [e for e in on_table if e.kind != "create-table"]
    name = quote_ident(column)
    if kind == "dropped":
        fix = f"ALTER TABLE {twin} DROP COLUMN {name};"
        where = on_table[-1].location if on_table else file_start(path)
        return where, f"`{table}` was dropped here but not from `{twin_name}`", fix
    if kind == "missing" and shape is not None:
        fix = f"ALTER TABLE {twin} ADD COLUMN {name} {_type_sql(shape)};"
    elif kind == "type" and shape is not None:
        fix = f"ALTER TABLE {twin} ALTER COLUMN {name} TYPE {shape[0]};"
    else:
        verb = "SET" if shape is not None and not shape[1] else "DROP"
        fix = f"ALTER TABLE {twin} ALTER COLUMN {name} {verb} NOT NULL;"
    detail = {
        "missing": f"is not on `{twin_name}`",
        "type": f"has another type on `{twin_name}`",
        "nullability": f"has another nullability on `{twin_name}`",
    }[kind]
    created_twin = [e for e in events if e.table == pair.twin_key and e.kind == "create-table"]
    if created_twin and not changed:
        where = twin_shape[2] if twin_shape and twin_shape[2] else created_twin[-1].location
        created = workspace.replay.schema.tables.get(pair.twin_key)
        if (
            not (twin_shape and twin_shape[2])
            and created is not None
            and created.name_location is not None
            and created.name_location.path == path
        ):
            where = created.name_location
        return where, f"`{table}` {detail} as created here", fix
    if on_table:
        event = (changed or on_table)[-1]
        where = event.location
        if event.kind == "create-table" and shape is not None and shape[2] is not None:
            where = shape[2]
        if event.kind == "rename-column":
            old = _renamed_from(workspace, event.location)
            if old is not None and old in pair.twin:
                fix = f"ALTER TABLE {twin} RENAME COLUMN {quote_ident(old)} TO {name};"
        verb = _VERBS.get(event.kind, "changed")
        if kind == "missing" or shape is None or twin_shape is None:
            return where, f"`{table}` was {verb} here but not on `{twin_name}`", fix
        return (
            where,
            f"`{table}` was {verb} here as `{_type_sql(shape)}` but `{twin_name}.{column}` is "
            f"`{_type_sql(twin_shape)}`",
            fix,
        )
    on_twin = [e for e in events if e.table == pair.twin_key and column in e.columns]
    if on_twin:
        return on_twin[-1].location, f"`{table}` {detail} after this statement", fix
    touching = [e for e in events if e.table in (key, pair.twin_key)]
    where = touching[-1].location if touching else file_start(path)
    return where, f"`{table}` {detail}", fix


_VERBS = {
    "add-column": "added",
    "rename-column": "renamed",
    "alter-column": "changed",
    "create-table": "created",
}


def _cached_history(workspace: Workspace) -> tuple[_History, dict[str, list[Event]]]:
    """The history only changes with the migrations (and the config, which reloads them)."""
    return workspace.derived.get("mirror history", frozenset({MIGRATIONS}),
                                 lambda: _history(workspace))


@check(SIM_MIRROR_DRIFT)
def mirror_drift(workspace: Workspace, findings: Findings) -> None:
    if not workspace.migrations:
        return
    history, events = _cached_history(workspace)
    final = workspace.replay.schema
    for difference, index in sorted(history.opened.items(), key=lambda item: item[1]):
        path, pairs = history.snapshots[index]
        key, column, kind = difference
        pair = pairs.get(key)
        if pair is None:
            continue
        where, message, fix = _drift_report(workspace, difference, pair, events.get(path, []), path)
        twin_table = final.tables.get(pair.twin_key)
        twin_at = anchor(twin_table) if twin_table is not None else None
        related = [Related(twin_at, f"`{pair.twin_key[1]}` is defined here")] if twin_at else []
        findings.add(
            SIM_MIRROR_DRIFT,
            where,
            f"{message}: add `{fix}` to this migration",
            related,
            MirrorDrift(key[1], key[0], pair.twin_key[1], column, kind, fix,
                        statement_span(workspace, where)),
        )
