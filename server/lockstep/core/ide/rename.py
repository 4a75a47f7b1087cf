"""Rename planning: what name is at the cursor, and every place in the workspace that spells it.

A table or column is named in five kinds of places (the migration, its `sim_` twin, the row
type, the generated `Database` type, every consumer string); this module finds them all from
the index, pure and LSP-free, and refuses what it cannot rename safely. The edit builders in
`lockstep.codeactions.refactor` turn the occurrences into text edits and a new migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lockstep.core.consumers import postgrest
from lockstep.core.ide.navigation import counterpart
from lockstep.core.ide.rename_sql import routine_mentions
from lockstep.core.ide.rename_types import TypeClash, generated_places, row_type_places
from lockstep.core.ide.target import embedded_table, symbol_at, table_key, use_table
from lockstep.core.model import Key, Location
from lockstep.core.text import LineIndex, Position, Range
from lockstep.core.ts.parse import parse_source

if TYPE_CHECKING:
    from lockstep.core.consumers.index import ChainCall, SelectArg, TableUse
    from lockstep.core.workspace import Workspace

_WRITES = frozenset(("insert", "update", "upsert", "match"))
_ROW_READS = """
(member_expression object: (_) @object property: (property_identifier) @name)
"""


class RefactorRefused(ValueError):
    """Why a rename cannot be made, with the places that stop it (dynamic strings)."""

    def __init__(self, message: str, places: tuple[Location, ...] = ()) -> None:
        super().__init__(message)
        self.places = places


@dataclass(frozen=True, slots=True)
class Subject:
    """The table (column None) or column a rename starts from; `range` is the name clicked."""

    table: Key
    column: str | None
    range: Range | None = None

    @property
    def old(self) -> str:
        return self.column if self.column is not None else self.table[1]

    @property
    def label(self) -> str:
        table = self.table[1] if self.table[0] == "public" else ".".join(self.table)
        return f"{table}.{self.column}" if self.column is not None else table


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One spelling of the old name. `role` says how the builder rewrites it:
    plain (replace the name), select (a bare select item: the result key follows),
    embed (a bare embedded table), shorthand (`{ mood }` → `{ feeling: mood }`),
    type-name (the row type's name: `Win` → the new table's type name)."""

    path: str
    range: Range
    role: str
    twin: bool = False  # names the `sim_` twin table (a table rename gives it its own name)


@dataclass(frozen=True, slots=True)
class Review:
    """A place Lockstep does not change but the person should look at."""

    location: Location
    reason: str


@dataclass(frozen=True, slots=True)
class RenamePlan:
    subject: Subject
    new_name: str
    twin: Key | None  # the `sim_` table renamed alongside
    twin_new_name: str | None
    occurrences: tuple[Occurrence, ...]
    review: tuple[Review, ...]  # places to check by hand
    new_type_name: str | None = None  # when the row type is renamed with its table


def subject_at(workspace: Workspace, path: str, position: Position) -> Subject:
    """The renameable name at `position`; RefactorRefused when there is none."""
    target = symbol_at(workspace, path, position)
    if target is not None:
        subject = Subject(target.table, target.column, target.range)
    else:
        found = _in_database(workspace, path, position)
        if found is None:
            raise RefactorRefused("Nothing here names a table or column to rename.")
        subject = found
    subject = prod_side(workspace, subject)
    check_subject(workspace, subject)
    return subject


def prod_side(workspace: Workspace, subject: Subject) -> Subject:
    """A `sim_` column that its prod table has too is renamed from the prod side (the mirror
    follows); a column only the `sim_` table has stays its own."""
    prefix = workspace.config.mirror_prefix
    other = counterpart(workspace, subject.table)
    if subject.column is None or other is None or not subject.table[1].startswith(prefix):
        return subject
    prod = workspace.replay.schema.tables[other]
    if subject.column not in prod.columns:
        return subject
    return Subject(other, subject.column, subject.range)


def _in_database(workspace: Workspace, path: str, position: Position) -> Subject | None:
    file = workspace.types_files.get(path)
    database = file.database if file is not None else None
    for entry in database.tables if database is not None else ():
        key = (entry.schema, entry.name)
        if entry.name_range.contains(position):
            return Subject(key, None, entry.name_range)
        for field in (*entry.row, *entry.insert, *entry.update):
            if field.name_range.contains(position):
                return Subject(key, field.name, field.name_range)
    return None


