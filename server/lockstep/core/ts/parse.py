"""tree-sitter setup for TypeScript and TSX, shared by the type index and the consumer index.

Parsers are built once per grammar and reused: building a Language/Parser is the expensive
part, parsing a file is cheap. Every node position leaves this module through `LineIndex`,
so byte offsets never leak into the rest of the core.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

from lockstep.core.text import LineIndex, Range

_TSX_SUFFIXES = (".tsx", ".jsx", ".js", ".mjs", ".cjs")
# fmt: off
_BUILTIN_TYPES = frozenset((
    "Array", "ReadonlyArray", "Record", "Partial", "Required", "Readonly", "Pick", "Omit",
    "Promise", "Map", "Set", "Date", "Exclude", "Extract", "NonNullable", "ReturnType",
    "Awaited",
))
# fmt: on


@cache
def _language(tsx: bool) -> Language:
    raw = (
        tree_sitter_typescript.language_tsx()
        if tsx
        else tree_sitter_typescript.language_typescript()
    )
    return Language(raw)


@cache
def parser_for_grammar(tsx: bool) -> Parser:
    """One Parser per grammar for the whole process (parsing is single-threaded here)."""
    return Parser(_language(tsx))


def is_tsx_path(path: str) -> bool:
    """`.tsx` (and JS flavours, which may hold JSX) need the TSX grammar; `.ts` must not use it
    because `<T>expr` casts mean something else there."""
    return path.lower().endswith(_TSX_SUFFIXES)


@cache
def _query(tsx: bool, source: str) -> Query:
    return Query(_language(tsx), source)


def _encodable(text: str) -> str:
    """Lone surrogates (possible after a lossy UTF-16 decode) cannot be UTF-8 encoded; swap
    each for '?' so lengths in characters and UTF-16 units stay the same."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


