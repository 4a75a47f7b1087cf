"""The replayed schema as the generator's `Metadata`: what postgres-meta's introspection
queries would read from a database the migrations ran on."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lockstep.core.gen.collation import sort_key
from lockstep.core.gen.meta import (
    Argument,
    Column,
    Function,
    Metadata,
    PgType,
    Relation,
    Relationship,
    TypeRef,
)
from lockstep.core.gen.platform import platform_signatures
from lockstep.core.model import Schema, Signature, Table, View
from lockstep.core.replay.external import UNKNOWN

_BUILTINS = {
    "integer": "int4", "bigint": "int8", "smallint": "int2", "real": "float4",
    "double precision": "float8", "boolean": "bool", "character varying": "varchar",
    "character": "bpchar", "bit varying": "varbit", '"char"': "char",
    "timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
    "time with time zone": "timetz", "time without time zone": "time",
}
_MODIFIERS = re.compile(r"\([^)]*\)")
_TRIGGER_RESULTS = {"trigger", "event_trigger"}


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


class _Types:
    """format_type() spellings → pg_type names, resolving user types on the search path."""

    def __init__(self, schema: Schema, search_path: Iterable[str] = ("public",)) -> None:
        self.schema = schema
        self.search_path = tuple(search_path)

    def _user(self, text: str) -> tuple[str, str] | None:
        parts = [_unquote(p) for p in re.findall(r'"(?:[^"]|"")*"|[^.]+', text)]
        name = parts[-1]
        schemas = [parts[-2]] if len(parts) > 1 else list(self.search_path)
        for candidate in schemas:
            key = (candidate, name)
            s = self.schema
            if (key in s.enums or key in s.domains or key in s.composites or key in s.tables
                    or key in s.views):
                return key
        return (parts[-2], name) if len(parts) > 1 else None

    def ref(self, text: str, resolve_domains: bool) -> tuple[TypeRef, bool]:
        """(the type, whether a NOT NULL domain makes it non-nullable)."""
        if text.endswith("[]"):
            element, _ = self.ref(text[:-2], resolve_domains=False)
            return TypeRef("_" + element.name, element.schema), False
        plain = _MODIFIERS.sub("", text).replace("  ", " ").strip()
        if plain.startswith("interval"):
            plain = "interval"
        if plain in _BUILTINS:
            return TypeRef(_BUILTINS[plain]), False
        user = self._user(plain)
        if user is None:
            return TypeRef(_unquote(plain.rsplit(".", 1)[-1])), False
        domain = self.schema.domains.get(user)
        if domain is not None and resolve_domains:
            base, _ = self.ref(domain.base, resolve_domains=True)
            return base, domain.not_null
        return TypeRef(user[1], user[0]), False


def _attnum_order(table: Table, columns: list[str]) -> list[str]:
    order = list(table.columns)
    return sorted(columns, key=lambda c: order.index(c) if c in order else len(order))


def _table_relation(table: Table, types: _Types) -> Relation:
    relation = Relation(table.schema, table.name, "table")
    for column in table.columns.values():
        ref, not_null = types.ref(column.type, resolve_domains=True)
        relation.columns.append(Column(
            column.name, ref, nullable=column.nullable and not not_null,
            has_default=column.default is not None or column.generated is not None,
            identity=column.identity, generated=column.generated is not None))
    return relation


def _view_relation(view: View, types: _Types) -> Relation:
    kind = "materialized view" if view.materialized else "view"
    relation = Relation(view.schema, view.name, kind)
    # INSTEAD OF INSERT/UPDATE triggers make every column writable (they rewrite whole rows)
    triggered = bool(view.instead_of & {"INSERT", "UPDATE"})
    for column in view.columns:
        ref, not_null = types.ref(column.type, resolve_domains=True)
        if column.type == "unknown":
            ref = TypeRef("unknown")
        updatable = triggered or (view.auto_updatable and bool(column.origin))
        relation.columns.append(Column(column.name, ref, nullable=not not_null,
                                       updatable=updatable))
    auto = view.auto_updatable and any(c.origin for c in view.columns)
    relation.insertable = auto or "INSERT" in view.instead_of
    relation.updatable = auto or "UPDATE" in view.instead_of
    relation.deletable = auto or "DELETE" in view.instead_of
    return relation


def _table_relationships(schema: Schema, included: set[str]) -> list[Relationship]:
    found: list[Relationship] = []
    for table in schema.tables.values():
        if table.schema not in included or table.external == UNKNOWN:
            continue
        keys = [_attnum_order(table, c.columns) for c in table.constraints
                if c.kind in ("primary", "unique")]
        for fk in table.foreign_keys:
            found.append(Relationship(
                fk.name or "", table.schema, table.name, list(fk.columns),
                list(fk.columns) in keys, fk.ref_schema, fk.ref_table, list(fk.ref_columns)))
    return found


def _view_relationships(schema: Schema, included: set[str],
                        tables: list[Relationship]) -> list[Relationship]:
    """PostgREST's relationships through views: a view that exposes all the columns of a
    foreign key (or of the key it references) inherits the relationship. Views of every
    schema: a table's key to a view elsewhere is listed by the generators that show keys to
    other schemas (eras.py)."""
    views = sorted(schema.views.values(), key=lambda v: (sort_key(v.schema), sort_key(v.name)))

    def exposing(table: tuple[str, str], columns: list[str]) -> list[tuple[View, list[list[str]]]]:
        result = []
        for view in views:
            per_column = [[c.name for c in view.columns if c.origin == (*table, column)]
                          for column in columns]
            if all(per_column):
                result.append((view, per_column))
        return result

    def product(lists: list[list[str]]) -> list[list[str]]:
        combinations: list[list[str]] = [[]]
        for entries in lists:
            combinations = [[*c, e] for c in combinations for e in entries]
        return combinations

    found: list[Relationship] = []
    for r in tables:
        sources = exposing((r.schema, r.relation), r.columns)
        targets = exposing((r.referenced_schema, r.referenced_relation), r.referenced_columns)
        for view, cols in sources:
            found += [Relationship(r.foreign_key_name, view.schema, view.name, c, r.is_one_to_one,
                                   r.referenced_schema, r.referenced_relation,
                                   r.referenced_columns) for c in product(cols)]
        for view, cols in targets:
            found += [Relationship(r.foreign_key_name, r.schema, r.relation, r.columns,
                                   r.is_one_to_one, view.schema, view.name, c)
                      for c in product(cols)]
        for source, source_cols in sources:
            for columns in product(source_cols):
                for target, target_cols in targets:
                    found += [Relationship(r.foreign_key_name, source.schema, source.name,
                                           columns, r.is_one_to_one, target.schema,
                                           target.name, c) for c in product(target_cols)]
    return found


def _function(signature: Signature, types: _Types) -> Function:
    args = [Argument(p.name, p.mode, types.ref(p.type, resolve_domains=False)[0],
                     p.has_default) for p in signature.parameters]
    returns, _ = types.ref(signature.returns, resolve_domains=False)
    shown = [f"{p.mode.upper() + ' ' if p.mode not in ('in', 'table') else ''}"
             f"{(p.name + ' ') if p.name else ''}{p.type}" for p in signature.parameters
             if p.mode != "table"]
    identity = ", ".join(p.type for p in signature.parameters
                         if p.mode in ("in", "inout", "variadic"))
    return Function(signature.schema, signature.name, args, returns, signature.returns_set,
                    signature.rows if signature.returns_set else None, ", ".join(shown),
                    identity, ("SETOF " if signature.returns_set else "") + signature.returns,
                    "" if signature.language == "internal" else signature.body)


def metadata(schema: Schema, schemas: list[str]) -> Metadata:
    included = set(schemas)
    types = _Types(schema)
    platform = platform_signatures(schema, schemas)
    existing = schemas_with_objects(schema) | {s.schema for s in platform}
    meta = Metadata([s for s in schemas if s in existing])
    for table in schema.tables.values():
        if table.external == UNKNOWN:
            continue  # touched but never created, shape unknown (replay/external.py)
        meta.types.append(PgType(table.schema, table.name, relation=(table.schema, table.name),
                                 partitioned=table.partitioned))
        if table.schema in included:
            meta.relations.append(_table_relation(table, types))
    for view in schema.views.values():
        meta.types.append(PgType(view.schema, view.name, relation=(view.schema, view.name)))
        if view.schema in included:
            meta.relations.append(_view_relation(view, types))
    for enum in schema.enums.values():
        meta.types.append(PgType(enum.schema, enum.name, enums=list(enum.values)))
    for composite in schema.composites.values():
        attributes = [(n, types.ref(t, resolve_domains=False)[0]) for n, t in composite.attributes]
        meta.types.append(PgType(composite.schema, composite.name, attributes=attributes,
                                 relation=(composite.schema, composite.name)))
    tables = _table_relationships(schema, included)
    meta.relationships = tables + _view_relationships(schema, included, tables)
    meta.functions = [_function(s, types) for s in [*schema.signatures.values(), *platform]
                      if s.schema in included and s.returns not in _TRIGGER_RESULTS]
    return meta


def schemas_with_objects(schema: Schema) -> set[str]:
    """Schemas that exist after the migrations (public always does; an empty schema a
    migration creates is not tracked by the replay)."""
    found = set(schema.schemas)
    for collection in (schema.tables, schema.views, schema.enums, schema.domains,
                       schema.composites):
        found.update(s for s, _ in collection)
    found.update(s for s, _, _ in schema.signatures)
    return found
