"""The Supabase-generated `Database` type (`supabase gen types typescript`).

Some repos keep the generated type instead of (or beside) hand-written row types; its
`Tables`/`Views` Rows and `Enums` are compared with the schema just like row types, and aliases
such as `type Win = Tables<'wins'>` name the table whose Row they stand for.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from lockstep.core.text import Range
from lockstep.core.ts.parse import (
    ParsedFile,
    TypeField,
    first_child,
    parse_field_type,
    parse_fields,
    string_literal,
)

__all__ = [
    "DatabaseEnum",
    "DatabaseTable",
    "DatabaseType",
    "Relationship",
    "generated_row_of",
    "parse_database",
]


@dataclass(frozen=True, slots=True)
class Relationship:
    """One `Relationships` entry: a foreign key the generator saw."""

    name: str
    columns: tuple[str, ...]
    referenced: str
    referenced_columns: tuple[str, ...]
    one_to_one: bool = False


@dataclass(frozen=True, slots=True)
class DatabaseTable:
    schema: str
    name: str
    kind: str  # "table" | "view"
    row: tuple[TypeField, ...]
    insert: tuple[TypeField, ...]
    update: tuple[TypeField, ...]
    name_range: Range
    relationships: tuple[Relationship, ...] = ()

    def field(self, name: str) -> TypeField | None:
        return next((f for f in self.row if f.name == name), None)


@dataclass(frozen=True, slots=True)
class DatabaseEnum:
    schema: str
    name: str
    values: tuple[str, ...]
    name_range: Range


@dataclass(frozen=True, slots=True)
class DatabaseType:
    """The Supabase-generated `Database` type."""

    path: str
    name_range: Range
    tables: tuple[DatabaseTable, ...]
    enums: tuple[DatabaseEnum, ...]


def generated_row_of(parsed: ParsedFile, value: Node) -> str | None:
    """The table whose generated Row type an alias names, if it is one of the usual spellings."""
    if value.type == "generic_type":
        name = value.child_by_field_name("name")
        arguments = value.child_by_field_name("type_arguments")
        if name is None or parsed.text_of(name) not in ("Tables", "TablesRow") or not arguments:
            return None
        first = arguments.named_children[0] if arguments.named_children else None
        found = string_literal(parsed, first_child(first, "string")) if first else None
        return found.value if found else None
    keys: list[str] = []
    node: Node | None = value
    while node is not None and node.type == "lookup_type" and len(node.named_children) == 2:
        found = string_literal(parsed, first_child(node.named_children[1], "string"))
        if found is None:
            return None
        keys.insert(0, found.value)
        node = node.named_children[0]
    if node is None or parsed.text_of(node) != "Database" or len(keys) != 4:
        return None
    return keys[2] if keys[1] in ("Tables", "Views") and keys[3] == "Row" else None


def _object_members(parsed: ParsedFile, body: Node | None) -> dict[str, tuple[Node, Node]]:
    """Property name → (name node, value type node) of an object type, ignoring the rest."""
    members: dict[str, tuple[Node, Node]] = {}
    if body is None:
        return members
    for child in body.named_children:
        name = child.child_by_field_name("name") if child.type == "property_signature" else None
        annotation = child.child_by_field_name("type") if name is not None else None
        if name is None or annotation is None or not annotation.named_children:
            continue
        text = string_literal(parsed, name)
        members[text.value if text else parsed.text_of(name)] = (name, annotation.named_children[0])
    return members


def _body(node: Node) -> Node | None:
    if node.type == "interface_declaration":
        return node.child_by_field_name("body")
    value = node.child_by_field_name("value")
    return value if value is not None and value.type == "object_type" else None


def _strings(parsed: ParsedFile, node: Node) -> tuple[str, ...]:
    found = [string_literal(parsed, first_child(c, "string") or c) for c in node.named_children]
    return tuple(f.value for f in found if f is not None)


def _relationships(parsed: ParsedFile, node: Node) -> tuple[Relationship, ...]:
    """`Relationships: [{ foreignKeyName: "…", columns: ["…"], referencedRelation: … }]`."""
    found: list[Relationship] = []
    for item in node.named_children if node.type == "tuple_type" else ():
        members = _object_members(parsed, item)
        texts = {key: string_literal(parsed, first_child(value, "string") or value)
                 for key, (_, value) in members.items()}
        name, referenced = texts.get("foreignKeyName"), texts.get("referencedRelation")
        if name is None or referenced is None or "columns" not in members:
            continue
        one = "isOneToOne" in members and parsed.text_of(members["isOneToOne"][1]) == "true"
        found.append(Relationship(name.value, _strings(parsed, members["columns"][1]),
                                  referenced.value,
                                  _strings(parsed, members["referencedColumns"][1])
                                  if "referencedColumns" in members else (), one))
    return tuple(found)


def _aliases(parsed: ParsedFile) -> dict[str, Node]:
    """Top-level `type X = …` of the file, by name (exported or not)."""
    found: dict[str, Node] = {}
    for node in parsed.root.named_children:
        declaration = node.named_children[0] if node.type == "export_statement" and \
            node.named_children else node
        name = declaration.child_by_field_name("name")
        value = declaration.child_by_field_name("value")
        if declaration.type == "type_alias_declaration" and name is not None and value:
            found[parsed.text_of(name)] = value
    return found


def _enum_values(parsed: ParsedFile, node: Node) -> tuple[str, ...] | None:
    """An enum's literals, read through a local alias (`mood: MoodAlias`); None when the type
    is neither a literal union nor an alias of one in this file (nothing to compare)."""
    seen: set[str] = set()
    while node.type == "type_identifier" and parsed.text_of(node) not in seen:
        seen.add(parsed.text_of(node))
        target = _aliases(parsed).get(parsed.text_of(node))
        if target is None:
            return None
        node = target
    found = parse_field_type(parsed, node)
    if found.is_literal_union or (not found.base and found.nullable is False):
        return found.literals
    return None


def parse_database(parsed: ParsedFile, declaration: Node) -> DatabaseType | None:
    """The `Database` type declared by `declaration`, or None when it is no object type."""
    body = _body(declaration)
    if body is None:
        return None
    tables: list[DatabaseTable] = []
    enums: list[DatabaseEnum] = []
    for schema, (_, schema_type) in _object_members(parsed, body).items():
        groups = _object_members(parsed, schema_type)
        for group, kind in (("Tables", "table"), ("Views", "view")):
            entries = _object_members(parsed, groups[group][1]) if group in groups else {}
            for table, (name_node, table_type) in entries.items():
                parts = _object_members(parsed, table_type)
                row, insert, update = (
                    parse_fields(parsed, parts[key][1]) if key in parts else ()
                    for key in ("Row", "Insert", "Update")
                )
                name_range = parsed.range_of(name_node)
                links = _relationships(parsed, parts["Relationships"][1]) \
                    if "Relationships" in parts else ()
                tables.append(DatabaseTable(schema, table, kind, row, insert, update, name_range,
                                            links))
        enum_entries = _object_members(parsed, groups["Enums"][1]) if "Enums" in groups else {}
        for enum, (name_node, enum_type) in enum_entries.items():
            values = _enum_values(parsed, enum_type)
            if values is not None:
                enums.append(DatabaseEnum(schema, enum, values, parsed.range_of(name_node)))
    name = declaration.child_by_field_name("name")
    name_range = parsed.range_of(name if name is not None else declaration)
    return DatabaseType(parsed.path, name_range, tuple(tables), tuple(enums))
