"""What the generator reads: the shape of postgres-meta's introspection, without oids.

`from_model` fills it from the replayed schema; `typescript` prints it. Relations and types
are identified by (schema, name) where the generator uses oids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Key = tuple[str, str]  # (schema, name)


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A type as pg_type names it: `int4`, `_text` (an array), `order_status`."""

    name: str
    schema: str = "pg_catalog"


@dataclass(slots=True)
class Column:
    name: str
    type: TypeRef  # a domain's base type (postgres-meta's `format` / `type_schema`)
    nullable: bool = True
    has_default: bool = False
    identity: str | None = None  # ALWAYS / BY DEFAULT
    generated: bool = False
    updatable: bool = True  # for view columns: pg_column_is_updatable


@dataclass(slots=True)
class Relation:
    schema: str
    name: str
    kind: str  # table, view, materialized view, foreign table
    columns: list[Column] = field(default_factory=list)
    insertable: bool = False  # views: INSERT through the view works
    updatable: bool = False
    deletable: bool = False

    @property
    def key(self) -> Key:
        return (self.schema, self.name)


@dataclass(slots=True)
class Relationship:
    foreign_key_name: str
    schema: str
    relation: str
    columns: list[str]
    is_one_to_one: bool
    referenced_schema: str
    referenced_relation: str
    referenced_columns: list[str]


@dataclass(slots=True)
class Argument:
    name: str  # "" when unnamed
    mode: str  # in, out, inout, variadic, table
    type: TypeRef
    has_default: bool = False


@dataclass(slots=True)
class Function:
    schema: str
    name: str
    args: list[Argument]
    return_type: TypeRef
    returns_set: bool = False
    rows: int | None = None  # ROWS estimate of a set-returning function (1000 unless set)
    argument_types: str = ""  # pg_get_function_arguments()
    identity_argument_types: str = ""  # pg_get_function_identity_arguments()
    result: str = ""  # pg_get_function_result()
    definition: str = ""  # its body (prosrc), empty for internal functions


@dataclass(slots=True)
class PgType:
    """A type the generator can name: enums, composites and the row types of relations."""

    schema: str
    name: str
    enums: list[str] = field(default_factory=list)
    attributes: list[tuple[str, TypeRef]] = field(default_factory=list)
    relation: Key | None = None  # the table/view/composite whose row type this is
    partitioned: bool = False  # a partitioned table's row type


@dataclass(slots=True)
class Metadata:
    schemas: list[str]
    relations: list[Relation] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    types: list[PgType] = field(default_factory=list)  # of every schema, not only these
