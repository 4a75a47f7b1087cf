"""What the generator knows before it prints: the metadata sorted and grouped by schema (in
the template's order), PostgreSQL types mapped to TypeScript, and which functions PostgREST
can call and what they return.

Apart from the printers (`typescript.py` and `legacy.py`), which lay these answers out section
by section.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from lockstep.core.gen.collation import sort_key
from lockstep.core.gen.eras import LATEST, Era
from lockstep.core.gen.legacy import legacy_callable
from lockstep.core.gen.meta import Column as MetaColumn
from lockstep.core.gen.meta import Function, Key, Metadata, PgType, Relation, TypeRef
from lockstep.core.gen.overloads import IN_MODES
from lockstep.core.gen.tstypes import (
    UNKNOWN,
    Array,
    Atom,
    Member,
    Object,
    TsType,
    literal,
    string,
    union,
)

_NUMBERS = {"int2", "int4", "int8", "float4", "float8", "numeric"}
_STRINGS = {"bytea", "bpchar", "varchar", "date", "text", "citext", "time", "timetz",
            "timestamp", "timestamptz", "uuid", "vector", "interval"}
_UNNAMED_OK = {"json", "jsonb", "text"}  # PostgREST calls a single unnamed arg of these


@dataclass(slots=True)
class _SchemaObjects:
    tables: list[Relation] = field(default_factory=list)
    views: list[Relation] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    enums: list[PgType] = field(default_factory=list)
    composites: list[PgType] = field(default_factory=list)


def _by_name(name: str) -> tuple[object, ...]:
    return sort_key(name)


class Resolver:
    """The metadata as the template reads it: ordered, grouped by schema, looked up by name."""

    def __init__(self, meta: Metadata, one_to_one: bool, era: Era = LATEST) -> None:
        self.meta = meta
        self.one_to_one = one_to_one
        self.era = era
        self.schemas = sorted(meta.schemas, key=_by_name)
        self.relations = {r.key: r for r in meta.relations if r.schema in self.schemas}
        for relation in self.relations.values():
            relation.columns.sort(key=lambda c: sort_key(c.name))
        self.types = sorted(meta.types, key=lambda t: (sort_key(t.schema), sort_key(t.name)))
        self.row_types = {(t.schema, t.name): t for t in self.types if t.relation}
        self.enums_named: dict[str, list[PgType]] = {}
        self.composites_named: dict[str, list[PgType]] = {}
        for pg_type in self.types:
            if pg_type.enums:
                self.enums_named.setdefault(pg_type.name, []).append(pg_type)
            if pg_type.attributes:
                self.composites_named.setdefault(pg_type.name, []).append(pg_type)
        self.by_schema = {s: _SchemaObjects() for s in self.schemas}
        for relation in sorted(self.relations.values(),
                               key=lambda r: (sort_key(r.schema), sort_key(r.name))):
            objects = self.by_schema[relation.schema]
            (objects.tables if relation.kind in ("table", "foreign table")
             else objects.views).append(relation)
        for pg_type in self.types:
            if pg_type.schema in self.by_schema:
                if pg_type.enums:
                    self.by_schema[pg_type.schema].enums.append(pg_type)
                if pg_type.attributes:
                    self.by_schema[pg_type.schema].composites.append(pg_type)
        self.relationships = sorted(
            meta.relationships,
            key=lambda r: (sort_key(r.foreign_key_name), sort_key(r.referenced_relation),
                           sort_key(_json_list(r.referenced_columns))))
        # the catalog's order (creation) decides between overloads in 0.86.3–0.94.0
        in_catalog = era.merged_overloads or era.overloads_by_body
        functions = sorted(meta.functions, key=lambda f: (
            sort_key(f.schema), sort_key(f.name),
            () if in_catalog else sort_key(f.identity_argument_types)))
        for function in functions:
            if era.returns_by_name:  # until 0.91.3 (0.91.4: RETURNS TABLE columns): as declared
                function.args.sort(key=lambda a: sort_key(a.name))
            elif era.args_by_name:
                function.args.sort(key=lambda a: (a.mode == "table",
                                                  () if a.mode == "table" else sort_key(a.name)))
            if function.schema in self.by_schema and (
                    legacy_callable(function) if era.legacy_functions else
                    self._callable(function)):
                self.by_schema[function.schema].functions.append(function)

    # -- types ---------------------------------------------------------------------------

    def ts_type(self, schema: str, name: str, type_schema: str | None) -> TsType:
        if name == "bool":
            return Atom("boolean")
        if name in _NUMBERS:
            return Atom("number")
        if name in _STRINGS and (name != "interval" or self.era.interval_is_string):
            return Atom("string")
        if name in ("json", "jsonb"):
            return Atom("Json")
        if name == "void":
            return Atom("undefined")
        if name == "record":
            return Atom("Record<string, unknown>")
        if name.startswith("_"):
            return Array(self.ts_type(schema, name[1:], type_schema))
        preferred = type_schema or schema
        enums = self.enums_named.get(name, [])
        if enums:
            enum = next((t for t in enums if t.schema == preferred), enums[0])
            if enum.schema in self.by_schema:
                return Atom(f'Database[{string(enum.schema)}]["Enums"][{string(enum.name)}]')
            return union(*(literal(v) for v in enum.enums))
        composites = self.composites_named.get(name, [])
        if composites:
            composite = next((t for t in composites if t.schema == preferred), composites[0])
            if composite.schema in self.by_schema:
                return Atom(f'Database[{string(composite.schema)}]["CompositeTypes"]'
                            f"[{string(composite.name)}]")
            return UNKNOWN
        return self._relation_type(name, preferred)

    def _relation_type(self, name: str, preferred: str) -> TsType:
        kinds = (("Tables", "table"), ("Tables", "foreign table"), ("Views", "view"),
                 ("Views", "materialized view"))
        candidates = sorted((r for r in self.relations.values() if r.name == name),
                            key=lambda r: (sort_key(r.schema), sort_key(r.name)))
        for wanted_schema in (preferred, None):
            for label, kind in kinds:
                for relation in candidates:
                    if relation.kind == kind and wanted_schema in (None, relation.schema):
                        if relation.schema not in self.by_schema:
                            return UNKNOWN
                        return Atom(f'Database[{string(relation.schema)}]["{label}"]'
                                    f'[{string(relation.name)}]["Row"]')
        return UNKNOWN

    def column_type(self, schema: str, column: MetaColumn, nullable: bool) -> TsType:
        return self.nullable(self.ts_type(schema, column.type.name, column.type.schema), nullable)

    def nullable(self, ts_type: TsType, nullable: bool) -> TsType:
        if ts_type == Atom("Json") and not nullable and self.era.non_nullable_json:
            return Atom("NonNullable<Json>")
        if not nullable or (ts_type in (UNKNOWN, Atom("any")) and not self.era.nullable_unknown):
            return ts_type
        return union(ts_type, Atom("null"))

    # -- functions -----------------------------------------------------------------------

    def _row_type(self, ref_name: str, ref_schema: str) -> PgType | None:
        return self.row_types.get((ref_schema, ref_name))

    def listed_row(self, ref: TypeRef) -> PgType | None:
        """The row type an argument names, if the era's type list has it: a partitioned
        table's only from 0.93.1 (the template looks arguments up there)."""
        row = self.row_types.get((ref.schema, ref.name))
        if row is not None and row.partitioned and not self.era.partitioned_row_types:
            return None
        return row

    def arg_type(self, schema: str, ref: TypeRef) -> TsType:
        hidden = (ref.schema, ref.name) in self.row_types and self.listed_row(ref) is None
        return UNKNOWN if hidden else self.ts_type(schema, ref.name, ref.schema)

    def _callable(self, function: Function) -> bool:
        """Which functions PostgREST can call, as the template decides."""
        in_args = [a for a in function.args if a.mode in IN_MODES]
        if not in_args or all(a.name for a in in_args):
            return True
        if all(a.name or (a.has_default and _plain(a.type, _UNNAMED_OK)) for a in in_args):
            return True
        if len(in_args) == 1 and not in_args[0].name:
            only = in_args[0].type
            return _plain(only, _UNNAMED_OK) or self.listed_row(only) is not None
        return False

    def _return_table_name(self, function: Function) -> str | None:
        row = self._row_type(function.return_type.name, function.return_type.schema)
        if row is None or row.relation is None:
            return None
        relation = self.meta_relation(row.relation)
        return relation.name if relation is not None else row.name

    def meta_relation(self, key: Key) -> Relation | None:
        return self.relations.get(key)

    def return_type(self, schema: str, function: Function) -> TsType:
        table_args = [a for a in function.args if a.mode == "table"]
        if table_args:
            return Object([Member(a.name, self.ts_type(schema, a.type.name, a.type.schema))
                           for a in table_args], expanded=True)
        row = self._row_type(function.return_type.name, function.return_type.schema)
        relation = self.relations.get(row.relation) if row and row.relation else None
        if relation is not None and relation.schema == schema:
            return Object([Member(c.name, self.column_type(schema, c, c.nullable))
                           for c in relation.columns], expanded=True)
        return self.ts_type(schema, function.return_type.name, function.return_type.schema)


def _plain(ref: object, names: Iterable[str]) -> bool:
    name = getattr(ref, "name", "")
    return getattr(ref, "schema", "") == "pg_catalog" and name in set(names)


def _json_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))
