"""A generated types file as declarations, so that formatting never counts as a difference.

The `Database` type is flattened into `path → type` pairs (`public.Tables.posts.Row.title` →
`string | null`): keys unquoted, string quotes and escapes unified, whitespace, `;` and `,`
dropped. Relationships are compared as a set (PostgreSQL may list some in plan order).
Spellings that only changed between generator versions count as equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from lockstep.core.text import Range
from lockstep.core.ts.parse import ParsedFile, parse_source, string_literal

# Era spellings: what older generators printed → what 0.99 prints (NOT NULL json columns).
_EQUIVALENT = {"Json": "NonNullable<Json>"}
# Members some generator versions or settings leave out; compared only when both have them.
OPTIONAL_KEYS = frozenset({"__InternalSupabase", "SetofOptions", "isOneToOne"})
_OPENERS = {"(", "<", "[", "{", ":", "|"}


@dataclass(slots=True)
class Declarations:
    entries: dict[str, str]
    name_range: Range  # the `Database` name, where a finding goes
    schemas: list[str]
    postgrest_version: str | None = None


def _key(parsed: ParsedFile, node: Node) -> str:
    literal = string_literal(parsed, node)
    return _unescape(literal.value) if literal else parsed.text_of(node)


def _unescape(raw: str) -> str:
    return raw.replace("\\'", "'").replace('\\"', '"')


def _tokens(parsed: ParsedFile, node: Node, out: list[str]) -> None:
    if node.is_named and node.type in ("string", "template_string"):
        literal = string_literal(parsed, node)
        out.append('"' + (_unescape(literal.value) if literal else parsed.text_of(node)) + '"')
        return
    if node.child_count == 0:
        out.append(parsed.text_of(node))
        return
    for child in node.children:
        _tokens(parsed, child, out)


def _leaf(parsed: ParsedFile, node: Node) -> str:
    """The type's tokens without member separators, trailing commas or a union's optional
    leading `|`."""
    tokens: list[str] = []
    _tokens(parsed, node, tokens)
    kept: list[str] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token == ";" or (token == "," and following in ("", ")", "]", ">", "}")):
            continue  # member separators (absent when broken) and trailing commas
        if token == "|" and (not kept or kept[-1] in _OPENERS):
            continue
        kept.append(token)
    text = "".join(kept)
    return _EQUIVALENT.get(text, text)


def _members(parsed: ParsedFile, node: Node) -> list[tuple[str, Node]]:
    found = []
    for child in node.named_children:
        if child.type != "property_signature":
            continue
        name = child.child_by_field_name("name")
        annotation = child.child_by_field_name("type")
        if name is not None and annotation is not None and annotation.named_children:
            optional = "?" if any(c.type == "?" for c in child.children) else ""
            found.append((_key(parsed, name) + optional, annotation.named_children[0]))
    return found


def _item(parsed: ParsedFile, node: Node) -> str:
    """A Relationships entry, without the members some versions leave out."""
    if node.type != "object_type":
        return _leaf(parsed, node)
    inner: dict[str, str] = {}
    _flatten(parsed, node, "", inner)
    return "{" + ";".join(f"{k}:{v}" for k, v in inner.items()) + "}"


def _flatten(parsed: ParsedFile, node: Node, path: str, out: dict[str, str]) -> None:
    if node.type == "object_type" and _members(parsed, node):
        for key, value in _members(parsed, node):
            if key.rstrip("?") in OPTIONAL_KEYS and key != "__InternalSupabase":
                continue
            _flatten(parsed, value, f"{path}.{key}" if path else key, out)
        return
    if node.type == "tuple_type":
        items = sorted(_item(parsed, child) for child in node.named_children)
        out[path] = "[" + ";".join(items) + "]"
        return
    out[path] = _leaf(parsed, node)


def _database(parsed: ParsedFile) -> Node | None:
    for node in parsed.root.named_children:
        declaration = node.named_children[0] if node.type == "export_statement" and \
            node.named_children else node
        if declaration.type not in ("type_alias_declaration", "interface_declaration"):
            continue
        name = declaration.child_by_field_name("name")
        if name is not None and parsed.text_of(name) == "Database":
            return declaration
    return None


def read_declarations(path: str, text: str) -> Declarations | None:
    """The `Database` declarations of a types file; None when it declares no `Database`."""
    parsed = parse_source(path, text)
    declaration = _database(parsed)
    if declaration is None:
        return None
    body = (declaration.child_by_field_name("body")
            if declaration.type == "interface_declaration"
            else declaration.child_by_field_name("value"))
    if body is None or body.type not in ("object_type", "interface_body"):
        return None
    entries: dict[str, str] = {}
    schemas: list[str] = []
    version = None
    for key, value in _members(parsed, body):
        if key == "__InternalSupabase":
            inner = dict(_members(parsed, value)) if value.type == "object_type" else {}
            found = string_literal(parsed, inner.get("PostgrestVersion"))
            version = _unescape(found.value) if found else None
            continue
        schemas.append(key)
        _flatten(parsed, value, key, entries)
    name = declaration.child_by_field_name("name")
    return Declarations(entries, parsed.range_of(name or declaration), schemas, version)


def _same(key: str, committed: str, generated: str) -> bool:
    """Equal, or equal but for a generator era: `Args: never` (before Record<PropertyKey,
    never>), and generated/identity columns typed in Insert/Update (before `?: never`)."""
    if committed == generated:
        return True
    if key.endswith(".Args") and committed == "never":
        return generated == "Record<PropertyKey,never>"
    section = key.split(".")[-2] if key.count(".") >= 2 else ""
    return generated == "never" and section in ("Insert", "Update")


def _absent(key: str, other: dict[str, str]) -> str:
    """The outermost part of `key` (a table, a function …) that `other` lacks altogether."""
    parts = key.split(".")
    for depth in range(3, len(parts)):
        prefix = ".".join(parts[:depth])
        if prefix not in other and not any(k.startswith(prefix + ".") for k in other):
            return prefix
    return key


def differences(committed: Declarations, generated: Declarations) -> list[str]:
    """What differs, one phrase each, in the order of the generated file."""
    found: list[str] = []
    for key, value in generated.entries.items():
        if key not in committed.entries:
            phrase = f"`{_absent(key, committed.entries)}` is missing"
        elif not _same(key, committed.entries[key], value):
            phrase = f"`{key}` is `{committed.entries[key]}`, the migrations give `{value}`"
        else:
            continue
        if phrase not in found:
            found.append(phrase)
    for key in committed.entries:
        if key not in generated.entries:
            phrase = f"`{_absent(key, generated.entries)}` is not in the migrations"
            if phrase not in found:
                found.append(phrase)
    return found
