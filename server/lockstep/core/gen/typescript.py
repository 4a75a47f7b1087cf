"""Supabase's `Database` type (postgres-meta's TypeScript template), from `Metadata`.

The rules follow the template of `@supabase/postgres-meta` 0.99 (its `typegen` package):
which objects appear, in which order (English collation by name), how PostgreSQL types map
to TypeScript, which keys are optional, and the layout its formatter gives the result.
The metadata's order, lookups and type mapping are in `resolve.py`.
"""

from __future__ import annotations

from lockstep.core.gen.collation import sort_key
from lockstep.core.gen.doc import HARDLINE, Doc, concat, render
from lockstep.core.gen.eras import LATEST, Era
from lockstep.core.gen.helpers import helper_types
from lockstep.core.gen.legacy import (
    legacy_computed_fields,
    legacy_functions,
    takes_row_of,
)
from lockstep.core.gen.meta import Function, Metadata, PgType, Relation
from lockstep.core.gen.overloads import IN_MODES, conflict
from lockstep.core.gen.resolve import Resolver
from lockstep.core.gen.tstypes import (
    NEVER,
    Array,
    Atom,
    Intersection,
    Member,
    Object,
    TsType,
    Tuple,
    literal,
    object_doc,
    string,
    union,
    value_array,
    value_object,
)

HEADER = """\
export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

"""
_EMPTY = Object([Member("[_ in never]", NEVER)], expanded=True)


