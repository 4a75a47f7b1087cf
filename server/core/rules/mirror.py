"""Rules about the `sim_` simulator mirror: every mirrored table has a twin kept in step.

A table `X` is mirrored when `sim_X` exists in the same schema. The twin differs from `X` on
purpose (FKs to `sim_` tables, a bare `user_id`, no RLS, extra columns, its own defaults);
none of that is drift. Drift is judged after every migration and reported once, at the
migration that opened it, and only while it is still open at the last migration: a difference
that a later migration fixed cannot be fixed where it started (applied migrations are never
edited), so flagging it would only be noise.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pglast import ast
from pglast.stream import maybe_double_quote_name

from lockstep.core.config import Config
from lockstep.core.diagnostics import Related
from lockstep.core.model import Key, Location, Schema, Table
from lockstep.core.replay import Event, replay
from lockstep.core.rules.engine import Findings, check, file_start
from lockstep.core.rules.registry import rule
from lockstep.core.rules.security import (
    anchor,
    event_locations,
    is_internal,
    is_platform,
    is_sim,
    last_touch,
    sql_name,
    statement_span,
)
from lockstep.core.workspace import Workspace

rule(
    "sim-mirror-drift",
    "warning",
    "mirror",
    "A change to a mirrored table that its `sim_` twin did not get in the same migration.",
    "The simulator clones real users into `sim_` tables and runs the same code on them. A "
    "column that exists on `wins` but not on `sim_wins` (or has another type or nullability "
    "there) makes the clone fail or silently drop data, and it is only noticed when someone "
    "runs the simulator. The workflow repeats every change on the twin in the same migration; "
    "extra columns on the twin, other defaults and FKs to `sim_` tables are allowed.",
    "ALTER TABLE wins ADD COLUMN mood TEXT;",
    "ALTER TABLE wins ADD COLUMN mood TEXT;\n-- Mirror for simulator:\n"
    "ALTER TABLE sim_wins ADD COLUMN mood TEXT;",
)
rule(
    "sim-mirror-missing",
    "warning",
    "mirror",
    "A new table tied to a mirrored table by a foreign key has no `sim_` twin.",
    "When a table references a mirrored table (`sessions`, `wins`, …), its rows belong to "
    "what the simulator clones; without a `sim_` twin the simulator cannot hold them and "
    "persona runs miss that data. Tables that only reference `auth.users`, and internal "
    "tables such as `llm_usage`, need no twin.",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE\n);",
    "CREATE TABLE goals (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE\n);\n"
    "CREATE TABLE sim_goals (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sim_sessions(id) ON DELETE CASCADE\n);",
)
rule(
    "sim-references-prod-table",
    "error",
    "mirror",
    "A `sim_` table references a production table that has a `sim_` twin.",
    "Simulator rows must point at simulator rows: `sim_wins.session_id` referencing "
    "`sessions(id)` makes every cloned win fail its foreign key (the session was cloned into "
    "`sim_sessions`), or worse, ties simulator data to a real user's session.",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE\n);",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n"
    "  session_id UUID REFERENCES sim_sessions(id) ON DELETE CASCADE\n);",
)
rule(
    "sim-fk-to-auth-users",
    "error",
    "mirror",
    "A `sim_` table has a foreign key to `auth.users`.",
    "Simulated personas are not auth users: a `sim_` table keeps `user_id` as a bare "
    "`UUID NOT NULL`. A foreign key to `auth.users` makes every clone of a persona fail, and "
    "`ON DELETE CASCADE` would tie simulator data to real accounts.",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n"
    "  user_id UUID NOT NULL REFERENCES auth.users(id)\n);",
    "CREATE TABLE sim_wins (\n  id UUID PRIMARY KEY,\n  user_id UUID NOT NULL\n);",
)
rule(
    "sim-table-rls",
    "warning",
    "mirror",
    "Row level security enabled, or a policy created, on a `sim_` table.",
    "`sim_` tables are written and read only by the service role (the simulator and the "
    "admin app), which bypasses RLS. RLS there protects nothing and suggests the table is "
    "meant for end users; a policy keyed on `auth.uid()` never matches a persona.",
    "ALTER TABLE sim_wins ENABLE ROW LEVEL SECURITY;",
    "-- sim_ tables are service-role only: no RLS.",
)

ColumnShape = tuple[str, bool, Location | None]  # type, nullable, where it was defined


def mirrored(schema: Schema, config: Config) -> Iterator[tuple[Table, Table]]:
    """(X, sim_X) pairs; internal, platform and `sim_` tables are never mirrored."""
    for (schema_name, name), table in schema.tables.items():
        if is_sim(table, config) or is_internal(table, config) or is_platform(table):
            continue
        twin = schema.tables.get((schema_name, config.mirror_prefix + name))
        if twin is not None:
            yield table, twin


# -- drift ----------------------------------------------------------------------------------
@dataclass(slots=True)
class _Pair:
    table: dict[str, ColumnShape]
    twin: dict[str, ColumnShape]
    twin_key: Key


@dataclass(slots=True)
class _History:
    """Per migration: the mirrored pairs' columns; per open difference: where it started."""

    snapshots: list[tuple[str, dict[Key, _Pair]]] = field(default_factory=list)
    opened: dict[tuple[Key, str, str], int] = field(default_factory=dict)