@dataclass(slots=True)
class ParsedFile:
    """One parsed source: the tree plus what is needed to turn nodes into text and Ranges."""

    path: str
    text: str
    data: bytes
    tree: Tree
    lines: LineIndex
    tsx: bool = False

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def text_of(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def range_of(self, node: Node) -> Range:
        return self.lines.range_from_points(node.start_point, node.end_point)

    def offset_after(self, node: Node) -> int:
        """Character offset of the node's end."""
        return self.lines.offset_from_point(*node.end_point)

    def captures(self, query: str, name: str, within: Node | None = None) -> list[Node]:
        """Nodes captured as `@name` by a tree-sitter query (in `within`, else the whole
        file), in source order.

        Queries run in C, so they beat a Python walk over every node of a large file.
        """
        node = self.root if within is None else within
        found = QueryCursor(_query(self.tsx, query)).captures(node).get(name, [])
        return sorted(found, key=lambda node: node.start_byte)


def parse_source(path: str, text: str, lines: LineIndex | None = None) -> ParsedFile:
    """Parse `text` with the grammar its extension asks for. Never raises on broken input."""
    clean = _encodable(text)
    if lines is None or clean is not text:
        lines = LineIndex(clean)
    data = clean.encode("utf-8")
    tsx = is_tsx_path(path)
    tree = parser_for_grammar(tsx).parse(data)
    return ParsedFile(path, clean, data, tree, lines, tsx)


def walk(node: Node) -> Iterator[Node]:
    """Pre-order walk over named and anonymous descendants, iteratively (deep trees are fine)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def named_children(node: Node, *types: str) -> list[Node]:
    return [child for child in node.named_children if not types or child.type in types]


def first_child(node: Node, *types: str) -> Node | None:
    for child in node.named_children:
        if child.type in types:
            return child
    return None


def has_anonymous_child(node: Node, token: str) -> bool:
    return any(not child.is_named and child.type == token for child in node.children)


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """The contents of a string or substitution-free template literal, quotes excluded."""

    value: str
    range: Range
    offset: int  # character offset of the first content character


def string_literal(parsed: ParsedFile, node: Node | None) -> StringLiteral | None:
    """`'x'`, `"x"` and `` `x` `` (without `${}`) → their contents; anything else → None.

    The value is the raw source between the quotes, so offsets inside it map 1:1 onto the file.
    """
    if node is None or node.type not in ("string", "template_string"):
        return None
    if node.type == "template_string" and any(
        child.type == "template_substitution" for child in node.children
    ):
        return None
    if node.child_count < 2 or node.children[-1].is_missing or node.has_error:
        return None  # an unterminated string from error recovery
    start_row, start_col = node.start_point
    end_row, end_col = node.end_point
    start = (start_row, start_col + 1)
    end = (end_row, max(end_col - 1, 0))
    value = parsed.data[node.start_byte + 1 : node.end_byte - 1].decode("utf-8", "replace")
    return StringLiteral(
        value, parsed.lines.range_from_points(start, end), parsed.lines.offset_from_point(*start)
    )


def normalize_space(text: str) -> str:
    return " ".join(text.split())


# --- the small model of TypeScript types that row-type rules compare ------------------


@dataclass(frozen=True, slots=True)
class FieldType:
    """`'happy' | 'sad' | null` → base ("'happy'", "'sad'"), nullable, literals (happy, sad)."""

    text: str
    base: tuple[str, ...]  # union members other than null/undefined (array element types)
    nullable: bool = False
    undefinable: bool = False
    is_array: bool = False
    element_nullable: bool = False  # `(string | null)[]`
    literals: tuple[str, ...] = ()  # string-literal members
    references: tuple[str, ...] = ()  # named types it mentions (Mood, Json…)

    @property
    def is_literal_union(self) -> bool:
        return bool(self.literals) and len(self.literals) == len(self.base)


@dataclass(frozen=True, slots=True)
class TypeField:
    name: str
    optional: bool
    readonly: bool
    type: FieldType | None  # None when the annotation is missing (half-typed code)
    doc: str | None
    name_range: Range
    range: Range


def jsdoc(parsed: ParsedFile, node: Node) -> str | None:
    previous = node.prev_named_sibling
    if previous is None or previous.type != "comment":
        return None
    raw = parsed.text_of(previous)
    if not raw.startswith("/**"):
        return None
    lines = raw[3:-2].splitlines() if raw.endswith("*/") else raw[3:].splitlines()
    cleaned = [line.strip().removeprefix("*").strip() for line in lines]
    return "\n".join(cleaned).strip() or None


def _union_members(node: Node, out: list[Node]) -> None:
    if node.type == "union_type":
        for child in node.named_children:
            _union_members(child, out)
    elif node.type == "parenthesized_type" and node.named_children:
        _union_members(node.named_children[0], out)
    else:
        out.append(node)


def _array_element(node: Node) -> Node | None:
    if node.type == "readonly_type" and node.named_children:
        return _array_element(node.named_children[0])
    if node.type == "array_type" and node.named_children:
        return node.named_children[0]
    if node.type == "generic_type":
        name = node.child_by_field_name("name")
        arguments = node.child_by_field_name("type_arguments")
        if name is not None and name.text in (b"Array", b"ReadonlyArray") and arguments:
            return arguments.named_children[0] if arguments.named_children else None
    return None


def parse_field_type(parsed: ParsedFile, node: Node) -> FieldType:
    """The small type model rules need; anything exotic is kept as its normalized text."""
    members: list[Node] = []
    _union_members(node, members)
    nullable = undefinable = False
    kept: list[Node] = []
    for member in members:
        inner = member.named_children[0] if member.named_children else member
        if member.type == "literal_type" and inner.type == "null":
            nullable = True
        elif member.type == "literal_type" and inner.type == "undefined":
            undefinable = True
        else:
            kept.append(member)
    elements = [_array_element(member) for member in kept]
    is_array = bool(kept) and all(element is not None for element in elements)
    element_nullable = False
    if is_array:
        element_types = [parse_field_type(parsed, e) for e in elements if e is not None]
        base = tuple(b for t in element_types for b in t.base)
        literals = tuple(v for t in element_types for v in t.literals)
        element_nullable = any(t.nullable for t in element_types)
    else:
        base = tuple(normalize_space(parsed.text_of(member)) for member in kept)
        literals = tuple(
            found.value
            for member in kept
            if member.type == "literal_type"
            and (found := string_literal(parsed, first_child(member, "string"))) is not None
        )
    references = tuple(
        dict.fromkeys(
            text
            for sub in walk(node)
            if sub.type == "type_identifier" and (text := parsed.text_of(sub)) not in _BUILTIN_TYPES
        )
    )
    return FieldType(
        normalize_space(parsed.text_of(node)),
        base,
        nullable,
        undefinable,
        is_array,
        element_nullable,
        literals,
        references,
    )


def _field_name(parsed: ParsedFile, node: Node) -> tuple[str, Range] | None:
    if node.type in ("property_identifier", "private_property_identifier", "number"):
        return parsed.text_of(node), parsed.range_of(node)
    found = string_literal(parsed, node)
    return (found.value, found.range) if found else None


def parse_fields(parsed: ParsedFile, body: Node) -> tuple[TypeField, ...]:
    """Fields of an object_type / interface_body, skipping methods, index signatures, ERRORs."""
    fields: list[TypeField] = []
    for child in body.named_children:
        if child.type != "property_signature":
            continue
        name_node = child.child_by_field_name("name")
        named = _field_name(parsed, name_node) if name_node is not None else None
        if named is None:
            continue
        annotation = child.child_by_field_name("type")
        type_node = (
            annotation.named_children[0] if annotation and annotation.named_children else None
        )
        fields.append(
            TypeField(
                named[0],
                has_anonymous_child(child, "?"),
                has_anonymous_child(child, "readonly"),
                parse_field_type(parsed, type_node) if type_node is not None else None,
                jsdoc(parsed, child),
                named[1],
                parsed.range_of(child),
            )
        )
    return tuple(fields)


# --- module statements: imports and re-exports ------------------------------------


@dataclass(frozen=True, slots=True)
class ReExport:
    source: str  # the module specifier as written
    target: str | None  # workspace path without extension; None for package imports
    names: tuple[tuple[str, str], ...] | None  # (imported, exported); None means `export *`
    namespace: str | None
    type_only: bool
    range: Range


def module_target(path: str, source: str) -> str | None:
    """A relative import's workspace path without extension; None for a package."""
    if not source.startswith("."):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), source))
    for suffix in (".d.ts", ".js", ".ts", ".tsx", ".mjs", ".cjs", ".jsx", ".mts", ".cts"):
        if joined.endswith(suffix):
            return joined[: -len(suffix)]
    return joined


