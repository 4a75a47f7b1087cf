"""The schema model that migration replay produces: plain dataclasses, no LSP types."""

from __future__ import annotations

from dataclasses import dataclass, field

from lockstep.core.text import Range


@dataclass(frozen=True, slots=True)
class Location:
    """A range in a workspace file; `path` is relative to the root, with `/` separators."""

    path: str
    range: Range


@dataclass(frozen=True, slots=True)
class Touch:
    """One statement that created or changed an object, for history, hover and rules."""

    location: Location
    action: str  # e.g. "create table", "add column mood", "rename to wins"
    migration: str  # path of the migration file


@dataclass(slots=True)
class Column:
    name: str
    type: str  # exactly as PostgreSQL's format_type() prints it
    nullable: bool = True
    default: str | None = None
    primary_key: bool = False
    identity: str | None = None  # "ALWAYS" / "BY DEFAULT"
    generated: str | None = None  # expression of a stored generated column
    # (schema, name) of the sequence a serial column owns: it moves with the table and
    # goes with the column (other columns' defaults may use it too)
    owned_sequence: tuple[str, str] | None = None
    location: Location | None = None  # where the column was added (or last renamed)
    history: list[Touch] = field(default_factory=list)

    @property
    def has_default(self) -> bool:
        return self.default is not None or self.identity is not None or self.generated is not None


@dataclass(slots=True)
class Index:
    name: str
    columns: list[str]  # column names; expressions as pg_get_indexdef() prints them
    unique: bool = False
    location: Location | None = None
    is_constraint: bool = False  # backs a PRIMARY KEY / UNIQUE constraint
    include: list[str] = field(default_factory=list)  # INCLUDE (…) columns, not key columns
    where: str | None = None  # a partial index's predicate, as pg_get_expr() prints it
    shape: str = ""  # method, keys, INCLUDE and WHERE as text: equal shapes = duplicates
    # The index's own column names (its pg_attribute), fixed when it is made: a copy (LIKE,
    # partitions) is named from them, not from columns renamed since; [] = not renamed yet
    own_names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ForeignKey:
    columns: list[str]
    ref_schema: str
    ref_table: str
    ref_columns: list[str]
    on_delete: str | None = None  # CASCADE, SET NULL, SET DEFAULT, RESTRICT, NO ACTION, None
    on_update: str | None = None
    name: str | None = None
    location: Location | None = None  # the REFERENCES / FOREIGN KEY clause
    ref_index: Index | None = None  # the referenced table's unique index it depends on


@dataclass(slots=True)
class PolicyFacts:
    """What the advisors need from a policy, decided once at replay (replay/security.py)."""

    permissive: bool = True
    roles: list[str] = field(default_factory=list)  # [] = PUBLIC (every role)
    using: str | None = None  # the USING expression as deparsed, None when absent
    check: str | None = None  # WITH CHECK, the same
    # auth.<fn>() / current_setting() calls re-evaluated per row (never `(select …)`)
    per_row_calls: list[Location] = field(default_factory=list)
    user_metadata: bool = False  # reads auth.jwt() … user_metadata


@dataclass(slots=True)
class Extension:
    name: str
    schema: str
    location: Location | None = None


@dataclass(slots=True)
class Policy:
    name: str
    command: str  # ALL, SELECT, INSERT, UPDATE, DELETE
    location: Location | None = None
    facts: PolicyFacts | None = None  # roles and expressions, for the advisors
    using_columns: set[str] = field(default_factory=set)  # columns its USING reads
    check_columns: set[str] = field(default_factory=set)  # columns its WITH CHECK reads

    @property
    def columns(self) -> set[str]:
        """The columns it depends on (a DROP COLUMN without CASCADE is refused)."""
        return self.using_columns | self.check_columns


@dataclass(slots=True)
class Constraint:
    """A named CHECK / UNIQUE / PRIMARY KEY / FOREIGN KEY / EXCLUDE constraint (DROP needs it)."""

    name: str
    kind: str  # check, unique, primary, foreign, exclusion
    columns: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Table:
    schema: str
    name: str
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    rls_enabled: bool = False
    rls_forced: bool = False
    comment: str | None = None
    parent: tuple[str, str] | None = None  # PARTITION OF / INHERITS
    is_partition: bool = False
    partitioned: bool = False  # PARTITION BY
    location: Location | None = None  # the CREATE TABLE statement
    name_location: Location | None = None  # the table name inside it
    history: list[Touch] = field(default_factory=list)
    # Set when no migration creates the table but statements touch it (replay/external.py):
    # "types" — its shape comes from the generated `Database` type; "unknown" — no shape known.
    external: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def defined_in(self) -> str | None:
        return self.location.path if self.location else None


@dataclass(slots=True)
class Enum:
    schema: str
    name: str
    values: list[str] = field(default_factory=list)
    location: Location | None = None
    history: list[Touch] = field(default_factory=list)