def _shape(table: Table) -> dict[str, ColumnShape]:
    return {n: (c.type, c.nullable, c.location) for n, c in table.columns.items()}


def _differences(
    now: dict[Key, _Pair],
    before: dict[Key, _Pair],
    events: list[Event],
    still_open: set[tuple[Key, str, str]],
) -> set[tuple[Key, str, str]]:
    """(X, column, kind) for every difference between X and sim_X after one migration."""
    found: set[tuple[Key, str, str]] = set()
    for key, pair in now.items():
        for name, (type_, nullable, _) in pair.table.items():
            twin = pair.twin.get(name)
            if twin is None:
                found.add((key, name, "missing"))
            elif twin[0] != type_:
                found.add((key, name, "type"))
            elif twin[1] != nullable:
                found.add((key, name, "nullability"))
        dropped = {
            c for e in events if e.table == key and e.kind == "drop-column" for c in e.columns
        }
        prior = before.get(key)
        for name in pair.twin:
            if name in pair.table:
                continue
            was_mirrored = prior is not None and name in prior.table and name in prior.twin
            if (key, name, "dropped") in still_open or (name in dropped and was_mirrored):
                found.add((key, name, "dropped"))
    return found


def _history(workspace: Workspace) -> tuple[_History, dict[str, list[Event]]]:
    config = workspace.config
    history = _History()

    def observe(path: str, schema: Schema) -> None:
        pairs = {
            (table.schema, table.name): _Pair(_shape(table), _shape(twin), (twin.schema, twin.name))
            for table, twin in mirrored(schema, config)
        }
        history.snapshots.append((path, pairs))

    migrations = [(doc.path, doc.parsed) for doc in workspace.ordered_migrations()]
    result = replay(migrations, observe)
    open_now: dict[tuple[Key, str, str], int] = {}
    before: dict[Key, _Pair] = {}
    for index, (path, pairs) in enumerate(history.snapshots):
        events = result.events.get(path, [])
        found = _differences(pairs, before, events, set(open_now))
        open_now = {d: open_now.get(d, index) for d in found}
        before = pairs
    history.opened = open_now
    return history, result.events


def _type_sql(shape: ColumnShape) -> str:
    return shape[0] + ("" if shape[1] else " NOT NULL")


def _renamed_from(workspace: Workspace, location: Location) -> str | None:
    span = statement_span(workspace, location)
    doc = workspace.migrations.get(location.path)
    if span is None or doc is None:
        return None
    for statement in doc.parsed.statements:
        if statement.start == span[0] and isinstance(statement.node, ast.RenameStmt):
            return str(statement.node.subname) if statement.node.subname else None
    return None


def _drift_report(
    workspace: Workspace,
    difference: tuple[Key, str, str],
    pair: _Pair,
    events: list[Event],
    path: str,
) -> tuple[Location, str, str]:
    """Where a difference started (the statement that opened it), a message and the fix."""
    key, column, kind = difference
    table, twin_name, twin = f"{key[1]}.{column}", pair.twin_key[1], sql_name(pair.twin_key)
    shape, twin_shape = pair.table.get(column), pair.twin.get(column)
    on_table = [e for e in events if e.table == key and column in e.columns]
    changed = [e for e in on_table if e.kind != "create-table"]
    name = maybe_double_quote_name(column)
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
                fix = f"ALTER TABLE {twin} RENAME COLUMN {maybe_double_quote_name(old)} TO {name};"
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


