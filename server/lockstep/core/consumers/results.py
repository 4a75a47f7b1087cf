"""The type a consumer gives a select's result, as far as its own file tells.

supabase-js infers a select's row type from the select string only with a typed client; code
often names the type instead: `.returns<T[]>()`, `.overrideTypes<T>()`, `.single<T>()`,
`data as T[]`, `const { data }: { data: T[] | null } = await …`, `const rows: T[] = data ??
[]`. The compiler then believes `T` whatever the select fetches. This module reads which type
that is: the fields the file declares for it (and the types of those fields, for embeds), the
generated Rows it names (`Tables<'x'>`, `Pick`/`Omit` of one), and the workspace modules it
imports parts from (resolved later against the type index). A type the file cannot resolve (a
union, a generic, a package's type) is None: nothing is claimed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tree_sitter import Node

from lockstep.core.consumers.scope import ancestor, binding, type_binding
from lockstep.core.text import Range
from lockstep.core.ts.database import generated_row_of
from lockstep.core.ts.parse import (
    ParsedFile,
    TypeField,
    first_child,
    module_target,
    parse_fields,
    string_literal,
)

_TYPED_CALLS = frozenset(("returns", "overrideTypes", "single", "maybeSingle"))
_NOT_ROWS = frozenset(("csv", "explain", "geojson"))
_RESPONSES = frozenset(
    ("PostgrestResponse", "PostgrestSingleResponse", "PostgrestMaybeSingleResponse")
)
_THROUGH = frozenset(("parenthesized_expression", "non_null_expression", "await_expression"))
_MAX_DEPTH = 6
_TYPED_USES = """
[(as_expression) @use (variable_declarator type: (type_annotation) value: (_)) @use]
"""
Row = tuple[str, tuple[str, ...]]  # a generated Row's table, and the columns `Omit` drops
_NESTED = 3  # embeds inside embeds inside the rows


@dataclass(frozen=True, slots=True)
class ResultType:
    """A type given to a select's rows: its parts that the file resolves."""

    text: str  # as written: `Profile[]`
    range: Range  # where it is written
    how: str  # `.returns<…>()`, `as`, `annotation`
    fields: tuple[TypeField, ...] = ()  # declared in this file
    rows: tuple[Row, ...] = ()  # generated Rows: `Omit<Tables<'x'>, 'y'>` → ("x", ("y",))
    imports: tuple[tuple[str, str], ...] = ()  # (workspace module without extension, name)
    nested: tuple[tuple[str, ResultType], ...] = ()  # a field's type the file resolves
    keys: tuple[str, ...] = ()  # required keys of a Row: `Pick<Tables<'x'>, 'a' | 'b'>`