@dataclass(slots=True)
class View:
    schema: str
    name: str
    materialized: bool = False
    location: Location | None = None
    depends_on: set[tuple[str, str]] = field(default_factory=set)  # tables and views it reads
    columns_used: set[str] = field(default_factory=set)
    uses_star: bool = False
    columns: list[ViewColumn] = field(default_factory=list)  # replay/view_columns.py
    auto_updatable: bool = False  # PostgreSQL can insert/update through it by itself
    instead_of: set[str] = field(default_factory=set)  # INSERT/UPDATE/DELETE triggers
    # (schema, table, column) it reads, `*` expanded when it was made: what DROP COLUMN checks
    column_reads: set[tuple[str, str, str]] = field(default_factory=set)
    security_invoker: bool = False  # WITH (security_invoker = on): RLS of the caller


@dataclass(slots=True)
class ViewColumn:
    name: str
    type: str  # as format_type() prints it; "unknown" when Lockstep cannot tell
    origin: tuple[str, str, str] | None = None  # (schema, relation, column) it passes through


@dataclass(slots=True)
class Routine:
    """A function or trigger, kept by name for lookups."""

    schema: str
    name: str
    kind: str  # function, procedure, trigger
    table: str | None = None  # a trigger's table, qualified
    location: Location | None = None


@dataclass(slots=True)
class Parameter:
    name: str  # "" when unnamed
    mode: str  # in, out, inout, variadic, table
    type: str  # as format_type() prints it
    has_default: bool = False


@dataclass(slots=True)
class Signature:
    """A function's arguments and result, for the generated types (replay/functions.py)."""

    schema: str
    name: str
    parameters: list[Parameter] = field(default_factory=list)
    returns: str = "void"  # format_type() of the result (`record` for RETURNS TABLE)
    returns_set: bool = False
    rows: int | None = None  # ROWS estimate of a set-returning function
    language: str = "sql"
    body: str = ""  # the AS '…' text (pg_proc.prosrc)
    security_definer: bool = False
    search_path_set: bool = False  # SET search_path = … on the function
    location: Location | None = None


@dataclass(slots=True)
class ForeignTable:
    """A CREATE FOREIGN TABLE: the Data API serves it, but no RLS guards its rows."""

    schema: str
    name: str
    server: str
    location: Location | None = None


@dataclass(slots=True)
class Domain:
    schema: str
    name: str
    base: str  # format_type() of the base type
    not_null: bool = False


@dataclass(slots=True)
class CompositeType:
    schema: str
    name: str
    attributes: list[tuple[str, str]] = field(default_factory=list)  # (name, format_type)


Key = tuple[str, str]  # (schema, name), both folded as PostgreSQL folds them


@dataclass(slots=True)
class Schema:
    tables: dict[Key, Table] = field(default_factory=dict)
    enums: dict[Key, Enum] = field(default_factory=dict)
    views: dict[Key, View] = field(default_factory=dict)
    routines: dict[tuple[str, str, str], Routine] = field(default_factory=dict)
    # (schema, name, identity argument types) → signature; domains; composite types
    signatures: dict[tuple[str, str, str], Signature] = field(default_factory=dict)
    domains: dict[Key, Domain] = field(default_factory=dict)
    composites: dict[Key, CompositeType] = field(default_factory=dict)
    schemas: set[str] = field(default_factory=lambda: {"public"})  # public + created, not dropped
    extensions: dict[str, Extension] = field(default_factory=dict)  # name → where it lives
    # Relation → roles holding SELECT on it (GRANT/REVOKE over Supabase's defaults)
    readers: dict[Key, set[str]] = field(default_factory=dict)
    # Schema → roles that new relations in it grant SELECT to (ALTER DEFAULT PRIVILEGES);
    # Supabase's own defaults for `public` to begin with
    default_readers: dict[str, set[str]] = field(
        default_factory=lambda: {"public": {"anon", "authenticated", "service_role"}})
    foreign_tables: dict[Key, ForeignTable] = field(default_factory=dict)
    # Schemas whose comment opts into pg_graphql's introspection (replay/graphql.py)
    graphql_introspection: set[str] = field(default_factory=set)
    # Function (signatures' key) → roles holding EXECUTE on it (replay/routine_grants.py)
    executors: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    # Schema → roles new functions in it grant EXECUTE to: PostgreSQL's PUBLIC everywhere
    # ("*"), and Supabase's API roles in `public`
    default_executors: dict[str, set[str]] = field(default_factory=lambda: {
        "*": {"public"}, "public": {"anon", "authenticated", "service_role"}})
    # Tables removed from `tables` so far (dropped, renamed away): an observer of the replay
    # looks for vanished tables only after this moved (rules/drift_history.py)
    removed_tables: int = field(default=0, compare=False)

    def table(self, name: str, schema: str = "public") -> Table | None:
        return self.tables.get((schema, name))

    def find_table(self, qualified: str) -> Table | None:
        """`wins`, `public.wins` → the table (a bare name means `public`)."""
        schema, _, name = qualified.rpartition(".")
        return self.tables.get((schema or "public", name))
