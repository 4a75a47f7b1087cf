"""Which tables exist before each statement of each migration, and which of them the same
migration created: what the migration-safety rules judge "production already has rows" by.

The replay's events say which statement created, renamed or dropped which table (with the
name resolved through the file's search_path); this walks them in migration order next to
the parsed statements. A table created earlier in the same file is empty when the file runs;
a table created by an earlier file, or one of Supabase's own (`auth.users`), is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lockstep.core.analysis import CONFIG, MIGRATIONS
from lockstep.core.model import Key, Location
from lockstep.core.replay.context import PLATFORM_SCHEMAS, Event
from lockstep.core.rules.engine import Findings, by_file
from lockstep.core.sql import ir
from lockstep.core.sql.parse import Statement
from lockstep.core.workspace import MigrationDoc, Workspace


@dataclass(slots=True)
class Step:
    """One top-level statement, with the tables as they stood just before it ran."""

    doc: MigrationDoc
    statement: Statement
    events: list[Event]  # what the replay recorded for this statement
    existing: frozenset[Key]
    created_here: frozenset[Key]  # created earlier in the same migration
    search_path: tuple[str, ...] = ("public",)

    @property
    def location(self) -> Location:
        return Location(self.doc.path, self.doc.parsed.range(self.statement.start,
                                                             self.statement.end))

    def key(self, relation: ir.Name) -> Key:
        """A relation's (schema, name): from this statement's events when the replay resolved
        an unqualified name, else the first schema of the file's search_path that has it."""
        if relation.schema:
            return (relation.schema, relation.name)
        for event in self.events:
            if event.table is not None and event.table[1] == relation.name:
                return event.table
        for schema in self.search_path:
            if (schema, relation.name) in self.existing:
                return (schema, relation.name)
        return relation.resolved(self.search_path)

    def pre_existing(self, key: Key) -> bool:
        """The table existed before this migration: it may hold production rows."""
        if key in self.created_here:
            return False
        return key in self.existing or key[0] in PLATFORM_SCHEMAS

    def earlier(self) -> list[Statement]:
        """The statements of the same file before this one."""
        return [s for s in self.doc.parsed.statements if s.start < self.statement.start]


def _old_key(node: ir.Stmt, new: Key) -> Key | None:
    """The name a RENAME or SET SCHEMA statement moved a table away from."""
    if isinstance(node, ir.Rename) and node.target is not None:
        return (node.target.schema or new[0], node.target.name)
    if isinstance(node, ir.SetSchema):
        return (node.target.schema or "public", node.target.name)
    return None


SEGMENTS = "timeline segments"  # a Derived key (reads none): each file's part of the last walk


@dataclass(frozen=True, slots=True)
class _Segment:
    """One migration's steps, and what they were walked from: reused while the file, its
    events and the tables before it are the same (an edit re-walks the edited file)."""

    doc: MigrationDoc
    events: list[Event]
    existing: frozenset[Key]  # the tables before the file
    steps: tuple[Step, ...]
    after: frozenset[Key]  # the tables after it


def steps(workspace: Workspace) -> list[Step]:
    """Every top-level statement of every migration, in replay order (walked once per
    revision of the migrations: three checks read it)."""
    return _timeline_once(workspace)[0]


def by_migration(workspace: Workspace, findings: Findings, name: str,
                 judge: Callable[[Step, Findings], None]) -> None:
    """`judge` every step, keeping a migration's findings while its steps are the same
    objects (the timeline reuses an unchanged file's; `engine.by_file`): an edit re-judges
    the edited migration. For checks whose verdict on a step reads only that step and its
    file."""
    files = {segment.doc.path: segment.steps for segment in _timeline_once(workspace)[1]}

    def judge_file(path: str, found: Findings) -> None:
        for step in files[path]:
            judge(step, found)

    by_file(workspace, findings, name, frozenset({CONFIG}), files, judge_file)


def _timeline_once(workspace: Workspace) -> tuple[list[Step], list[_Segment]]:
    return workspace.derived.get("timeline", frozenset({MIGRATIONS}),
                                 lambda: _timeline(workspace))


def _timeline(workspace: Workspace) -> tuple[list[Step], list[_Segment]]:
    known = workspace.derived.peek(SEGMENTS)
    before: dict[str, _Segment] = known if isinstance(known, dict) else {}
    segments: dict[str, _Segment] = {}
    existing: frozenset[Key] = frozenset()
    events_by_path = workspace.replay.events
    out: list[Step] = []
    for doc in workspace.ordered_migrations():
        events = events_by_path.get(doc.path, [])
        segment = before.get(doc.path)
        if segment is None or segment.doc is not doc or segment.existing != existing or \
                segment.events != events:
            tables = set(existing)
            walked = tuple(_walk(doc, events, tables))
            segment = _Segment(doc, events, existing, walked, frozenset(tables))
        segments[doc.path] = segment
        out += segment.steps
        existing = segment.after
    workspace.derived.put(SEGMENTS, frozenset(), segments)
    return out, list(segments.values())


def _walk(doc: MigrationDoc, events: list[Event], existing: set[Key]) -> Iterator[Step]:
    """One migration's steps; `existing` (the tables before it) is brought up to after it."""
    created: set[Key] = set()
    frozen: tuple[frozenset[Key], frozenset[Key]] | None = None
    taken = 0
    for statement in doc.parsed.statements:
        # Events are recorded in statement order, each inside its statement's range.
        first = taken
        if taken < len(events):
            end = doc.parsed.lines.position(statement.end)
            while taken < len(events) and events[taken].location.range.start <= end:
                taken += 1
        mine = events[first:taken]
        if frozen is None:  # re-frozen only after a statement changed the tables
            frozen = (frozenset(existing), frozenset(created))
        yield Step(doc, statement, mine, frozen[0], frozen[1], statement.search_path)
        for event in mine:
            if _apply(event, statement.ir, existing, created):
                frozen = None


def _apply(event: Event, node: ir.Stmt, existing: set[Key], created: set[Key]) -> bool:
    """Apply what a statement did to the tables; True when it changed them."""
    key = event.table
    if key is None:
        return False
    if event.kind == "create-table":
        existing.add(key)
        created.add(key)
    elif event.kind == "drop-table":
        existing.discard(key)
        created.discard(key)
    elif event.kind in ("rename-table", "set-schema"):
        old = _old_key(node, key)
        if old is not None:
            existing.discard(old)
            if old in created:
                created.discard(old)
                created.add(key)
        existing.add(key)
    else:
        return False
    return True
