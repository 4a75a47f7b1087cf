"""Where each table and column is named in the migrations, resolved to today's schema.

Hover, definition and references on SQL need to know that `old_wins` in `012_…` is the table
now called `wins`. Every name site is read from the IR (spans where the parser has
locations, the statement's tokens where it has only a string), then a backward pass over the
history maps names-at-that-time onto the final schema through renames, drops and re-creates.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lockstep.core.analysis import MIGRATIONS
from lockstep.core.model import Key, Schema
from lockstep.core.sql import ir
from lockstep.core.sql.parse import ParsedSql, Statement
from lockstep.core.text import Range

if TYPE_CHECKING:
    from lockstep.core.workspace import Workspace

AFTER, BEFORE = 0, 1  # resolve a site against the schema after / before its statement ran


@dataclass(frozen=True, slots=True)
class SqlSite:
    """A table name (column None) or a column name in a migration, resolved to the final schema."""

    path: str
    start: int
    end: int
    range: Range
    table: Key
    column: str | None = None


@dataclass(frozen=True, slots=True)
class _Raw:
    start: int
    end: int
    table: Key  # as named at that point of the history
    column: str | None
    phase: int


@dataclass(slots=True)
class _Parsed:
    sites: list[_Raw] = field(default_factory=list)
    effects: list[tuple[Any, ...]] = field(default_factory=list)


def _fold(spelled: str) -> str:
    if spelled.startswith('"') and spelled.endswith('"') and len(spelled) > 1:
        return spelled[1:-1].replace('""', '"')
    return spelled.lower()


def _is_name(spelled: str) -> bool:
    return spelled.startswith('"') or spelled.replace("_", "a").replace("$", "a").isalnum()


class _Statement:
    """One statement's identifier tokens, for names the parser gives without a location."""

    def __init__(self, text: str, statement: Statement) -> None:
        self.base = statement.start
        self.text = text
        self.tokens: list[tuple[int, int, str]] = []
        for token in statement.tokens:
            spelled = text[self.base + token.start : self.base + token.end]
            if _is_name(spelled):
                self.tokens.append((self.base + token.start, self.base + token.end, _fold(spelled)))
        self.starts = [t[0] for t in self.tokens]
        self.claimed: set[int] = set()
        self.out = _Parsed()

    def find(self, name: str, after: int = 0) -> tuple[int, int] | None:
        for start, end, folded in self.tokens:
            if start >= after and folded == name and start not in self.claimed:
                return start, end
        return None

    def at(self, relative: int | None) -> tuple[int, int] | None:
        """The last identifier of a dotted name starting at a node's location."""
        if relative is None or relative < 0:
            return None
        index = bisect.bisect_left(self.starts, self.base + relative)
        if index >= len(self.tokens):
            return None
        start, end, _ = self.tokens[index]
        # `schema.table`: follow the dots to the last name.
        while (
            index + 1 < len(self.tokens)
            and self.tokens[index + 1][0] == end + 1
            and self.text[end : end + 1] == "."
        ):
            index += 1
            start, end, _ = self.tokens[index]
        return start, end

    def add(self, span: tuple[int, int] | None, table: Key, column: str | None, phase: int) -> None:
        if span is None or span[0] in self.claimed:
            return
        self.claimed.add(span[0])
        self.out.sites.append(_Raw(span[0], span[1], table, column, phase))

    def column(self, name: str, table: Key, phase: int = AFTER, after: int = 0) -> None:
        self.add(self.find(name, after), table, name, phase)


def _key(name: ir.Name) -> Key:
    return (name.schema or "public", name.name)


def _span(span: ir.Span) -> tuple[int, int] | None:
    return (span.start, span.end) if span.start >= 0 else None


def _constraint(st: _Statement, table: Key, constraint: ir.Constraint) -> None:
    after = max(constraint.span.start, st.base)
    for name in (*constraint.columns, *constraint.include):
        st.column(name, table, after=after)
    if constraint.kind == "foreign-key" and constraint.references is not None:
        target = _key(constraint.references)
        st.add(_span(constraint.references.span), target, None, AFTER)
        for name in constraint.ref_columns:
            st.column(name, target, after=after)
    _column_refs(st, table, constraint.expr)


def _column_refs(st: _Statement, table: Key, expr: ir.Expr | None) -> None:
    """Bare column references in a single-table expression (policy, index, check)."""
    if expr is None:
        return
    for name, offset in expr.column_refs():
        st.add(st.at(offset), table, name, AFTER)