def check_subject(workspace: Workspace, subject: Subject) -> None:
    schema = workspace.replay.schema
    table = schema.tables.get(subject.table)
    if table is None:
        raise RefactorRefused(f"`{subject.table[1]}` is not a table the migrations create.")
    if subject.column is not None and subject.column not in table.columns:
        raise RefactorRefused(f"`{subject.label}` is not a column of `{table.name}`.")
    prefix = workspace.config.mirror_prefix
    other = counterpart(workspace, subject.table)
    if subject.column is None and prefix and subject.table[1].startswith(prefix) and other:
        raise RefactorRefused(
            f"`{table.name}` is the simulator mirror of `{other[1]}`: rename `{other[1]}` "
            "and its mirror follows."
        )


def _valid_identifier(name: str) -> bool:
    return name.isascii() and name.isidentifier() and name == name.lower() and len(name) <= 63


def plan_rename(
    workspace: Workspace, subject: Subject, new_name: str, keep_result_keys: bool = False
) -> RenamePlan:
    """Every place to change; RefactorRefused on a bad name, a collision or a dynamic string."""
    subject = prod_side(workspace, subject)
    check_subject(workspace, subject)
    new_name = new_name.strip()
    if not _valid_identifier(new_name):
        raise RefactorRefused(
            f"`{new_name}` is not a plain lower-case SQL name (letters, digits, `_`): "
            "PostgREST and the types would need it quoted everywhere."
        )
    if new_name == subject.old:
        raise RefactorRefused(f"`{subject.label}` is already called `{new_name}`.")
    twin = _twin(workspace, subject)
    _check_collisions(workspace, subject, twin, new_name)
    found = _consumers(workspace, subject, twin, keep_result_keys)
    try:
        new_type = row_type_places(workspace, subject, found.tables, new_name, found.add)
    except TypeClash as error:
        raise RefactorRefused(str(error)) from error
    generated_places(workspace, subject, found.tables, found.add)
    found.review += [
        Review(where, f"a function body spells `{subject.old}`: PostgreSQL does not rename it")
        for where in routine_mentions(workspace, subject.old)
    ]
    occurrences = tuple(dict.fromkeys(found.out))
    twin_name = (workspace.config.mirror_prefix + new_name) if twin else None
    if subject.column is not None:
        twin_name = new_name if twin else None
    return RenamePlan(
        subject, new_name, twin, twin_name, occurrences, tuple(found.review), new_type
    )


def check_dynamic(workspace: Workspace, subject: Subject) -> None:
    """Refuse up front (prepareRename) when a consumer builds its select at run time."""
    _consumers(workspace, subject, _twin(workspace, subject), False)


def _consumers(
    workspace: Workspace, subject: Subject, twin: Key | None, keep_result_keys: bool
) -> _Finder:
    found = _Finder(workspace, subject, {subject.table, *((twin,) if twin else ())},
                    keep_result_keys)
    found.consumers()
    if found.dynamic:
        places = ", ".join(f"{p.path}:{p.range.start.line + 1}" for p in found.dynamic)
        raise RefactorRefused(
            f"`{subject.label}` is read by a select Lockstep cannot rewrite safely (built at run "
            f"time: {places}): change those by hand first.",
            tuple(found.dynamic),
        )
    return found


def _twin(workspace: Workspace, subject: Subject) -> Key | None:
    other = counterpart(workspace, subject.table)
    if other is None:
        return None
    if subject.column is None:
        return other
    mirror = workspace.replay.schema.tables[other]
    return other if subject.column in mirror.columns else None


def _check_collisions(
    workspace: Workspace, subject: Subject, twin: Key | None, new_name: str
) -> None:
    schema = workspace.replay.schema
    if subject.column is not None:
        for key in (subject.table, *((twin,) if twin else ())):
            if new_name in schema.tables[key].columns:
                raise RefactorRefused(f"`{key[1]}` already has a column `{new_name}`.")
        return
    prefix = workspace.config.mirror_prefix
    names = [new_name] + ([prefix + new_name] if twin else [])
    for name in names:
        key = (subject.table[0], name)
        if key in schema.tables or key in schema.views:
            raise RefactorRefused(f"`{name}` already exists: renaming onto it would collide.")


