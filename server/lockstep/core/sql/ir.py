"""The typed IR of the DDL Lockstep understands, built once from libpg_query's JSON.

Replay, navigation, the mirror generator, rules and fixes read these values instead of pglast
nodes: one vocabulary, checked by mypy. Every value carries a `Span` of character offsets into
the migration file. What Lockstep does not model is an `Opaque` naming its statement kind.
Expressions stay libpg_query JSON inside an `Expr`; pglast's deparsed text is built from it
only when a consumer asks (`Expr.sql`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lockstep.core.sql.ir_access import DefaultPrivileges, Grant, Policy
from lockstep.core.sql.ir_values import (
    NO_SPAN,
    Argument,
    Column,
    Constraint,
    Expr,
    Guard,
    IndexColumn,
    Name,
    Setting,
    Span,
    TypeRef,
)


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



# The values and access statements, re-exported: `ir.Name`, `ir.Grant` … read as the IR's own.
__all__ = ["NO_SPAN", "Argument", "Column", "Constraint", "DefaultPrivileges", "Expr", "Grant",
           "Guard", "IndexColumn", "Name", "Policy", "Setting", "Span", "TypeRef"]