class _Generator(Resolver):
    """The printers, section by section, over what `Resolver` knows of the metadata."""

    # -- functions -----------------------------------------------------------------------

    def _signature(self, schema: str, function: Function, overloads: list[Function]) -> Object:
        in_args = [a for a in function.args if a.mode in IN_MODES]
        args: TsType = Atom(self.era.empty_args)
        if in_args:
            args = Object([Member(a.name, self.arg_type(schema, a.type), a.has_default)
                           for a in in_args])
        table_name = self._return_table_name(function)
        error = conflict(schema, function, overloads)
        if error is None and (len(in_args) == 1 and not in_args[0].name
                              and self.listed_row(in_args[0].type)
                              and table_name is None):
            error = (f"the function {schema}.{function.name} with parameter or with a single "
                     "unnamed json/jsonb parameter, but no matches were found in the schema cache")
        returns: TsType = (self.return_type(schema, function) if error is None else
                           Intersection(Object([Member("error", Atom("true"))]),
                                        Atom(string(error))))
        many = function.rows is not None and function.rows > 1
        collapsible = not many and table_name is not None
        if function.returns_set and not collapsible:
            # the template appends `[]` to whatever it returns, an error intersection too
            returns = (Intersection(returns.left, Array(returns.right))
                       if isinstance(returns, Intersection) else Array(returns))
        members = [Member("Args", args), Member("Returns", returns)]
        setof = self._setof_options(function, table_name, many)
        if setof is not None:
            members.append(Member("SetofOptions", setof))
        return Object(members)

    def _setof_options(self, function: Function, table: str | None,
                       many: bool) -> Object | None:
        options: tuple[str, str, bool, bool] | None = None
        if table is not None:
            options = ("*", table, not many, function.returns_set)
        if len(function.args) == 1:
            row = self.listed_row(function.args[0].type)
            if row is not None and table is not None:
                source = _format_name(row)
                if function.returns_set:
                    options = (source, table, not many, True)
                else:
                    options = (source, table, True, False)
        if options is None:
            return None
        source, target, one, setof = options
        return Object([Member("from", literal(source)), Member("to", literal(target)),
                       Member("isOneToOne", Atom(_bool(one))),
                       Member("isSetofReturn", Atom(_bool(setof)))], expanded=True)

    def _computed_fields(self, schema: str, relation: Relation) -> list[Member]:
        if self.era.legacy_functions:
            return legacy_computed_fields(self, schema, relation)
        if not self.era.computed_by_row_arg:
            return [Member(f.name, self.nullable(self.return_type(schema, f), True))
                    for f in self.by_schema[schema].functions if takes_row_of(self, f, relation)]
        fields: list[Member] = []
        for function in self.by_schema[schema].functions:
            in_args = [a for a in function.args if a.mode in IN_MODES]
            if len(in_args) != 1:
                continue
            row = self._row_type(in_args[0].type.name, in_args[0].type.schema)
            if row is not None and row.relation == relation.key:
                fields.append(Member(function.name,
                                     self.nullable(self.return_type(schema, function), True)))
        return fields

    # -- the file ------------------------------------------------------------------------

    def _relationships(self, relation: Relation) -> TsType:
        items: list[TsType] = []
        ordered = self.relationships
        if relation.kind not in ("table", "foreign table") and self.era.views_by_key_name:
            ordered = sorted(self.meta.relationships, key=lambda r: sort_key(r.foreign_key_name))
        for rel in ordered:
            if (rel.schema, rel.relation) != relation.key or (
                    rel.referenced_schema != rel.schema
                    and not self.era.cross_schema_relationships):
                continue
            members = [Member("foreignKeyName", literal(rel.foreign_key_name)),
                       Member("columns", Tuple([literal(c) for c in rel.columns]))]
            if self.one_to_one:
                members.append(Member("isOneToOne", Atom(_bool(rel.is_one_to_one))))
            members += [Member("referencedRelation", literal(rel.referenced_relation)),
                        Member("referencedColumns",
                               Tuple([literal(c) for c in rel.referenced_columns]))]
            items.append(Object(members, expanded=True))
        return Tuple(items)

    def _table(self, schema: str, table: Relation) -> Object:
        row = [Member(c.name, self.column_type(schema, c, c.nullable)) for c in table.columns]
        insert: list[Member] = []
        update: list[Member] = []
        for column in table.columns:
            if column.identity == "ALWAYS" or (column.generated and self.era.generated_never):
                insert.append(Member(column.name, NEVER, True))
                update.append(Member(column.name, NEVER, True))
                continue
            optional = column.nullable or column.identity is not None or column.has_default
            insert.append(Member(column.name, self.column_type(schema, column, column.nullable),
                                 optional))
            update.append(Member(column.name, self.column_type(schema, column, column.nullable),
                                 True))
        return Object([
            Member("Row", Object(row + self._computed_fields(schema, table), expanded=True)),
            Member("Insert", Object(insert, expanded=True)),
            Member("Update", Object(update, expanded=True)),
            Member("Relationships", self._relationships(table)),
        ], expanded=True)

    def _view(self, schema: str, view: Relation) -> Object:
        row = [Member(c.name, self.column_type(schema, c, c.nullable)) for c in view.columns]
        computed = self._computed_fields(schema, view) if self.era.computed_on_views else []
        members = [Member("Row", Object(row + computed, expanded=True))]
        writable = [Member(c.name, self.column_type(schema, c, True) if c.updatable else NEVER,
                           True) for c in view.columns]
        inserts, updates = view.insertable, view.updatable
        if not self.era.split_view_writes:  # pg-meta's is_updatable: UPDATE and DELETE
            inserts = updates = view.updatable and view.deletable
        if inserts:
            members.append(Member("Insert", Object(writable, expanded=True)))
        if updates:
            members.append(Member("Update", Object(list(writable), expanded=True)))
        members.append(Member("Relationships", self._relationships(view)))
        return Object(members, expanded=True)

    def _functions(self, schema: str) -> TsType:
        entries = self.by_schema[schema].functions
        if not entries:
            return _EMPTY
        if self.era.legacy_functions:
            return legacy_functions(self, schema, entries)
        groups: dict[str, list[Function]] = {}
        for function in entries:
            groups.setdefault(function.name, []).append(function)
        members: list[Member] = []
        for name, overloads in groups.items():
            if self.era.overloads_by_body:
                overloads.sort(key=lambda f: sort_key(f.definition), reverse=True)
            else:
                overloads.sort(key=lambda f: (sort_key(f.argument_types), sort_key(f.result)))
            members.append(Member(name, union(*(self._signature(schema, f, overloads)
                                                for f in overloads))))
        return Object(members, expanded=True)

    def _schema(self, schema: str) -> Object:
        objects = self.by_schema[schema]
        tables = Object([Member(t.name, self._table(schema, t)) for t in objects.tables],
                        expanded=True) if objects.tables else _EMPTY
        views = Object([Member(v.name, self._view(schema, v)) for v in objects.views],
                       expanded=True) if objects.views else _EMPTY
        enums = Object([Member(e.name, union(*(literal(v) for v in e.enums)))
                        for e in objects.enums], expanded=True) if objects.enums else _EMPTY
        composites = Object([
            Member(c.name, Object([Member(n, self.nullable(self.ts_type(schema, t.name, t.schema),
                                                           True)) for n, t in c.attributes],
                                  expanded=True))
            for c in objects.composites], expanded=True) if objects.composites else _EMPTY
        return Object([Member("Tables", tables), Member("Views", views),
                       Member("Functions", self._functions(schema)), Member("Enums", enums),
                       Member("CompositeTypes", composites)], expanded=True)

    def database(self, postgrest_version: str | None) -> Doc:
        members = [Member(s, self._schema(s)) for s in self.schemas]
        if postgrest_version:  # what the Management API (`--linked`) adds
            members.insert(0, Member("__InternalSupabase", Object(
                [Member("PostgrestVersion", literal(postgrest_version))], expanded=True),
                comments=_INTERNAL_COMMENT))
        return concat("export type Database = ", object_doc(Object(members, expanded=True)))

    def constants(self) -> Doc:
        entries: list[tuple[str, Doc]] = []
        for schema in self.schemas:
            enums = [(e.name, value_array([string(v) for v in e.enums]))
                     for e in self.by_schema[schema].enums]
            entries.append((schema, value_object([("Enums", value_object(enums))])))
        return concat("export const Constants = ", value_object(entries), " as const")


def _format_name(row: PgType) -> str:
    """format_type() of a row type: bare when visible on the search path."""
    return row.name if row.schema in ("public", "pg_catalog") else f"{row.schema}.{row.name}"


def _bool(value: bool) -> str:
    return "true" if value else "false"


_INTERNAL_COMMENT = (
    "// Allows to automatically instantiate createClient with right options",
    "// instead of createClient<Database, { PostgrestVersion: 'XX' }>(URL, KEY)",
)


def generate_typescript(meta: Metadata, detect_one_to_one: bool = True,
                        postgrest_version: str | None = None, era: Era = LATEST) -> str:
    """The file `supabase gen types typescript` writes (its stdout, final newline included).

    `postgrest_version` adds the `__InternalSupabase` block that types generated through the
    Management API (`--linked`, `--project-id`) carry."""
    generator = _Generator(meta, detect_one_to_one, era)
    body = render(concat(generator.database(postgrest_version), HARDLINE))
    helpers = helper_types(era=era.helpers)
    if not era.constants:
        return HEADER + body + "\n" + helpers
    constants = render(concat(generator.constants(), HARDLINE))
    return HEADER + body + "\n" + helpers + constants + "\n"


__all__ = ["generate_typescript"]
