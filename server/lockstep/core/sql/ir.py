"""The typed IR of the DDL Lockstep understands, built once from libpg_query's JSON.

Replay, navigation, the mirror generator, rules and fixes read these values instead of pglast
nodes: one vocabulary, checked by mypy. Every value carries a `Span` of character offsets into
the migration file. What Lockstep does not model is an `Opaque` naming its statement kind.
Expressions stay libpg_query JSON inside an `Expr`; pglast's deparsed text is built from it
only when a consumer asks (`Expr.sql`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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

    __slots__ = ("_node", "_offsets", "_span", "_sql", "json")

    def __init__(self, json: Any, span: Span | Callable[[], Span],
                 offsets: Callable[[int], int] | None = None) -> None:
        self.json = json  # {'A_Expr': {...}}: locations are bytes into the statement
        self._span = span  # or how to compute it, on first use
        self._offsets = offsets
        self._node: Any = None
        self._sql: str | None = None

    @property
    def span(self) -> Span:
        """From the first token of the expression to its last (closing parentheses too)."""
        if not isinstance(self._span, Span):
            self._span = self._span()
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
class Like:
    """LIKE source [INCLUDING …]: `options` is PostgreSQL's CREATE_TABLE_LIKE_* bit set."""

    name: Name
    span: Span  # from the source's first identifier
    options: int = 0
    position: int = 0  # how many of the table's own columns come before it


@dataclass(frozen=True, slots=True)
class CreateTable:
    span: Span
    name: Name
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    like: tuple[Like, ...] = ()
    inherits: tuple[Name, ...] = ()
    partition_of: Name | None = None
    if_not_exists: bool = False
    persistence: str = "p"  # p permanent, u unlogged, t temporary
    foreign_server: str | None = None  # CREATE FOREIGN TABLE … SERVER
    partitioned: bool = False  # PARTITION BY …


@dataclass(frozen=True, slots=True)
class CreateTableAs:
    """CREATE TABLE … AS and CREATE MATERIALIZED VIEW."""

    span: Span
    name: Name
    query: Expr
    columns: tuple[str, ...] = ()
    materialized: bool = False
    if_not_exists: bool = False
    with_data: bool = True
    persistence: str = "p"


# ALTER TABLE sub-commands, by libpg_query's AlterTableType name less `AT_`: AddColumn,
# DropColumn, AlterColumnType, ColumnDefault, SetNotNull, DropNotNull, AddConstraint,
# DropConstraint, ValidateConstraint, EnableRowSecurity, DisableRowSecurity,
# ForceRowSecurity, NoForceRowSecurity, ChangeOwner, AddIdentity, … (any other name as is).
@dataclass(frozen=True, slots=True)
class AlterCommand:
    op: str
    span: Span
    name: str | None = None  # the column or constraint the command names
    column: Column | None = None  # ADD COLUMN
    constraint: Constraint | None = None  # ADD CONSTRAINT
    type: TypeRef | None = None  # ALTER COLUMN … TYPE
    expr: Expr | None = None  # SET DEFAULT / USING
    missing_ok: bool = False
    cascade: bool = False
    options: tuple[tuple[str, str | None], ...] = ()  # SET (…) / RESET (…)


@dataclass(frozen=True, slots=True)
class AlterTable:
    span: Span
    name: Name
    object_kind: str  # table, view, index, materialized view, foreign table, sequence …
    commands: tuple[AlterCommand, ...] = ()
    missing_ok: bool = False