@check
def mirror_drift(workspace: Workspace, findings: Findings) -> None:
    if not workspace.migrations:
        return
    history, events = _history(workspace)
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
            "sim-mirror-drift",
            where,
            f"{message}: add `{fix}` to this migration",
            related,
            {
                "table": key[1],
                "schema": key[0],
                "sim_table": pair.twin_key[1],
                "column": column,
                "kind": kind,
                "fix": fix,
                "statement": statement_span(workspace, where),
            },
        )


# -- structure of the mirror ---------------------------------------------------------------
@check
def mirror_structure(workspace: Workspace, findings: Findings) -> None:
    config = workspace.config
    schema = workspace.replay.schema
    twins = {(t.schema, t.name): s for t, s in mirrored(schema, config)}
    for table in schema.tables.values():
        if is_platform(table):
            continue
        if is_sim(table, config):
            _check_twin(table, twins, findings)
        elif not is_internal(table, config) and (table.schema, table.name) not in twins:
            _check_missing(table, twins, config, findings)


def _check_twin(table: Table, twins: dict[Key, Table], findings: Findings) -> None:
    for fk in table.foreign_keys:
        if fk.location is None:
            continue
        target = (fk.ref_schema, fk.ref_table)
        if target == ("auth", "users"):
            findings.add(
                "sim-fk-to-auth-users",
                fk.location,
                f"`{table.name}` references `auth.users`: simulated personas are not auth "
                f"users; keep `{', '.join(fk.columns)}` a bare UUID without a foreign key",
                data={
                    "table": table.name,
                    "schema": table.schema,
                    "columns": fk.columns,
                    "constraint": fk.name,
                },
            )
        elif target in twins:
            twin = twins[target]
            where = anchor(twin)
            related = [Related(where, f"`{twin.name}` is defined here")] if where else []
            findings.add(
                "sim-references-prod-table",
                fk.location,
                f"`{table.name}` references `{fk.ref_table}`, a production table: reference "
                f"`{twin.name}({', '.join(fk.ref_columns)})` instead",
                related,
                {
                    "table": table.name,
                    "schema": table.schema,
                    "columns": fk.columns,
                    "references": fk.ref_table,
                    "sim_table": twin.name,
                    "ref_columns": fk.ref_columns,
                },
            )


def _check_missing(
    table: Table, twins: dict[Key, Table], config: Config, findings: Findings
) -> None:
    where = anchor(table)
    if where is None:
        return
    for fk in table.foreign_keys:
        target = (fk.ref_schema, fk.ref_table)
        if target in twins and target != (table.schema, table.name):
            twin = twins[target]
            related = (
                [Related(fk.location, f"references mirrored `{fk.ref_table}`")]
                if fk.location
                else []
            )
            findings.add(
                "sim-mirror-missing",
                where,
                f"`{table.name}` references `{fk.ref_table}`, which the simulator mirrors as "
                f"`{twin.name}`, but has no `{config.mirror_prefix}{table.name}` twin",
                related,
                {
                    "table": table.name,
                    "schema": table.schema,
                    "sim_table": config.mirror_prefix + table.name,
                    "references": fk.ref_table,
                },
            )
            return


@check
def sim_rls(workspace: Workspace, findings: Findings) -> None:
    config = workspace.config
    replayed = workspace.replay
    enables = event_locations(workspace, "enable-rls")
    for table in replayed.schema.tables.values():
        if not is_sim(table, config) or is_platform(table):
            continue
        where = last_touch(table, enables) or anchor(table)
        if table.rls_enabled and where is not None:
            findings.add(
                "sim-table-rls",
                where,
                f"`{table.name}` is a simulator table (service role only): row level "
                "security there protects nothing",
                data={
                    "table": table.name,
                    "schema": table.schema,
                    "kind": "enable-rls",
                    "statement": statement_span(workspace, where),
                },
            )
        for policy in table.policies:
            if policy.location is None:
                continue
            findings.add(
                "sim-table-rls",
                policy.location,
                f"Policy `{policy.name}` on simulator table `{table.name}`: `sim_` tables are "
                "service role only and have no policies",
                data={
                    "table": table.name,
                    "schema": table.schema,
                    "kind": "create-policy",
                    "policy": policy.name,
                    "statement": statement_span(workspace, policy.location),
                },
            )