def _specifiers(parsed: ParsedFile, clause: Node, kind: str) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for spec in clause.named_children:
        if spec.type != kind:
            continue
        name = spec.child_by_field_name("name")
        alias = spec.child_by_field_name("alias")
        if name is not None:
            original = parsed.text_of(name)
            pairs.append((original, parsed.text_of(alias) if alias is not None else original))
    return tuple(pairs)


def module_statements(
    parsed: ParsedFile,
) -> tuple[list[ReExport], list[tuple[str, str]], list[tuple[str, str, str]]]:
    reexports: list[ReExport] = []
    local: list[tuple[str, str]] = []
    imports: list[tuple[str, str, str]] = []
    for node in parsed.root.named_children:
        source_node = node.child_by_field_name("source")
        source = string_literal(parsed, source_node)
        if node.type == "import_statement" and source is not None:
            target = module_target(parsed.path, source.value)
            clause = first_child(node, "import_clause")
            named = first_child(clause, "named_imports") if clause is not None else None
            if target is not None and named is not None:
                for original, alias in _specifiers(parsed, named, "import_specifier"):
                    imports.append((alias, target, original))
        if node.type != "export_statement" or node.child_by_field_name("declaration"):
            continue
        clause = first_child(node, "export_clause")
        names = _specifiers(parsed, clause, "export_specifier") if clause is not None else None
        if source is None:
            local += names or ()
            continue
        namespace = first_child(node, "namespace_export")
        reexports.append(
            ReExport(
                source.value,
                module_target(parsed.path, source.value),
                names,
                parsed.text_of(namespace.named_children[-1])
                if namespace is not None and namespace.named_children
                else None,
                has_anonymous_child(node, "type"),
                parsed.range_of(node),
            )
        )
    return reexports, local, imports