@dataclass(frozen=True, slots=True)
class Drop:
    span: Span
    object_kind: str  # table, index, view, materialized view, type, function, policy …
    names: tuple[Name, ...]  # for a policy or trigger: schema/name of its table in `on`
    missing_ok: bool = False
    cascade: bool = False
    on: tuple[Name, ...] = ()  # DROP POLICY p ON t / DROP TRIGGER x ON t: the table per name
    concurrently: bool = False
    # DROP FUNCTION: per name, its arguments (None when not given: every overload)
    arguments: tuple[tuple[Argument, ...] | None, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexColumn:
    name: str | None
    expr: Expr | None = None
    element: Expr | None = None  # the whole IndexElem, for its deparsed text
    plain: bool = True  # no opclass, collation or ordering


@dataclass(frozen=True, slots=True)
class CreateIndex:
    span: Span
    name: str | None
    table: Name
    columns: tuple[IndexColumn, ...]
    unique: bool = False
    primary: bool = False
    concurrently: bool = False
    if_not_exists: bool = False
    method: str = "btree"
    where: Expr | None = None
    include: tuple[IndexColumn, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """CREATE POLICY (`create`) or ALTER POLICY (None fields are left unchanged)."""

    span: Span
    name: str
    table: Name
    create: bool = True
    command: str | None = "all"  # all, select, insert, update, delete
    permissive: bool = True
    roles: tuple[str, ...] = ()
    using: Expr | None = None
    check: Expr | None = None


@dataclass(frozen=True, slots=True)
class CreateEnum:
    span: Span
    name: Name
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlterEnum:
    """ADD VALUE (`old` None) or RENAME VALUE old TO new."""

    span: Span
    name: Name
    new: str
    old: str | None = None
    neighbour: str | None = None  # BEFORE/AFTER value
    after: bool = True
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class CreateDomain:
    span: Span
    name: Name
    type: TypeRef | None
    constraints: tuple[Constraint, ...] = ()


@dataclass(frozen=True, slots=True)
class CreateComposite:
    span: Span
    name: Name
    columns: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class CreateView:
    span: Span
    name: Name
    query: Expr
    columns: tuple[str, ...] = ()
    replace: bool = False
    options: tuple[tuple[str, str | None], ...] = ()  # WITH (security_invoker = true) …
    check_option: str | None = None


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
class AlterFunction:
    span: Span
    name: Name
    security_definer: bool | None = None  # None: not changed
    settings: tuple[Setting, ...] = ()


@dataclass(frozen=True, slots=True)
class CreateFunction:
    span: Span
    name: Name
    arguments: tuple[Argument, ...]
    returns: TypeRef | None = None
    replace: bool = False
    procedure: bool = False
    language: str | None = None
    body: str | None = None  # the AS '…' text
    security_definer: bool = False
    volatility: str | None = None  # immutable, stable, volatile
    settings: tuple[Setting, ...] = ()  # SET search_path = … and others
    rows: int | None = None

    @property
    def results(self) -> tuple[Argument, ...]:
        """RETURNS TABLE (…) columns and OUT parameters."""
        return tuple(a for a in self.arguments if a.mode in ("out", "inout", "table"))


@dataclass(frozen=True, slots=True)
class CreateTrigger:
    span: Span
    name: str
    table: Name
    function: Name
    timing: str  # before, after, instead of
    events: tuple[str, ...]  # insert, update, delete, truncate
    for_each_row: bool = False
    when: Expr | None = None
    replace: bool = False


@dataclass(frozen=True, slots=True)
class Grant:
    """GRANT/REVOKE privileges (empty = ALL) ON objects TO/FROM roles."""

    span: Span
    grant: bool
    object_kind: str  # table, sequence, function, schema, type …
    objects: tuple[Name, ...]
    privileges: tuple[str, ...]
    roles: tuple[str, ...]
    all_in_schema: bool = False
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DefaultPrivileges:
    """ALTER DEFAULT PRIVILEGES [IN SCHEMA …] GRANT/REVOKE …: `schemas` empty = everywhere."""

    span: Span
    schemas: tuple[str, ...]
    grant: Grant


@dataclass(frozen=True, slots=True)
class Comment:
    span: Span
    object_kind: str
    target: tuple[str, ...]  # dotted parts: (schema, table, column) for a column
    text: str | None


@dataclass(frozen=True, slots=True)
class Rename:
    """ALTER … RENAME [COLUMN|CONSTRAINT] old TO new."""

    span: Span
    object_kind: str  # table, column, view, index, type, constraint, policy, schema …
    target: Name | None  # the relation (or the object itself for non-relations)
    new_name: str
    subname: str | None = None  # the column, constraint or policy renamed on `target`
    object_parts: tuple[str, ...] = ()  # non-relation objects: their dotted name
    missing_ok: bool = False
    relation_kind: str = "table"  # RENAME COLUMN: what the column belongs to (table, view …)


@dataclass(frozen=True, slots=True)
class SetSchema:
    span: Span
    object_kind: str
    target: Name
    new_schema: str
    missing_ok: bool = False


@dataclass(frozen=True, slots=True)
class SearchPath:
    """SET [LOCAL] search_path, or SELECT set_config('search_path', …)."""

    span: Span
    schemas: tuple[str, ...]
    local: bool = False


@dataclass(frozen=True, slots=True)
class CreateSchema:
    span: Span
    name: str
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class CreateExtension:
    span: Span
    name: str
    schema: str | None = None
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class Sequence:
    """CREATE or ALTER SEQUENCE."""

    span: Span
    name: Name
    create: bool = True
    owned_by: tuple[str, ...] = ()
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class Guard:
    condition: str  # an IF condition's SQL
    wanted: bool  # True inside THEN, False in the branches after it


@dataclass(frozen=True, slots=True)
class Nested:
    """A statement found inside a DO block: its text, its IR and the IFs around it."""

    text: str
    ir: Stmt
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True, slots=True)
class DoBlock:
    span: Span
    language: str = "plpgsql"
    body: str | None = None
    statements: tuple[Nested, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class DataChange:
    """INSERT, UPDATE or DELETE on one table."""

    span: Span
    verb: str  # insert, update, delete
    table: Name
    columns: tuple[str, ...] = ()  # UPDATE … SET columns, INSERT (columns)
    where: Expr | None = None


@dataclass(frozen=True, slots=True)
class Truncate:
    span: Span
    tables: tuple[Name, ...]


@dataclass(frozen=True, slots=True)
class Reindex:
    span: Span
    concurrently: bool = False


@dataclass(frozen=True, slots=True)
class Transaction:
    """BEGIN, START (TRANSACTION), COMMIT, ROLLBACK, SAVEPOINT …: TransactionStmtKind less
    `TRANS_STMT_`."""

    span: Span
    kind: str


@dataclass(frozen=True, slots=True)
class Opaque:
    """A statement Lockstep does not model: its libpg_query node name (`SelectStmt` …)."""

    span: Span
    kind: str


def relation(node: object) -> Name | None:
    """The table (or other relation) a statement works on: what pglast calls its `relation`."""
    if isinstance(node, CreateTable | AlterTable):
        return node.name
    if isinstance(node, CreateIndex | CreateTrigger | DataChange):
        return node.table
    if isinstance(node, Rename | SetSchema) and node.object_kind in RELATION_KINDS:
        return node.target
    return None


# RENAME / SET SCHEMA kinds whose target is a relation (or names one: columns, policies …)
RELATION_KINDS = frozenset({
    "table", "sequence", "view", "materialized view", "index", "foreign table", "column",
    "constraint", "policy", "trigger", "rule",
})

Stmt = (
    CreateTable | CreateTableAs | AlterTable | Drop | CreateIndex | Policy | CreateEnum
    | AlterEnum | CreateDomain | CreateComposite | CreateView | CreateFunction | AlterFunction
    | CreateTrigger | Grant | DefaultPrivileges | Comment | Rename | SetSchema | SearchPath
    | CreateSchema | CreateExtension | Sequence | DoBlock | DataChange | Truncate | Reindex
    | Transaction | Opaque
)  # fmt: skip
