"""The arguments of a query call: the columns an insert, update, upsert or match names.

Written rows come as an object literal, an array of them, or, in copy code such as the
simulator clone, `rows.map((row) => ({ … }))`: all three name their columns in the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from lockstep.core.text import Range
from lockstep.core.ts.parse import ParsedFile, string_literal

_FUNCTIONS = frozenset(("arrow_function", "function_expression", "function"))


@dataclass(frozen=True, slots=True)
class ColumnUse:
    """A column named by a query: a select item, a filter column or an inserted key."""

    name: str
    range: Range
    relation: str | None = None  # the innermost embedded resource (`profiles.name`)
    path: tuple[str, ...] = ()  # the embeds on the way, by alias or name: ("identities", …)


@dataclass(frozen=True, slots=True)
class WrittenKeys:
    keys: tuple[ColumnUse, ...]
    unknown: bool  # a spread, a variable or a computed key: not every column is listed
    row_variable: str | None = None  # `row` in `rows.map((row) => ({ … }))`


def unwrap(node: Node | None) -> Node | None:
    """Look through `(x)` and `x!`: neither changes which value a chain works on."""
    while node is not None and node.type in ("parenthesized_expression", "non_null_expression"):
        node = node.named_children[0] if node.named_children else None
    return node


def method_call(node: Node) -> tuple[Node, Node, Node] | None:
    """`obj.name(args)` → (obj, name, args)."""
    if node.type != "call_expression":
        return None
    callee = unwrap(node.child_by_field_name("function"))
    args = node.child_by_field_name("arguments")
    if callee is None or callee.type != "member_expression" or args is None:
        return None
    obj, prop = callee.child_by_field_name("object"), callee.child_by_field_name("property")
    if obj is None or prop is None:
        return None
    return obj, prop, args


def object_keys(parsed: ParsedFile, node: Node | None) -> tuple[list[ColumnUse], bool]:
    """Keys of an object literal (or array of them); True when some keys cannot be known."""
    node = unwrap(node)
    if node is None:
        return [], True
    if node.type == "array":
        keys: list[ColumnUse] = []
        unknown = False
        for element in node.named_children:
            found, more = object_keys(parsed, element)
            keys += found
            unknown = unknown or more
        return keys, unknown
    if node.type != "object":
        return [], True
    keys, unknown = [], False
    for child in node.named_children:
        key = child.child_by_field_name("key") if child.type == "pair" else child
        if key is None or child.type in ("spread_element", "method_definition"):
            unknown = unknown or child.type == "spread_element"
            continue
        if key.type in ("property_identifier", "shorthand_property_identifier"):
            keys.append(ColumnUse(parsed.text_of(key), parsed.range_of(key)))
        elif (literal := string_literal(parsed, key)) is not None:
            keys.append(ColumnUse(literal.value, literal.range))
        elif key.type != "comment":
            unknown = True  # computed key
    return keys, unknown


def _parameter(parsed: ParsedFile, function: Node) -> str | None:
    single = function.child_by_field_name("parameter")
    if single is not None:
        return parsed.text_of(single)
    params = function.child_by_field_name("parameters")
    first = params.named_children[0] if params is not None and params.named_children else None
    pattern = first.child_by_field_name("pattern") if first is not None else None
    return parsed.text_of(pattern) if pattern is not None and pattern.type == "identifier" else None


def _returned(function: Node) -> Node | None:
    """What a callback returns: its expression body, or its single `return`."""
    body = function.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return body
    returns = [c for c in body.named_children if c.type == "return_statement"]
    if len(returns) == 1 and returns[0].named_children:
        return returns[0].named_children[0]
    return None


def written_keys(parsed: ParsedFile, node: Node | None) -> WrittenKeys:
    """The keys of the first argument of insert/update/upsert/match."""
    target = unwrap(node)
    mapped = method_call(target) if target is not None else None
    if mapped is not None and parsed.text_of(mapped[1]) == "map" and mapped[2].named_children:
        function = mapped[2].named_children[0]
        if function.type in _FUNCTIONS:
            keys, unknown = object_keys(parsed, _returned(function))
            return WrittenKeys(tuple(keys), unknown, _parameter(parsed, function))
    keys, unknown = object_keys(parsed, node)
    return WrittenKeys(tuple(keys), unknown)
