"""Renames and drops in migrations that supabase-js call sites still depend on.

The cross-file check: the migration side comes from the replay (which statement renamed or
dropped which table or column), the code side from the consumer index (`.from('t')` and the
columns its chain names). A name that still exists at the end of the history (a table
recreated, a compatibility view under the old name, a column added back) breaks nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from lockstep.core.consumers.index import TableUse
from lockstep.core.diagnostics import Related
from lockstep.core.model import Key, Location, Schema, Table
from lockstep.core.replay.context import Event
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.facts import sql_name
from lockstep.core.rules.payloads import BrokenConsumers
from lockstep.core.rules.registry.safety import DROP_BREAKS_CONSUMERS, RENAME_BREAKS_CONSUMERS
from lockstep.core.rules.timeline import Step, steps
from lockstep.core.sql import ir
from lockstep.core.workspace import Workspace

_MAX_LISTED = 3


@dataclass(frozen=True, slots=True)
class _Site:
    location: Location
    what: str  # "`.from('wins')`" or "`text` in .select()"


def _uses_of(workspace: Workspace, key: Key) -> list[TableUse]:
    return [
        use
        for path in sorted(workspace.consumer_files)
        for use in workspace.consumer_files[path]
        if (use.schema or "public", use.table) == key
    ]


def _table_sites(workspace: Workspace, key: Key) -> list[_Site]:
    return [_Site(Location(u.path, u.table_range), f"`.from('{u.table}')`")
            for u in _uses_of(workspace, key)]


def _column_sites(workspace: Workspace, key: Key, column: str) -> list[_Site]:
    sites = []
    for use in _uses_of(workspace, key):
        for call in use.chain:
            for found in call.columns:
                if found.name == column and not found.path and found.relation is None:
                    sites.append(_Site(Location(use.path, found.range),
                                       f"`{column}` in `.{call.name}()`"))
    return sites


def _final_table(schema: Schema, where: Location) -> Table | None:
    """The table a statement touched, as it is at the end of the history (renames followed)."""
    for table in schema.tables.values():
        if any(touch.location == where for touch in table.history):
            return table
    return None


def _gone(schema: Schema, key: Key) -> bool:
    return key not in schema.tables and key not in schema.views


def _shown(site: _Site) -> str:
    return f"{site.location.path}:{site.location.range.start.line + 1}"


def _advice(payload: BrokenConsumers) -> str:
    """What to do: for a rename, the refactoring that renames the call sites with it."""
    if payload.new_name is None:
        return "remove those uses and deploy them before this migration"
    if payload.schema != "public":
        return "update them with it (`lockstep-lsp rename` renames both at once)"
    subject = ".".join([payload.table, *payload.columns])
    return (f"update them, or replace this RENAME with `lockstep-lsp rename {subject} "
            f"{payload.new_name}`, which writes the migration and renames every call site")


def _report(findings: Findings, step: Step, event: Event, sites: list[_Site], message: str,
            payload: BrokenConsumers, rename: bool) -> None:
    listed = ", ".join(_shown(s) for s in sites[:_MAX_LISTED])
    more = f" and {len(sites) - _MAX_LISTED} more" if len(sites) > _MAX_LISTED else ""
    count = f"{len(sites)} call site{'s' if len(sites) > 1 else ''}"
    advice = _advice(payload)
    rule = RENAME_BREAKS_CONSUMERS if rename else DROP_BREAKS_CONSUMERS
    findings.add(
        rule, event.location,
        f"{message}, but {count} still use{'s' if len(sites) == 1 else ''} it "
        f"({listed}{more}): {advice}",
        [Related(s.location, f"{s.what} still uses the old name" if rename
                 else f"{s.what} still uses it") for s in sites],
        payload)


@check(RENAME_BREAKS_CONSUMERS, DROP_BREAKS_CONSUMERS)
def broken_consumers(workspace: Workspace, findings: Findings) -> None:
    if not workspace.consumer_files:
        return
    schema = workspace.schema
    for step in steps(workspace):
        for event in step.events:
            if event.table is None:
                continue
            if event.kind == "rename-table":
                _renamed_table(workspace, findings, schema, step, event)
            elif event.kind == "drop-table":
                _dropped_table(workspace, findings, schema, step, event)
            elif event.kind in ("rename-column", "drop-column"):
                _column(workspace, findings, schema, step, event)


def _renamed_table(workspace: Workspace, findings: Findings, schema: Schema, step: Step,
                   event: Event) -> None:
    node = step.statement.ir
    if not isinstance(node, ir.Rename) or node.target is None or event.table is None:
        return
    old = (event.table[0], node.target.name)
    sites = _table_sites(workspace, old) if step.pre_existing(old) and _gone(schema, old) else []
    if sites:
        _report(findings, step, event, sites,
                f"`{sql_name(old)}` is renamed to `{event.table[1]}`",
                BrokenConsumers(old[1], old[0], [], "rename-table", event.table[1],
                                [_shown(s) for s in sites]), rename=True)


def _dropped_table(workspace: Workspace, findings: Findings, schema: Schema, step: Step,
                   event: Event) -> None:
    key = event.table
    if key is None or not step.pre_existing(key) or not _gone(schema, key):
        return
    sites = _table_sites(workspace, key)
    if sites:
        _report(findings, step, event, sites, f"`{sql_name(key)}` is dropped",
                BrokenConsumers(key[1], key[0], [], "drop-table", None,
                                [_shown(s) for s in sites]), rename=False)


def _column(workspace: Workspace, findings: Findings, schema: Schema, step: Step,
            event: Event) -> None:
    key = event.table
    if key is None or not step.pre_existing(key):
        return
    node = step.statement.ir
    if event.kind == "rename-column":
        if not isinstance(node, ir.Rename) or node.subname is None:
            return
        old, new = node.subname, event.columns[0]
    else:
        old, new = event.columns[0], None
    final = _final_table(schema, step.location)
    if final is None or old in final.columns:
        return  # the table was dropped later, or the name came back
    sites = _column_sites(workspace, (final.schema, final.name), old)
    if not sites:
        return
    rename = new is not None
    what = f"renamed to `{new}`" if rename else "dropped"
    _report(findings, step, event, sites, f"`{sql_name(key)}.{old}` is {what}",
            BrokenConsumers(key[1], key[0], [old], event.kind, new, [_shown(s) for s in sites]),
            rename=rename)
