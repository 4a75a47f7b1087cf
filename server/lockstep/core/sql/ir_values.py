"""The values the IR's statements are made of: spans, names, expressions, types, columns and
constraints (the statements themselves are in `ir.py` and `ir_access.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # character offsets into the file, end exclusive
    end: int


NO_SPAN = Span(-1, -1)


@dataclass(frozen=True, slots=True)
class Name:
    """A possibly schema-qualified object name as written; `span` covers its last part."""

    schema: str | None
    name: str
    span: Span = NO_SPAN

    def resolved(self, search_path: tuple[str, ...]) -> tuple[str, str]:
        """(schema, name) where CREATE would put it under `search_path`."""
        return (self.schema or (search_path[0] if search_path else "public"), self.name)

    @property
    def dotted(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


class Expr:
    """An expression or query: libpg_query JSON, its span and (lazily) pglast's SQL text."""

    __slots__ = ("_node", "_offsets", "_span", "_spans", "_sql", "json")

    def __init__(self, json: Any, span: Span | None, offsets: Callable[[int], int] | None = None,
                 spans: Any = None) -> None:
        self.json = json  # {'A_Expr': {...}}: locations are bytes into the statement
        self._span = span  # None: computed on first use, by `spans.expr_span(json)`
        self._spans = spans  # the statement's Builder (plain data: the IR pickles)
        self._offsets = offsets
        self._node: Any = None
        self._sql: str | None = None

    @property
    def span(self) -> Span:
        """From the first token of the expression to its last (closing parentheses too)."""
        if self._span is None:
            self._span = self._spans.expr_span(self.json) if self._spans else NO_SPAN
        return self._span

    @property
    def kind(self) -> str:
        return next(iter(self.json)) if isinstance(self.json, dict) and self.json else ""

    @property
    def node(self) -> Any:
        """The pglast node (locations in characters into the statement), built on demand."""
        if self._node is None:
            from lockstep.core.sql.pgnode import to_node

            self._node = to_node(self.json, self._offsets) if self._offsets \
                else to_node(self.json)
        return self._node

    @property
    def sql(self) -> str:
        """pglast's deparsed text (normalised spelling, not the source's)."""
        if self._sql is None:
            from pglast.stream import RawStream

            try:
                self._sql = str(RawStream()(self.node))
            except Exception:  # noqa: BLE001 - pglast raises many types on odd nodes
                self._sql = "<expression>"
        return self._sql

    def columns_read(self) -> set[str]:
        """The column names the expression reads (the last part of every column reference)."""
        found: set[str] = set()
        stack: list[Any] = [self.json]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                ref = value.get("ColumnRef")
                if isinstance(ref, dict) and ref.get("fields"):
                    last = ref["fields"][-1]
                    if "String" in last:
                        found.add(last["String"].get("sval", ""))
                    continue
                stack.extend(v for v in value.values() if isinstance(v, dict | list))
            elif isinstance(value, list):
                stack.extend(value)
        return found

    def column_refs(self) -> list[tuple[str, int]]:
        """Bare (one-part) column references: (name, character offset into the statement)."""
        found: list[tuple[str, int]] = []
        stack: list[Any] = [self.json]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                ref: dict[str, Any] = value.get("ColumnRef") or {}
                fields: list[dict[str, Any]] = ref.get("fields", [])
                if len(fields) == 1 and "String" in fields[0]:
                    location: int = ref.get("location", 0)
                    offset = self._offsets(location) if self._offsets else location
                    found.append((fields[0]["String"].get("sval", ""), offset))
                stack.extend(reversed([v for v in value.values() if isinstance(v, dict | list)]))
            elif isinstance(value, list):
                stack.extend(reversed(value))
        return found

    def __getstate__(self) -> tuple[Any, Span, Callable[[int], int] | None]:
        return (self.json, self.span, self._offsets)  # not the pglast node, nor the Builder

    def __setstate__(self, state: tuple[Any, Span, Callable[[int], int] | None]) -> None:
        self.json, self._span, self._offsets = state
        self._spans = self._node = self._sql = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expr) and self.json == other.json

    def __hash__(self) -> int:
        return hash(self.kind)

    def __repr__(self) -> str:
        return f"Expr({self.kind}, {self.span.start}..{self.span.end})"


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A type as written: `names` is its dotted name (pg_catalog.int4 for `int`)."""

    names: tuple[str, ...]
    modifiers: tuple[Expr, ...] = ()  # (20) of varchar(20): constants, mostly
    array_bounds: tuple[int, ...] = ()
    setof: bool = False
    pct_type: bool = False  # tbl.col%TYPE
    span: Span = NO_SPAN

    @property
    def name(self) -> str:
        return self.names[-1] if self.names else ""

    @property
    def schema(self) -> str | None:
        return self.names[-2] if len(self.names) > 1 else None


@dataclass(frozen=True, slots=True)
class Constraint:
    """A column or table constraint. `kind`: primary-key, unique, foreign-key, check,
    not-null, null, default, exclusion, identity, generated, attribute-*."""

    kind: str
    span: Span
    name: str | None = None
    columns: tuple[str, ...] = ()  # key columns (or fk_attrs for a foreign key)
    references: Name | None = None
    references_at: Span = NO_SPAN  # the referenced name's first identifier
    ref_columns: tuple[str, ...] = ()
    # ON DELETE / ON UPDATE as written (None: not written): PostgreSQL's action letters,
    # a no action, r restrict, c cascade, n set null, d set default.
    on_delete: str | None = None
    on_update: str | None = None
    expr: Expr | None = None  # CHECK, DEFAULT, GENERATED … AS (…)
    not_valid: bool = False
    deferrable: bool = False
    index_name: str | None = None  # … USING INDEX name
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    always: bool = False  # GENERATED ALWAYS (identity), not BY DEFAULT


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    span: Span  # the column name
    type: TypeRef | None
    constraints: tuple[Constraint, ...] = ()
    whole: Span = NO_SPAN  # the column's whole clause start

    @property
    def default(self) -> Expr | None:
        return next((c.expr for c in self.constraints if c.kind == "default"), None)

    @property
    def not_null(self) -> bool:
        return any(c.kind in ("not-null", "primary-key") for c in self.constraints)


@dataclass(frozen=True, slots=True)
class IndexColumn:
    name: str | None
    expr: Expr | None = None
    element: Expr | None = None  # the whole IndexElem, for its deparsed text
    plain: bool = True  # no opclass, collation or ordering


@dataclass(frozen=True, slots=True)
class Argument:
    name: str | None
    type: TypeRef | None
    mode: str = "in"  # in, out, inout, variadic, table
    default: Expr | None = None


@dataclass(frozen=True, slots=True)
class Setting:
    """A routine's SET option: `value` None for FROM CURRENT / RESET; `name` "" for RESET ALL."""

    name: str
    value: str | None


@dataclass(frozen=True, slots=True)
class Guard:
    condition: str  # an IF condition's SQL
    wanted: bool  # True inside THEN, False in the branches after it