class _Finder:
    """Collects occurrences table by table, file by file."""

    def __init__(
        self, workspace: Workspace, subject: Subject, tables: set[Key], keep_keys: bool
    ) -> None:
        self.workspace = workspace
        self.subject = subject
        self.tables = tables
        self.keep_keys = keep_keys
        self.out: list[Occurrence] = []
        self.review: list[Review] = []
        self.dynamic: list[Location] = []
        self.needles = {subject.old, *(key[1] for key in tables)}

    def add(self, path: str, where: Range, role: str = "plain", table: Key | None = None) -> None:
        twin = table is not None and table != self.subject.table
        self.out.append(Occurrence(path, where, role, twin))

    # -- consumers -------------------------------------------------------------------------
    def consumers(self) -> None:
        for path, uses in sorted(self.workspace.consumer_files.items()):
            text = self.workspace.ts_texts.get(path) or self.workspace.read(path) or ""
            if not any(name in text for name in self.needles):
                continue  # the file can neither spell the name nor query the table
            lines = LineIndex(text)
            before = len(self.out)
            for use in uses:
                self._use(path, text, lines, use)
            if any(o.role == "select" for o in self.out[before:]) and not self.keep_keys:
                self._result_reads(path, text)

    def _use(self, path: str, text: str, lines: LineIndex, use: TableUse) -> None:
        table = use_table(use)
        column = self.subject.column
        if column is None and table in self.tables:
            self.add(path, use.table_range, table=table)
        for call in use.chain:
            if call.select is not None:
                self._select(path, lines, table, call.select, call.select.tree)
                continue
            if column is None:
                continue
            if table in self.tables and call.unknown_columns:
                where = Location(path, call.name_range)
                if call.name == "select":
                    self.dynamic.append(where)
                else:
                    self.review.append(Review(where, f"`.{call.name}()` of keys Lockstep "
                                              "cannot list (a variable or a spread)"))
            for use_column in call.columns:
                owner = table
                if use_column.relation:
                    owner = embedded_table(self.workspace, table, use_column.relation) or (
                        table_key(use_column.relation)
                    )
                if owner in self.tables and use_column.name == column:
                    role = "plain"
                    if call.name in _WRITES and _is_shorthand(text, lines, use_column.range):
                        role = "shorthand"
                    self.add(path, use_column.range, role, owner)
            if table in self.tables:
                self._row_reads(path, text, call)

    def _select(
        self,
        path: str,
        lines: LineIndex,
        table: Key,
        select: SelectArg,
        tree: postgrest.Selection,
    ) -> None:
        base = lines.offset(select.range.start)
        column = self.subject.column
        if column is not None and table in self.tables:
            for ref in tree.columns:
                if ref.name == column:
                    role = "plain" if ref.alias else "select"
                    where = lines.range(base + ref.start, base + ref.end)
                    self.add(path, where, role, table)
        for embed in tree.embeds:
            owner = embedded_table(self.workspace, table, embed.relation)
            if owner is None:
                continue
            if column is None and owner in self.tables and embed.relation == owner[1]:
                role = "plain" if embed.alias else "embed"
                where = lines.range(base + embed.start, base + embed.end)
                self.add(path, where, role, owner)
            self._select(path, lines, owner, select, embed.selection)

    def _result_reads(self, path: str, text: str) -> None:
        """`win.mood` in a file whose select now returns `feeling`: TypeScript's own rename
        (on the row type's field) follows these; Lockstep lists them."""
        column = self.subject.column
        taken = {(o.path, o.range) for o in self.out}
        parsed = parse_source(path, text)
        for name in parsed.captures(_ROW_READS, "name"):
            where = parsed.range_of(name)
            if parsed.text_of(name) == column and (path, where) not in taken:
                self.review.append(Review(Location(path, where),
                                          f"reads `.{column}` from a query result"))

    def _row_reads(self, path: str, text: str, call: ChainCall) -> None:
        """`w.mood` in the clone's `rows.map((w) => ({ mood: w.mood }))`: the rows come from a
        select whose result key follows the column, so the read follows too."""
        column = self.subject.column
        if self.keep_keys or column is None or call.row_variable is None:
            return
        if column not in text:
            return
        parsed = parse_source(path, text)
        for name in parsed.captures(_ROW_READS, "name"):
            where = parsed.range_of(name)
            obj = name.parent.child_by_field_name("object") if name.parent else None
            if (
                parsed.text_of(name) == column
                and obj is not None
                and parsed.text_of(obj) == call.row_variable
                and call.range.contains(where.start)
            ):
                self.add(path, where)


def _is_shorthand(text: str, lines: LineIndex, where: Range) -> bool:
    """`{ mood }` (a shorthand property) rather than `{ mood: x }` or `{ 'mood': x }`."""
    start, end = lines.offset(where.start), lines.offset(where.end)
    if text[start - 1 : start] in ("'", '"'):
        return False
    rest = text[end:].lstrip()
    return not rest.startswith(":")
