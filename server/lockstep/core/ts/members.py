"""One member of a TypeScript union, classified with tree-sitter (never by pattern matching):
`'a'`, `number`, `Mood`, `Enums<'mood'>`, `Database['public']['Enums']['mood']` … what
`sqlts.py` compares with a column's type. Cached: the same member texts come back for every
field of every row type.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tree_sitter import Node

from lockstep.core.ts.parse import parse_source, string_literal


@dataclass(frozen=True, slots=True)
class UnionMember:
    kind: str  # predefined, string, number, boolean, template, ref, generic, lookup, object, other
    name: str = ""
    args: tuple[str, ...] = ()


@lru_cache(maxsize=4096)
def classify_member(text: str) -> UnionMember:
    parsed = parse_source("member.ts", f"type __T = {text};")
    alias = parsed.root.named_children[0] if parsed.root.named_children else None
    value = alias.child_by_field_name("value") if alias is not None else None
    if value is None or parsed.root.has_error:
        return UnionMember("other")
    kind = value.type
    if kind == "predefined_type":
        return UnionMember("predefined", parsed.text_of(value))
    if kind == "literal_type" and value.named_children:
        inner = value.named_children[0]
        literal = string_literal(parsed, inner)
        if literal is not None:
            return UnionMember("string", literal.value)
        if inner.type in ("number", "unary_expression"):
            return UnionMember("number")
        if inner.type in ("true", "false"):
            return UnionMember("boolean")
        return UnionMember("other")
    if kind == "template_literal_type":
        return UnionMember("template")
    if kind == "type_identifier":
        return UnionMember("ref", parsed.text_of(value))
    if kind == "nested_type_identifier":
        return UnionMember("ref", parsed.text_of(value).rsplit(".", 1)[-1])
    if kind == "generic_type":
        name = value.child_by_field_name("name")
        arguments = value.child_by_field_name("type_arguments")
        args = tuple(
            found.value if (found := string_literal(parsed, _literal_of(arg))) else ""
            for arg in (arguments.named_children if arguments is not None else ())
        )
        return UnionMember("generic", parsed.text_of(name) if name is not None else "", args)
    if kind == "lookup_type":
        keys: list[str] = []
        node = value
        while node.type == "lookup_type" and len(node.named_children) == 2:
            found = string_literal(parsed, _literal_of(node.named_children[1]))
            keys.insert(0, found.value if found else "")
            node = node.named_children[0]
        return UnionMember("lookup", parsed.text_of(node), tuple(keys))
    if kind in ("object_type", "function_type", "constructor_type", "tuple_type"):
        return UnionMember("object")
    return UnionMember("other")


def _literal_of(node: Node) -> Node:
    """The string node inside a `literal_type` (or the node itself)."""
    if node.type == "literal_type" and node.named_children:
        return node.named_children[0]
    return node
