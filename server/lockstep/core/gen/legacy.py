"""Functions and computed fields as the 0.83–0.91 generators printed them.

Their template differs from today's in kind, not in details: a function is callable when its
input arguments are all named or there is exactly one; `Args` lists the `in` arguments;
there are no `SetofOptions` nor overload errors. Before 0.86 a table's row type was missing
from the type list they read (`unknown` wherever one is named directly); until 0.88.0
overloads were ordered by the text the template writes for them and every object was written
expanded; from 0.88.1 (`Era.merged_overloads`) a name has one entry whose `Args` is the union
of its overloads' (written inline, the union ordered by that text) and whose `Returns` is the
first overload's, in the catalog's order. Arguments are sorted by name from 0.91.4, the
columns of RETURNS TABLE from 0.91.5.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lockstep.core.gen.meta import Function, Relation, TypeRef
from lockstep.core.gen.overloads import IN_MODES
from lockstep.core.gen.tstypes import (
    UNKNOWN,
    Array,
    Atom,
    Member,
    Object,
    TsType,
    Tuple,
    Union_,
    union,
)

if TYPE_CHECKING:
    from lockstep.core.gen.typescript import _Generator


def legacy_callable(function: Function) -> bool:
    in_args = [a for a in function.args if a.mode in IN_MODES]
    return all(a.name for a in in_args) or len(in_args) == 1


def takes_row_of(gen: _Generator, function: Function, relation: Relation) -> bool:
    """pg_get_function_arguments() is the relation's bare name: one unnamed `in` argument of
    its row type, visible on the search path (the 0.83–0.96 computed-field test)."""
    shown = [a for a in function.args if a.mode != "table"]
    if len(shown) != 1 or shown[0].name or shown[0].mode != "in" or shown[0].has_default:
        return False
    ref = shown[0].type
    row = gen.row_types.get((ref.schema, ref.name))
    return (row is not None and ref.name == relation.name
            and ref.schema in ("public", "pg_catalog"))


def _type(gen: _Generator, schema: str, ref: TypeRef) -> TsType:
    row = gen.row_types.get((ref.schema, ref.name))
    if row is not None and not row.attributes and not gen.era.row_types_listed:
        return UNKNOWN  # a relation's row type: not in the type list these versions read
    return gen.arg_type(schema, ref)


def legacy_computed_fields(gen: _Generator, schema: str, relation: Relation) -> list[Member]:
    if relation.kind not in ("table", "foreign table"):
        return []
    return [Member(f.name, gen.nullable(_type(gen, schema, f.return_type), True))
            for f in gen.by_schema[schema].functions if takes_row_of(gen, f, relation)]


def _returns(gen: _Generator, schema: str, function: Function) -> TsType:
    table_args = [a for a in function.args if a.mode == "table"]
    if table_args:
        return Object([Member(a.name, _type(gen, schema, a.type)) for a in table_args],
                      expanded=True)
    ref = function.return_type
    row = gen.row_types.get((ref.schema, ref.name))
    relation = gen.relations.get(row.relation) if row and row.relation else None
    if relation is not None and relation.kind in ("table", "view"):
        return Object([Member(c.name, gen.column_type(schema, c, c.nullable))
                       for c in relation.columns], expanded=True)
    return _type(gen, schema, ref)


def _raw(node: TsType) -> str:
    """The text the template writes before Prettier: what it sorts overloads by."""
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, Array):
        return f"({_raw(node.element)})[]"
    if isinstance(node, Union_):
        return " | ".join(_raw(m) for m in node.members)
    if isinstance(node, Object):
        return "{\n" + ",".join(f"{json.dumps(m.key)}{'?' if m.optional else ''}: {_raw(m.type)}"
                                for m in node.members) + "\n}"
    if isinstance(node, Tuple):
        return "[" + ",".join(_raw(e) for e in node.elements) + "]"
    return f"{_raw(node.left)} & {_raw(node.right)}"


def _signature(gen: _Generator, schema: str, function: Function) -> tuple[str, Object]:
    in_args = [a for a in function.args if a.mode == "in"]
    args: TsType = Atom("Record<PropertyKey, never>")
    if in_args:
        args = Object([Member(a.name, _type(gen, schema, a.type), a.has_default)
                       for a in in_args], expanded=True)
    returns = _returns(gen, schema, function)
    setof = "[]" if function.returns_set else ""
    raw = f"{{\nArgs: {_raw(args)}\nReturns: ({_raw(returns)}){setof}\n}}"
    if function.returns_set:
        returns = Array(returns)
    return raw, Object([Member("Args", args), Member("Returns", returns)], expanded=True)


def _inline_args(gen: _Generator, schema: str, function: Function) -> tuple[str, TsType]:
    """One overload's `Args` (0.86.3–0.91) and the text the template writes for it, with
    the single quotes its type names had then."""
    in_args = [a for a in function.args if a.mode == "in"]
    if not in_args:
        return "Record<PropertyKey, never>", Atom("Record<PropertyKey, never>")
    members = [Member(a.name, _type(gen, schema, a.type), a.has_default) for a in in_args]
    raw = ",".join(f"{json.dumps(m.key, ensure_ascii=False)}{'?' if m.optional else ''}: "
                   f"{_raw(m.type)}" for m in members)
    for part in ("Enums", "CompositeTypes", "Tables", "Views", "Row"):
        raw = raw.replace(f'["{part}"]', f"['{part}']")
    return f"{{ {raw} }}", Object(members)


def _merged(gen: _Generator, schema: str, overloads: list[Function]) -> Object:
    args = sorted((_inline_args(gen, schema, f) for f in overloads),
                  key=lambda a: a[0].encode("utf-16-be"))  # JavaScript's default sort
    first = overloads[0]
    returns = _returns(gen, schema, first)
    return Object([Member("Args", union(*(a for _, a in args))),
                   Member("Returns", Array(returns) if first.returns_set else returns)],
                  expanded=True)


def legacy_functions(gen: _Generator, schema: str, entries: list[Function]) -> Object:
    if gen.era.merged_overloads:
        named: dict[str, list[Function]] = {}
        for function in entries:
            named.setdefault(function.name, []).append(function)
        return Object([Member(n, _merged(gen, schema, fs)) for n, fs in named.items()],
                      expanded=True)
    groups: dict[str, list[tuple[str, Object]]] = {}
    for function in entries:
        groups.setdefault(function.name, []).append(_signature(gen, schema, function))
    members = []
    for name, signatures in groups.items():
        signatures.sort(key=lambda s: s[0].encode("utf-16-be"))  # JavaScript's default sort
        members.append(Member(name, union(*(s for _, s in signatures))))
    return Object(members, expanded=True)


__all__ = ["legacy_callable", "legacy_computed_fields", "legacy_functions", "takes_row_of"]
