"""Consumer index: every supabase-js `.from('table')` call site and the columns it touches.

Step 5 of the migration workflow is "find every place that reads or writes the table"; a grep
finds `Array.from`, comments and storage buckets too. This walks the tree-sitter tree instead,
keeps only calls on a database client, and records the chained query so column rules can
check `.select()`, filters and `.insert({...})` keys against the schema.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from tree_sitter import Node

from lockstep.core.config import DEFAULT_CATEGORIES as DEFAULT_CATEGORIES
from lockstep.core.consumers import postgrest
from lockstep.core.consumers.args import ColumnUse, method_call, unwrap, written_keys
from lockstep.core.consumers.clients import client_schema, is_client
from lockstep.core.consumers.results import ResultType, result_type
from lockstep.core.globs import glob_match
from lockstep.core.text import Range
from lockstep.core.ts.parse import ParsedFile, StringLiteral, parse_source, string_literal

# fmt: off
_FILTERS = frozenset((
    "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "likeAllOf", "likeAnyOf",
    "ilikeAllOf", "ilikeAnyOf", "is", "isDistinct", "in", "contains", "containedBy", "rangeGt",
    "rangeGte", "rangeLt", "rangeLte", "rangeAdjacent", "overlaps", "textSearch", "order",
    "not", "filter", "regexMatch", "regexIMatch",
))
# fmt: on
_WRITES = frozenset(("insert", "update", "upsert"))
_AFTER = frozenset(("after", "unstable_after"))
_FUNCTIONS = frozenset(
    ("function_declaration", "generator_function_declaration", "method_definition")
)
_ANONYMOUS = frozenset(("arrow_function", "function_expression", "function", "generator_function"))
_WRAPPERS = frozenset(("cache", "memo", "forwardRef", "unstable_cache"))
_FROM_CALLS = """
(call_expression
  function: (member_expression property: (property_identifier) @name (#eq? @name "from"))) @call
"""
_PREFILTER = re.compile(rb"\.\s*from\b")
_RECEIVER = re.compile(rb"([A-Za-z0-9_$]*)\s*$")  # the name before a `.from`
# Globals whose `.from(` builds an array or a buffer, never a query: a file whose only
# `.from` is one of these is not parsed (Array.from is in many files that never query).
_NOT_CLIENTS = frozenset((b"Array", b"Buffer", b"Uint8Array", b"Int8Array", b"Uint16Array",
                          b"Int16Array", b"Uint32Array", b"Int32Array", b"Float32Array",
                          b"Float64Array", b"BigInt64Array", b"BigUint64Array", b"Blob"))
Path = tuple[str, ...]  # embeds by alias or name: ("identities", "notifications")


@dataclass(frozen=True, slots=True)
class SelectArg:
    value: str  # the raw select string
    range: Range  # its contents, quotes excluded
    tree: postgrest.Selection


@dataclass(frozen=True, slots=True)
class ChainCall:
    """One method call chained after `.from()`: `.select(...)`, `.eq(...)`, `.insert(...)`."""

    name: str
    name_range: Range
    range: Range  # from the method name to the closing parenthesis
    columns: tuple[ColumnUse, ...] = ()
    select: SelectArg | None = None
    unknown_columns: bool = False  # a spread or a variable: the columns cannot be listed
    row_variable: str | None = None  # `w` in `.insert(rows.map((w) => ({ … })))`


@dataclass(frozen=True, slots=True)
class TableUse:
    path: str
    table: str
    schema: str | None  # from `.schema('x').from('t')`
    table_range: Range  # the table name inside the quotes
    range: Range  # the `.from(...)` call expression
    receiver: str
    chain: tuple[ChainCall, ...]
    function: str | None
    in_after: bool
    category: str
    result: ResultType | None = None  # the type the code gives the select's rows

    @property
    def display_category(self) -> str:
        if self.in_after and self.category in ("api-route", "other"):
            return "after-callback"
        return self.category

    @property
    def operations(self) -> tuple[str, ...]:
        names = ("select", "insert", "update", "upsert", "delete")
        return tuple(call.name for call in self.chain if call.name in names)

    @property
    def columns(self) -> tuple[ColumnUse, ...]:
        """Columns of this table named anywhere in the chain (embedded tables excluded)."""
        return tuple(c for call in self.chain for c in call.columns if c.relation is None)


def might_use_tables(data: bytes) -> bool:
    """Cheap byte test before parsing: may over-accept, never under-accepts."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        data = data[2:].decode(encoding, "replace").encode("utf-8")
    if b"from" not in data:
        return False
    for match in _PREFILTER.finditer(data):
        before = _RECEIVER.search(data, max(0, match.start() - 40), match.start())
        if before is None or before.group(1) not in _NOT_CLIENTS:
            return True
    return False


def categorize(path: str, categories: Sequence[tuple[str, str]] | None = None) -> str:
    for name, pattern in DEFAULT_CATEGORIES if categories is None else categories:
        if glob_match(pattern, path):
            return name
    return "other"


def _first_literal(parsed: ParsedFile, args: Node) -> StringLiteral | None:
    first = args.named_children[0] if args.named_children else None
    return string_literal(parsed, first)


def _ranged(
    parsed: ParsedFile,
    text: StringLiteral,
    column: postgrest.ColumnRef,
    path: tuple[str, ...] | None = None,
    relation: str | None = None,
) -> ColumnUse:
    """A parsed column as a ColumnUse; `path`/`relation` override the column's own."""
    lines = parsed.lines
    where = lines.range(text.offset + column.start, text.offset + column.end)
    path = column.path if path is None else path
    return ColumnUse(column.name, where, relation or column.relation, path)


def _select_columns(
    parsed: ParsedFile,
    text: StringLiteral,
    tree: postgrest.Selection,
    relation: str | None = None,
    path: tuple[str, ...] = (),
) -> list[ColumnUse]:
    """Every column of a select string; those of embeds carry the embed path (by alias)."""
    found = [_ranged(parsed, text, column, path, relation) for column in tree.columns]
    for embed in tree.embeds:
        inner = (*path, embed.alias or embed.relation)
        found += _select_columns(parsed, text, embed.selection, embed.relation, inner)
    return found


def _referenced(parsed: ParsedFile, args: Node) -> tuple[str, ...] | None:
    """The `referencedTable` (or older `foreignTable`) option: `'documents'`, `'a.b'`."""
    option = _option_string(parsed, args, "referencedTable") or _option_string(
        parsed, args, "foreignTable"
    )
    if option is None:
        return None
    return tuple(part.strip() for part in option.value.split(".") if part.strip()) or None


def _option_string(parsed: ParsedFile, args: Node, key: str) -> StringLiteral | None:
    for arg in args.named_children[1:]:
        if arg.type != "object":
            continue
        for pair in arg.named_children:
            name = pair.child_by_field_name("key") if pair.type == "pair" else None
            if name is not None and parsed.text_of(name).strip("'\"") == key:
                return string_literal(parsed, pair.child_by_field_name("value"))
    return None


def _chain_call(parsed: ParsedFile, call: Node, prop: Node, args: Node) -> ChainCall:
    name = parsed.text_of(prop)
    columns: list[ColumnUse] = []
    select: SelectArg | None = None
    unknown = False
    row_variable: str | None = None
    literal = _first_literal(parsed, args)
    if name == "select":
        if literal is not None:
            tree = postgrest.parse_select(literal.value)
            select = SelectArg(literal.value, literal.range, tree)
            columns = _select_columns(parsed, literal, tree, None)
        else:
            unknown = bool(args.named_children)
    elif name in _WRITES or name == "match":
        first = args.named_children[0] if args.named_children else None
        written = written_keys(parsed, first)
        columns, unknown, row_variable = list(written.keys), written.unknown, written.row_variable
        conflict = _option_string(parsed, args, "onConflict") if name == "upsert" else None
        if conflict is not None:
            columns += [
                _ranged(parsed, conflict, column)
                for column in postgrest.parse_logic_filter(conflict.value)
            ]
    elif name == "or" and literal is not None:
        path = _referenced(parsed, args)
        columns = [
            _ranged(parsed, literal, column, path, path[-1] if path else None)
            for column in postgrest.parse_logic_filter(literal.value)
        ]
    elif name in _FILTERS and literal is not None:
        column = postgrest.parse_column(literal.value)
        if column is not None:
            # `.order('documents(sort_date)', {referencedTable: 'publications.links'})`
            path = (*(_referenced(parsed, args) or ()), *column.path)
            columns = [_ranged(parsed, literal, column, path, path[-1] if path else None)]
    whole = parsed.lines.range_from_points(prop.start_point, call.end_point)
    return ChainCall(
        name, parsed.range_of(prop), whole, tuple(columns), select, unknown, row_variable
    )


def _awaited_generic_call(member: Node) -> tuple[Node, Node, Node] | None:
    """tree-sitter-typescript reads `await q.returns<T>()` as `(await q.returns)<T>()`: the
    call (whose function is the await) and its property and arguments."""
    awaited = member.parent
    call = awaited.parent if awaited is not None and awaited.type == "await_expression" else None
    prop, args = member.child_by_field_name("property"), None
    if call is not None and call.type == "call_expression" and call.child_by_field_name(
        "function"
    ) == awaited:
        args = call.child_by_field_name("arguments")
    if call is None or prop is None or args is None:
        return None
    return call, prop, args


def _chain(parsed: ParsedFile, start: Node) -> tuple[tuple[ChainCall, ...], list[Node]]:
    """The calls chained after `start` (a `.from()` call), and their call nodes."""
    calls: list[ChainCall] = []
    nodes: list[Node] = []
    node = start
    while True:
        parent = node.parent
        while parent is not None and parent.type in (
            "parenthesized_expression",
            "non_null_expression",
        ):
            node, parent = parent, parent.parent
        if parent is None or parent.type != "member_expression":
            break
        call = parent.parent
        found = method_call(call) if call is not None else None
        if call is not None and found is None and parent.child_by_field_name("object") == node:
            quirk = _awaited_generic_call(parent)
            if quirk is not None:
                call, found = quirk[0], (node, quirk[1], quirk[2])
        if call is None or found is None or found[0] != node:
            break
        calls.append(_chain_call(parsed, call, found[1], found[2]))
        nodes.append(call)
        node = call
    return _embedded_relations(calls), nodes


def _embed_names(
    selection: postgrest.Selection, path: tuple[str, ...], out: dict[Path, str]
) -> None:
    for embed in selection.embeds:
        for key in (embed.alias or embed.relation, embed.relation):
            out.setdefault((*path, key), embed.relation)
        _embed_names(embed.selection, (*path, embed.alias or embed.relation), out)


def _embedded_relations(calls: list[ChainCall]) -> tuple[ChainCall, ...]:
    """Filters name embeds by alias (`workout.user_id` for `workout:workouts(…)`): give their
    columns the relation the select embeds, as select columns have it."""
    names: dict[Path, str] = {}
    for call in calls:
        if call.select is not None:
            _embed_names(call.select.tree, (), names)
    return tuple(
        replace(
            call,
            columns=tuple(
                replace(c, relation=names[c.path]) if c.path in names else c for c in call.columns
            ),
        )
        if call.select is None and any(c.path in names for c in call.columns)
        else call
        for call in calls
    )


def _is_wrapper(parsed: ParsedFile, callee: Node | None) -> bool:
    """`useCallback(fn)`, `cache(fn)`: the callback is the function the variable names."""
    name = parsed.text_of(callee).rsplit(".", 1)[-1] if callee is not None else ""
    return name in _WRAPPERS or (name.startswith("use") and name[3:4].isupper())


def _binding_name(parsed: ParsedFile, node: Node) -> str | None:
    """Name an anonymous function gets from where it is bound, if anywhere."""
    parent = node.parent
    call = parent.parent if parent is not None and parent.type == "arguments" else None
    if call is not None and _is_wrapper(parsed, call.child_by_field_name("function")):
        parent = call.parent
    while parent is not None and parent.type in ("parenthesized_expression", "as_expression"):
        parent = parent.parent
    if parent is None:
        return None
    for kind, field in (
        ("variable_declarator", "name"),
        ("pair", "key"),
        ("assignment_expression", "left"),
        ("public_field_definition", "name"),
    ):
        if parent.type == kind:
            target = parent.child_by_field_name(field)
            return parsed.text_of(target) if target is not None else None
    return "default" if parent.type == "export_statement" else None


def _context(parsed: ParsedFile, node: Node) -> tuple[str | None, bool]:
    """(enclosing function name, inside an `after(…)` argument)."""
    function: str | None = None
    in_after = False
    current: Node | None = node.parent
    while current is not None:
        if function is None and current.type in _FUNCTIONS:
            name = current.child_by_field_name("name")
            function = parsed.text_of(name) if name is not None else "default"
        elif function is None and current.type in _ANONYMOUS:
            function = _binding_name(parsed, current)
        elif current.type == "arguments" and not in_after:
            callee = current.parent.child_by_field_name("function") if current.parent else None
            in_after = callee is not None and parsed.text_of(callee) in _AFTER
        current = current.parent
    return function, in_after


def _schema_of(parsed: ParsedFile, receiver: Node) -> str | None:
    """`.schema('x').from(…)`, or a client made with `createClient(url, key, { db: { schema:
    'x' } })` in this file."""
    found = method_call(unwrap(receiver) or receiver)
    if found is None or parsed.text_of(found[1]) != "schema":
        return client_schema(parsed, receiver)
    literal = _first_literal(parsed, found[2])
    return literal.value if literal is not None else None


def index_consumers_file(
    path: str,
    text: str,
    categories: Sequence[tuple[str, str]] | None = None,
    clients: Collection[str] = (),
) -> list[TableUse]:
    """Every `.from('table')` on a Supabase client in one file. Pure; never raises.

    `clients` names receivers to take as clients whatever the file says (`[consumers] clients`).
    """
    parsed = parse_source(path, text)
    category = categorize(path, categories)
    uses: list[TableUse] = []
    for node in parsed.captures(_FROM_CALLS, "call"):
        found = method_call(node)
        if found is None or parsed.text_of(found[1]) != "from":
            continue
        receiver, _, args = found
        literal = _first_literal(parsed, args)
        if literal is None:
            continue
        chain, nodes = _chain(parsed, node)
        if not is_client(parsed, receiver, (call.name for call in chain), clients):
            continue
        function, in_after = _context(parsed, node)
        names = [call.name for call in chain]
        typed = list(zip(names, nodes, strict=True))
        result = result_type(parsed, node, typed) if "select" in names else None
        uses.append(
            TableUse(
                path,
                literal.value,
                _schema_of(parsed, receiver),
                literal.range,
                parsed.range_of(node),
                parsed.text_of(receiver),
                chain,
                function,
                in_after,
                category,
                result,
            )
        )
    return uses