def _column(st: _Statement, table: Key, column: ir.Column) -> None:
    st.add(_span(column.span), table, column.name, AFTER)
    for constraint in column.constraints:
        _constraint(st, table, constraint)


def _create(st: _Statement, node: ir.CreateTable) -> None:
    table = _key(node.name)
    st.add(_span(node.name.span), table, None, AFTER)
    for column in node.columns:
        _column(st, table, column)
    for constraint in node.constraints:
        _constraint(st, table, constraint)
    st.out.effects.append(("create", table))


def _alter(st: _Statement, node: ir.AlterTable) -> None:
    if node.object_kind != "table":
        return
    table = _key(node.name)
    start = _span(node.name.span)
    st.add(start, table, None, AFTER)
    after = start[1] if start else 0
    for command in node.commands:
        if command.op == "AddColumn" and command.column is not None:
            _column(st, table, command.column)
            st.out.effects.append(("add-column", table, command.column.name))
        elif command.op == "DropColumn" and command.name:
            st.column(command.name, table, BEFORE, after)
            st.out.effects.append(("drop-column", table, command.name))
        elif command.op == "AddConstraint" and command.constraint is not None:
            _constraint(st, table, command.constraint)
        elif command.name and command.op != "DropConstraint":
            st.column(command.name, table, AFTER, after)


def _rename(st: _Statement, node: ir.Rename) -> None:
    if node.target is None or node.object_kind not in ("table", "column"):
        return
    if node.object_kind == "column" and node.relation_kind != "table":
        return  # a view's column
    table = _key(node.target)
    where = _span(node.target.span)
    after = where[1] if where else 0
    if node.object_kind == "table":
        new = (table[0], node.new_name)
        st.add(where, table, None, BEFORE)
        st.add(st.find(node.new_name, after), new, None, AFTER)
        st.out.effects.append(("rename", table, new))
        return
    old = node.subname or ""
    st.add(where, table, None, AFTER)
    st.column(old, table, BEFORE, after)
    st.column(node.new_name, table, AFTER, after)
    st.out.effects.append(("rename-column", table, old, node.new_name))


def _drop(st: _Statement, node: ir.Drop) -> None:
    if node.object_kind != "table":
        return
    for name in node.names:
        table = _key(name)
        st.add(st.find(name.name), table, None, BEFORE)
        st.out.effects.append(("drop", table))


def _comment(st: _Statement, node: ir.Comment) -> None:
    dotted = node.target
    if node.object_kind == "table" and dotted:
        table = (dotted[-2] if len(dotted) > 1 else "public", dotted[-1])
        st.add(st.find(dotted[-1]), table, None, AFTER)
    elif node.object_kind == "column" and len(dotted) >= 2:
        table = (dotted[-3] if len(dotted) > 2 else "public", dotted[-2])
        where = st.find(dotted[-2])
        st.add(where, table, None, AFTER)
        st.column(dotted[-1], table, AFTER, where[1] if where else 0)


def _index(st: _Statement, node: ir.CreateIndex) -> None:
    table = _key(node.table)
    where = _span(node.table.span)
    st.add(where, table, None, AFTER)
    after = where[1] if where else 0
    for element in node.columns:
        if element.name:
            st.column(element.name, table, AFTER, after)
        _column_refs(st, table, element.expr)
    for element in node.include:
        if element.name:
            st.column(element.name, table, AFTER, after)
    _column_refs(st, table, node.where)


def _policy(st: _Statement, node: ir.Policy) -> None:
    if not node.create:
        return
    table = _key(node.table)
    st.add(_span(node.table.span), table, None, AFTER)
    _column_refs(st, table, node.using)
    _column_refs(st, table, node.check)


_HANDLERS: dict[type, Any] = {
    ir.CreateTable: _create,
    ir.AlterTable: _alter,
    ir.Rename: _rename,
    ir.Drop: _drop,
    ir.Comment: _comment,
    ir.CreateIndex: _index,
    ir.Policy: _policy,
}


def parse_sites(parsed: ParsedSql) -> list[_Parsed]:
    """Raw name sites of every statement of one migration. Pure."""
    out: list[_Parsed] = []
    for statement in parsed.statements:
        st = _Statement(parsed.text, statement)
        handler = _HANDLERS.get(type(statement.ir))
        if handler is not None:
            handler(st, statement.ir)
        for name in statement.relations:  # every other table named anywhere
            st.add(_span(name.span), _key(name), None, AFTER)
        out.append(st.out)
    return out


