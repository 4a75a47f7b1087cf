"""State and helpers shared by the replay handlers: name resolution, ranges, history."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pglast.parser import ParseError, scan
from pglast.stream import RawStream

from lockstep.core.model import Key, Location, Schema, Table, Touch, View
from lockstep.core.replay.external import UNKNOWN, Externals, placeholder
from lockstep.core.rules.registry.migrations import UNKNOWN_COLUMN, UNKNOWN_TABLE
from lockstep.core.spelling import closest
from lockstep.core.sql import ir
from lockstep.core.sql.ir_parts import clause_tokens
from lockstep.core.sql.parse import ParsedSql, Statement, Token

# Schemas that Supabase manages: statements touching them are known, never "unknown".
PLATFORM_SCHEMAS = frozenset(
    {
        "auth", "storage", "extensions", "realtime", "graphql", "graphql_public", "vault",
        "pgsodium", "pgsodium_masks", "supabase_functions", "supabase_migrations", "net",
        "cron", "pgbouncer", "pg_catalog", "information_schema", "_realtime", "_analytics",
    }
)  # fmt: skip
DEFAULT_SEARCH_PATH = ("public",)


@dataclass(frozen=True, slots=True)
class ReplayIssue:
    """Something a statement refers to that does not exist at that point of the history."""

    code: str  # unknown-table / unknown-column
    message: str
    location: Location


@dataclass(frozen=True, slots=True)
class Event:
    """What one statement did, for document symbols and per-migration rules."""

    location: Location
    action: str
    table: Key | None = None
    columns: tuple[str, ...] = ()
    kind: str = ""  # create-table, add-column, alter-column, drop-column, ...


@dataclass(slots=True)
class ReplayState:
    schema: Schema = field(default_factory=Schema)
    issues: list[ReplayIssue] = field(default_factory=list)
    events: dict[str, list[Event]] = field(default_factory=dict)
    search_path: tuple[str, ...] = DEFAULT_SEARCH_PATH
    created_schemas: set[str] = field(default_factory=lambda: {"public"})
    externals: Externals = field(default_factory=Externals)


def deparse(node: Any) -> str:
    try:
        return str(RawStream()(node))
    except Exception:  # noqa: BLE001 - pglast raises many types on odd nodes
        return "<expression>"


def names(values: Iterable[Any] | None) -> list[str]:
    return [v.sval for v in values or () if hasattr(v, "sval")]


class StatementContext:
    """One statement being replayed: its file, its text and the shared state."""

    def __init__(
        self, state: ReplayState, path: str, parsed: ParsedSql, statement: Statement
    ) -> None:
        self.state = state
        self.schema = state.schema
        self.path = path
        self.parsed = parsed
        self.statement = statement

    # -- locations --------------------------------------------------------------------
    def location(self, start: int, end: int) -> Location:
        return Location(self.path, self.parsed.range(start, end))

    @functools.cached_property
    def whole(self) -> Location:
        return self.location(self.statement.start, self.statement.end)

    def span_location(self, span: ir.Span) -> Location:
        """An IR span (the whole statement when it has none)."""
        return self.whole if span.start < 0 else self.location(span.start, span.end)

    def relative(self, span: ir.Span) -> int | None:
        """An IR span's start relative to the statement (None: none, or the whole)."""
        if span.start < 0 or span == self.statement.ir.span:
            return None
        return span.start - self.statement.start

    def clause_of(self, span: ir.Span) -> Location:
        """From an IR span to the end of its clause (the next top-level comma)."""
        return self.clause(self.relative(span))

    def tokens_from(self, relative: int) -> list[Token]:
        return [t for t in self.statement.tokens if t.start >= relative]

    def clause(self, relative: int | None) -> Location:
        """From a node's location to the end of its clause (the next top-level comma)."""
        if relative is None or relative < 0:
            return self.whole
        kept = clause_tokens(self.statement.tokens, relative)
        base = self.statement.start
        end = kept[-1].end if kept else relative
        return self.location(base + relative, base + end)

    def clause_says(self, relative: int | None, *words: str) -> bool:
        """Whether the clause at `relative` contains the keyword sequence `words`."""
        if relative is None or relative < 0:
            return False
        base = self.statement.start
        spelled = [self.parsed.text[base + t.start : base + t.end]
                   for t in clause_tokens(self.statement.tokens, relative)]
        return _contains_words(spelled, words)

    def name_location(self, relative: int | None, name: str | None = None) -> Location:
        """The last identifier of a (possibly dotted, quoted) name starting at `relative`."""
        if relative is None or relative < 0:
            return self.find_identifier(name) if name else self.whole
        tokens = self.tokens_from(relative)
        chosen = tokens[0] if tokens else None
        for index in range(1, len(tokens) - 1, 2):
            if tokens[index].name != "ASCII_46":
                break
            chosen = tokens[index + 1]
        if chosen is None:
            return self.whole
        base = self.statement.start
        return self.location(base + chosen.start, base + chosen.end)

    def find_identifier(self, name: str) -> Location:
        """The first token spelling `name`: narrows the range of a node without a location."""
        base = self.statement.start
        text = self.parsed.text
        for token in self.statement.tokens:
            spelled = text[base + token.start : base + token.end]
            if spelled.strip('"') == name or spelled.lower() == name:
                return self.location(base + token.start, base + token.end)
        return self.whole

    # -- names --------------------------------------------------------------------------
    def creation_schema(self, schema: str | None) -> str:
        return schema or (self.state.search_path[0] if self.state.search_path else "public")

    def lookup_table(self, schema: str | None, name: str) -> Table | None:
        if schema:
            return self.schema.tables.get((schema, name))
        for candidate in self.state.search_path:
            table = self.schema.tables.get((candidate, name))
            if table is not None:
                return table
        return None

    def lookup_view(self, schema: str | None, name: str) -> View | None:
        for candidate in (schema,) if schema else self.state.search_path:
            view = self.schema.views.get((candidate, name))
            if view is not None:
                return view
        return None

    def lookup_foreign(self, schema: str | None, name: str) -> bool:
        return any((candidate, name) in self.schema.foreign_tables
                   for candidate in ((schema,) if schema else self.state.search_path))

    def is_platform(self, schema: str | None) -> bool:
        """Schemas the migrations did not create (auth, storage …) are Supabase's own."""
        return schema is not None and schema not in self.state.created_schemas

    def require_table(
        self, schema: str | None, name: str, relative: int | None, missing_ok: bool = False
    ) -> Table | None:
        """The table, or None with an `unknown-table` issue (unless platform-owned or IF EXISTS)."""
        return self._require(schema, name, lambda: self.name_location(relative, name),
                             missing_ok)

    def require(self, name: ir.Name, missing_ok: bool = False) -> Table | None:
        """`require_table` for an IR name (its span is where an issue points)."""
        return self._require(name.schema, name.name, lambda: self.span_location(name.span),
                             missing_ok)

    def _require(self, schema: str | None, name: str, located: Callable[[], Location],
                 missing_ok: bool) -> Table | None:
        table = self.lookup_table(schema, name)
        if table is not None or missing_ok or self.is_platform(schema) \
                or self.lookup_foreign(schema, name):
            return table  # ALTER TABLE works on foreign tables too (replay/foreign.py)
        shown = f"{schema}.{name}" if schema else name
        where = located()
        if name in self.state.externals.created:
            self.issue(UNKNOWN_TABLE.name, f"Table `{shown}` does not exist at this point "
                       "(no earlier migration creates it)", where)
            return None
        return self._external(self.creation_schema(schema), name, shown, where)

    def _external(self, schema: str, name: str, shown: str, where: Location) -> Table:
        """A table no migration creates: said once, then a placeholder (replay/external.py)."""
        shape = self.state.externals.shape(schema, name)
        table = placeholder(self.schema, schema, name, shape[0] if shape else None,
                            self.state.externals)
        typo = closest(name, [n for s, n in self.schema.tables if s == schema])
        self.schema.tables[(schema, name)] = table
        if shape is not None:
            message = (f"Migrations never create `{shown}`; its shape is taken from the "
                       f"generated types ({shape[1]})")
        elif typo:
            message = f"Table `{shown}` does not exist (no migration creates it); did you " \
                      f"mean `{typo}`?"
        else:
            message = (f"Migrations never create `{shown}`; add a baseline (`[migrations] "
                       "baseline` in lockstep.toml) or a migration that creates it")
        self.issue(UNKNOWN_TABLE.name, f"{message} (reported once: later uses are not)", where)
        return table

    def missing_column(self, table: Table, name: str, where: Location) -> None:
        """`unknown-column`, once per column: none on a placeholder of unknown shape, and a
        column missing again later (the dashboard added it) is not repeated."""
        key = (table.schema, table.name, name)
        if table.external == UNKNOWN or key in self.state.externals.reported:
            return
        self.state.externals.reported.add(key)
        self.issue(UNKNOWN_COLUMN.name, f"Column `{name}` does not exist on `{table.name}`",
                   where)

    def issue(self, code: str, message: str, location: Location) -> None:
        self.state.issues.append(ReplayIssue(code, message, location))

    # -- history ------------------------------------------------------------------------
    def record(
        self,
        action: str,
        kind: str,
        table: Table | None = None,
        columns: Iterable[str] = (),
        location: Location | None = None,
    ) -> None:
        where = location or self.whole
        key = (table.schema, table.name) if table else None
        cols = tuple(columns)
        self.state.events.setdefault(self.path, []).append(Event(where, action, key, cols, kind))
        if table is not None:
            touch = Touch(self.whole, action, self.path)
            table.history.append(touch)
            for column_name in cols:
                column = table.columns.get(column_name)
                if column is not None:
                    column.history.append(touch)


class NestedContext(StatementContext):
    """A statement inside a DO block: its ranges are the DO statement's."""

    def __init__(self, state: ReplayState, path: str, parsed: ParsedSql, statement: Statement,
                 inner_text: str) -> None:
        super().__init__(state, path, parsed, statement)
        self.inner_text = inner_text

    def clause(self, relative: int | None) -> Location:
        return self.whole

    def name_location(self, relative: int | None, name: str | None = None) -> Location:
        return self.whole

    def find_identifier(self, name: str) -> Location:
        return self.whole

    def clause_says(self, relative: int | None, *words: str) -> bool:
        if relative is None or relative < 0:
            return False
        try:
            tokens = [Token(t.start, t.end + 1, t.name) for t in scan(self.inner_text)]
        except ParseError:
            return False
        spelled = [self.inner_text[t.start : t.end]
                   for t in clause_tokens(tokens, relative)]
        return _contains_words(spelled, words)


def _contains_words(spelled: list[str], words: tuple[str, ...]) -> bool:
    upper = [s.upper() for s in spelled]
    wanted = [w.upper() for w in words]
    return any(upper[i : i + len(wanted)] == wanted for i in range(len(upper) - len(wanted) + 1))


Handler = Callable[[StatementContext, Any], None]