@dataclass(slots=True)
class _Parts:
    fields: list[TypeField]
    rows: list[Row]
    imports: list[tuple[str, str]]
    nested: list[tuple[str, ResultType]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def add(self, other: _Parts) -> None:
        self.fields += other.fields
        self.rows += other.rows
        self.imports += other.imports
        self.nested += other.nested
        self.keys += other.keys


def _element(node: Node) -> Node | None:
    """`T[] | null`, `Array<T>`, `(T)`, `readonly T[]` → `T`; a union of two types → None."""
    for _ in range(_MAX_DEPTH):
        if node.type in ("parenthesized_type", "readonly_type") and node.named_children:
            node = node.named_children[0]
        elif node.type == "union_type":
            kept = [c for c in node.named_children if not _null_or_undefined(c)]
            if len(kept) != 1:
                return None
            node = kept[0]
        elif node.type == "array_type" and node.named_children:
            node = node.named_children[0]
        elif node.type == "generic_type" and _generic_name(node) in ("Array", "ReadonlyArray"):
            arguments = node.child_by_field_name("type_arguments")
            if arguments is None or not arguments.named_children:
                return None
            node = arguments.named_children[0]
        else:
            return node
    return None


def _null_or_undefined(node: Node) -> bool:
    inner = node.named_children[0] if node.named_children else node
    return node.type == "literal_type" and inner.type in ("null", "undefined")


def _generic_name(node: Node) -> str:
    name = node.child_by_field_name("name")
    return name.text.decode() if name is not None and name.text is not None else ""


def _parts(parsed: ParsedFile, node: Node, depth: int = 0) -> _Parts | None:
    """What the file resolves of a row type; parts it cannot resolve add nothing (a field the
    resolved parts declare is declared whatever the rest says), all unresolved → None."""
    element = _element(node) if depth < _MAX_DEPTH else None
    if element is None:
        return None
    if element.type == "object_type":
        return _body(parsed, element, depth)
    if element.type == "intersection_type":
        found = [_parts(parsed, part, depth + 1) for part in element.named_children]
        return _merged(found)
    if element.type == "generic_type" and _generic_name(element) in ("Pick", "Omit"):
        return _picked(parsed, element, depth)
    if element.type in ("generic_type", "lookup_type"):
        row = generated_row_of(parsed, element)
        return _Parts([], [(row, ())], []) if row is not None else None
    if element.type == "type_identifier":
        return _named(parsed, element, depth)
    return None


def _picked(parsed: ParsedFile, node: Node, depth: int) -> _Parts | None:
    """`Pick<T, 'a' | 'b'>` / `Omit<T, 'c'>` of a type the file declares whole or of one
    generated Row; anything else (an import, a mix, keys that are not literals) → None."""
    arguments = node.child_by_field_name("type_arguments")
    if arguments is None or len(arguments.named_children) != 2:
        return None
    inner = _parts(parsed, arguments.named_children[0], depth + 1)
    key_type = arguments.named_children[1]
    members = key_type.named_children if key_type.type == "union_type" else [key_type]
    literals = [string_literal(parsed, first_child(m, "string")) for m in members
                if m.type == "literal_type"]
    if inner is None or inner.imports or inner.keys or len(literals) != len(members):
        return None
    names = {literal.value for literal in literals if literal is not None}
    if len(names) != len(members):
        return None
    pick = _generic_name(node) == "Pick"
    if not inner.rows:
        fields = [f for f in inner.fields if (f.name in names) == pick]
        nested = [(name, t) for name, t in inner.nested if (name in names) == pick]
        return _Parts(fields, [], [], nested)
    if inner.fields or len(inner.rows) != 1:
        return None
    table, omitted = inner.rows[0]
    if pick:
        return _Parts([], [], [], [], sorted(names - set(omitted)))
    return _Parts([], [(table, tuple(sorted({*omitted, *names})))], [])


def _merged(found: Sequence[_Parts | None]) -> _Parts | None:
    known = [part for part in found if part is not None]
    if not known:
        return None
    out = _Parts([], [], [])
    for part in known:
        out.add(part)
    return out


def _named(parsed: ParsedFile, node: Node, depth: int) -> _Parts | None:
    name = parsed.text_of(node)
    bound = type_binding(parsed, name)
    if bound is None:
        return None
    if bound.type == "interface_declaration":
        if bound.child_by_field_name("type_parameters") is not None:
            return None
        body = bound.child_by_field_name("body")
        own = _body(parsed, body, depth) if body is not None else _Parts([], [], [])
        clause = first_child(bound, "extends_type_clause")
        parents = [_parts(parsed, c, depth + 1) for c in clause.named_children] if clause else []
        return _merged([own, *parents])
    if bound.type == "type_alias_declaration":
        value = bound.child_by_field_name("value")
        if value is None or bound.child_by_field_name("type_parameters") is not None:
            return None
        return _parts(parsed, value, depth + 1)
    if bound.type == "identifier" and bound.parent is not None and \
            bound.parent.type == "import_specifier":
        statement = ancestor(bound, "import_statement")
        source = string_literal(parsed, statement.child_by_field_name("source")) \
            if statement is not None else None
        target = module_target(parsed.path, source.value) if source is not None else None
        original = bound.parent.child_by_field_name("name")
        if target is None or original is None:
            return None
        return _Parts([], [], [(target, parsed.text_of(original))])
    return None


def _body(parsed: ParsedFile, body: Node, depth: int) -> _Parts:
    """An object type's fields, and the types of those the file resolves (an embed's rows)."""
    nested: list[tuple[str, ResultType]] = []
    for child in body.named_children if depth < _NESTED else ():
        name = child.child_by_field_name("name") if child.type == "property_signature" else None
        annotation = child.child_by_field_name("type") if name is not None else None
        if name is None or annotation is None or not annotation.named_children:
            continue
        found = _result(parsed, annotation.named_children[0], "field", depth + 1)
        quoted = string_literal(parsed, name)
        if found is not None:
            nested.append((quoted.value if quoted else parsed.text_of(name), found))
    return _Parts(list(parse_fields(parsed, body)), [], [], nested)


def _result(parsed: ParsedFile, node: Node | None, how: str, depth: int = 0) -> ResultType | None:
    found = _parts(parsed, node, depth) if node is not None else None
    if node is None or found is None:
        return None
    return ResultType(parsed.text_of(node), parsed.range_of(node), how, tuple(found.fields),
                      tuple(dict.fromkeys(found.rows)), tuple(dict.fromkeys(found.imports)),
                      tuple(found.nested), tuple(dict.fromkeys(found.keys)))


def result_type(
    parsed: ParsedFile, start: Node, calls: Sequence[tuple[str, Node]]
) -> ResultType | None:
    """The type the code gives the rows of the query `start` (the `.from()` call) begins;
    `calls` are the chained calls' names and nodes, in order."""
    if any(name in _NOT_ROWS for name, _ in calls):
        return None
    for name, node in reversed(calls):
        arguments = node.child_by_field_name("type_arguments")
        if name in _TYPED_CALLS and arguments is not None and arguments.named_children:
            return _result(parsed, arguments.named_children[0], f"`.{name}<…>()`")
    return _from_use(parsed, calls[-1][1] if calls else start)


def _outer(node: Node) -> Node:
    while node.parent is not None and node.parent.type in _THROUGH:
        node = node.parent
    return node


def _from_use(parsed: ParsedFile, end: Node) -> ResultType | None:
    """`(await q).data as T`, or `const { data } = await q` and how `data` is typed."""
    node = _outer(end)
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "member_expression" and parent.child_by_field_name("object") == node:
        prop = parent.child_by_field_name("property")
        if prop is None or parsed.text_of(prop) != "data":
            return None
        cast = _outer(parent).parent
        return _result(parsed, _cast_type(cast), "`as` cast") if cast is not None else None
    if parent.type != "variable_declarator" or parent.child_by_field_name("value") != node:
        return None
    pattern = parent.child_by_field_name("name")
    bound = _data_binding(parsed, pattern) if pattern is not None else None
    if bound is None:
        return None
    annotation = parent.child_by_field_name("type")
    if annotation is not None:
        return _result(parsed, _data_type(parsed, annotation), "annotation")
    declaration = parent.parent
    if declaration is None or declaration.type != "lexical_declaration" or \
            declaration.children[0].type != "const":
        return None  # a `let` may be reassigned before the cast
    scope = declaration.parent
    return _typed_use(parsed, scope, parent, parsed.text_of(bound)) if scope else None


def _data_binding(parsed: ParsedFile, pattern: Node) -> Node | None:
    """The identifier `{ data }` or `{ data: rows }` binds."""
    if pattern.type != "object_pattern":
        return None
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern" and \
                parsed.text_of(child) == "data":
            return child
        if child.type == "pair_pattern":
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            if key is not None and value is not None and value.type == "identifier" and \
                    parsed.text_of(key) == "data":
                return value
    return None


def _data_type(parsed: ParsedFile, annotation: Node) -> Node | None:
    """`{ data: T[] | null }` or `PostgrestResponse<T>` → the rows' type node."""
    node = annotation.named_children[0] if annotation.named_children else None
    if node is not None and node.type == "generic_type" and _generic_name(node) in _RESPONSES:
        arguments = node.child_by_field_name("type_arguments")
        return arguments.named_children[0] if arguments and arguments.named_children else None
    for member in node.named_children if node is not None and node.type == "object_type" else ():
        name = member.child_by_field_name("name") if member.type == "property_signature" \
            else None
        value = member.child_by_field_name("type") if name is not None else None
        if name is not None and parsed.text_of(name) == "data" and value is not None:
            return value.named_children[0] if value.named_children else None
    return None


def _names_data(parsed: ParsedFile, node: Node | None, name: str, declarator: Node) -> bool:
    """`data`, `data!`, `(data)`, `data as unknown`, `data ?? []`, `data || []` where `data`
    is the binding `declarator` makes."""
    for _ in range(_MAX_DEPTH):
        if node is None:
            return False
        if node.type in ("parenthesized_expression", "non_null_expression"):
            node = node.named_children[0] if node.named_children else None
        elif node.type == "as_expression" and (cast := _cast_type(node)) is not None and \
                parsed.text_of(cast) in ("unknown", "any"):
            node = node.named_children[0]
        elif node.type == "binary_expression" and _fallback(parsed, node):
            node = node.child_by_field_name("left")
        else:
            break
    return (
        node is not None
        and node.type == "identifier"
        and parsed.text_of(node) == name
        and binding(parsed, name, node) == declarator
    )


def _fallback(parsed: ParsedFile, node: Node) -> bool:
    """`x ?? []`, `x || []`, `x ?? null`: the rows or nothing."""
    operator = node.child_by_field_name("operator")
    right = node.child_by_field_name("right")
    return (
        operator is not None
        and parsed.text_of(operator) in ("??", "||")
        and right is not None
        and (right.type == "null" or (right.type == "array" and not right.named_children))
    )


def _cast_type(node: Node) -> Node | None:
    """`T` of `x as T` (not of `x as const`, nor of a cast error recovery left half)."""
    if node.type != "as_expression" or len(node.named_children) != 2:
        return None
    return node.named_children[1]


def _typed_use(parsed: ParsedFile, scope: Node, declarator: Node, name: str) -> ResultType | None:
    """The first `data as T` or `const rows: T = data ?? []` in the scope of `data`."""
    for node in parsed.captures(_TYPED_USES, "use", scope):
        if node.type == "as_expression":
            inner = node.named_children[0] if node.named_children else None
            if node.parent is not None and node.parent.type == "as_expression":
                continue  # the outer cast of `data as unknown as T` decides
            if _names_data(parsed, inner, name, declarator):
                return _result(parsed, _cast_type(node), "`as` cast")
        else:
            annotation = node.child_by_field_name("type")
            value = node.child_by_field_name("value")
            if annotation is not None and annotation.named_children and \
                    _names_data(parsed, value, name, declarator):
                return _result(parsed, annotation.named_children[0], "annotation")
    return None