class _History:
    """Name-at-a-time → final name, walked backwards from the final schema."""

    def __init__(self, schema: Schema) -> None:
        self.tables: dict[Key, Key | None] = {key: key for key in schema.tables}
        self.columns: dict[Key, dict[str, str | None]] = {
            key: {name: name for name in table.columns} for key, table in schema.tables.items()
        }

    def resolve(self, raw: _Raw) -> tuple[Key, str | None] | None:
        final = self.tables.get(raw.table)
        if final is None:
            return None
        if raw.column is None:
            return final, None
        column = self.columns.get(final, {}).get(raw.column)
        return (final, column) if column is not None else None

    def undo(self, effect: tuple[Any, ...]) -> None:
        kind, table = effect[0], effect[1]
        final = self.tables.get(table)
        columns = self.columns.get(final) if final is not None else None
        if kind == "create":
            self.tables.pop(table, None)
        elif kind == "drop":
            self.tables[table] = None
        elif kind == "rename":
            self.tables[table] = self.tables.pop(effect[2], None)
        elif columns is None:
            return
        elif kind == "add-column":
            columns.pop(effect[2], None)
        elif kind == "drop-column":
            columns[effect[2]] = None
        elif kind == "rename-column":
            columns[effect[2]] = columns.pop(effect[3], None)


class SqlIndex:
    def __init__(self) -> None:
        self.by_path: dict[str, list[SqlSite]] = {}
        self.by_table: dict[Key, list[SqlSite]] = {}
        self.by_column: dict[tuple[Key, str], list[SqlSite]] = {}

    def at(self, path: str, offset: int) -> SqlSite | None:
        sites = self.by_path.get(path, [])
        index = bisect.bisect_right([s.start for s in sites], offset) - 1
        if index >= 0 and sites[index].start <= offset <= sites[index].end:
            return sites[index]
        return None

    def _add(self, site: SqlSite) -> None:
        self.by_path.setdefault(site.path, []).append(site)
        if site.column is None:
            self.by_table.setdefault(site.table, []).append(site)
        else:
            self.by_column.setdefault((site.table, site.column), []).append(site)


def build_index(migrations: list[tuple[str, ParsedSql, list[_Parsed]]], schema: Schema) -> SqlIndex:
    history = _History(schema)
    index = SqlIndex()
    for path, parsed, statements in reversed(migrations):
        for statement in reversed(statements):
            resolved = [
                (raw, history.resolve(raw)) for raw in statement.sites if raw.phase == AFTER
            ]
            for effect in reversed(statement.effects):
                history.undo(effect)
            resolved += [
                (raw, history.resolve(raw)) for raw in statement.sites if raw.phase == BEFORE
            ]
            for raw, target in resolved:
                if target is not None:
                    where = parsed.range(raw.start, raw.end)
                    index._add(SqlSite(path, raw.start, raw.end, where, target[0], target[1]))
    for sites in (*index.by_path.values(), *index.by_table.values(), *index.by_column.values()):
        sites.sort(key=lambda s: (s.path, s.start))
    return index


_Files = dict[str, tuple[ParsedSql, list[_Parsed]]]
_FILES = "sql sites per file"  # keyed by the parse it came from: reads no input kind
_INDEX = "sql site index"


def sql_index(workspace: Workspace) -> SqlIndex:
    """The site index for the workspace's current migrations (memoised in `workspace.derived`
    until a migration changes; each file's sites are reused while its parse is)."""
    return workspace.derived.get(_INDEX, frozenset({MIGRATIONS}), lambda: _build(workspace))


def _build(workspace: Workspace) -> SqlIndex:
    replay = workspace.replay
    known_files = workspace.derived.peek(_FILES)
    cached: _Files = known_files if isinstance(known_files, dict) else {}
    migrations = []
    files: _Files = {}
    for doc in workspace.ordered_migrations():
        known = cached.get(doc.path)
        files[doc.path] = known = (
            known if known and known[0] is doc.parsed else (doc.parsed, parse_sites(doc.parsed))
        )
        migrations.append((doc.path, doc.parsed, known[1]))
    workspace.derived.put(_FILES, frozenset(), files)
    return build_index(migrations, replay.schema)
