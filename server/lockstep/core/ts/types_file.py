"""One TypeScript types file indexed: its row types (object aliases and interfaces), its other
aliases, what it imports and re-exports, and a generated `Database` type if it has one.

Pure and cacheable per file (the workspace keeps the result in its disk cache); joining the
files into the workspace's `TypeIndex` is `index.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tree_sitter import Node

from lockstep.core.text import Range
from lockstep.core.ts.database import DatabaseType, generated_row_of, parse_database
from lockstep.core.ts.parse import (
    FieldType,
    ReExport,
    TypeField,
    first_child,
    jsdoc,
    module_statements,
    parse_field_type,
    parse_fields,
    parse_source,
)


@dataclass(frozen=True, slots=True)
class RowType:
    """An object type alias or interface, candidate row type for a table."""

    name: str
    path: str
    kind: str  # "type" | "interface"
    exported: bool
    fields: tuple[TypeField, ...]
    doc: str | None
    table_tag: str | None  # from `/** @table name */`
    name_range: Range
    range: Range
    extends: tuple[str, ...] = ()

    def field(self, name: str) -> TypeField | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True, slots=True)
class TypeAlias:
    """A non-object alias such as `type Mood = 'happy' | 'sad'`."""

    name: str
    path: str
    exported: bool
    type: FieldType
    name_range: Range
    range: Range
    row_of: str | None = None  # `Tables<'wins'>` / `Database['public']['Tables']['wins']['Row']`


@dataclass(frozen=True, slots=True)
class TypesFile:
    path: str
    types: tuple[RowType, ...] = ()
    aliases: tuple[TypeAlias, ...] = ()
    reexports: tuple[ReExport, ...] = ()
    local_exports: tuple[tuple[str, str], ...] = ()  # `export { A as B }` without a source
    imports: tuple[tuple[str, str, str], ...] = ()  # (local, target, imported)
    database: DatabaseType | None = None
    has_errors: bool = False


def _table_tag(doc: str | None) -> str | None:
    if not doc:
        return None
    words = doc.replace("\n", " ").split()
    for index, word in enumerate(words[:-1]):
        if word == "@table":
            return words[index + 1].strip("`'\"")
    return None


def _object_parts(node: Node) -> tuple[list[Node], list[Node]]:
    """Split an alias value into object bodies and the other intersection members."""
    members = node.named_children if node.type == "intersection_type" else [node]
    bodies: list[Node] = []
    others: list[Node] = []
    for member in members:
        if member.type == "intersection_type":
            sub_bodies, sub_others = _object_parts(member)
            bodies += sub_bodies
            others += sub_others
        elif member.type == "object_type":
            bodies.append(member)
        else:
            others.append(member)
    return bodies, others


def _declarations(root: Node) -> Iterable[tuple[Node, bool]]:
    """Top-level type declarations (looking inside ERROR nodes too) with their exported flag."""
    stack = list(reversed(root.named_children))
    while stack:
        node = stack.pop()
        if node.type == "ERROR":
            stack.extend(reversed(node.named_children))
        elif node.type == "export_statement":
            declaration = node.child_by_field_name("declaration")
            if declaration is not None:
                yield declaration, True
        elif node.type in ("type_alias_declaration", "interface_declaration"):
            yield node, False


def index_types_file(path: str, text: str) -> TypesFile:
    """Index one types file. Pure; broken TypeScript yields what tree-sitter recovered."""
    parsed = parse_source(path, text)
    types: list[RowType] = []
    aliases: list[TypeAlias] = []
    database: DatabaseType | None = None
    reexports, local, imports = module_statements(parsed)
    exported_locally = {name for name, _ in local}
    for declaration, exported in _declarations(parsed.root):
        name_node = declaration.child_by_field_name("name")
        if name_node is None:
            continue
        name = parsed.text_of(name_node)
        exported = exported or name in exported_locally
        holder = declaration.parent if exported and declaration.parent else declaration
        holder = holder if holder.type == "export_statement" else declaration
        doc = jsdoc(parsed, holder)
        if name == "Database" and database is None:
            found = parse_database(parsed, declaration)
            if found is not None:
                database = found
                continue
        if declaration.type == "interface_declaration":
            body = declaration.child_by_field_name("body")
            bodies = [body] if body is not None else []
            clause = first_child(declaration, "extends_type_clause")
            others = clause.named_children if clause is not None else []
            kind = "interface"
        else:
            value = declaration.child_by_field_name("value")
            if value is None:
                continue
            bodies, others = _object_parts(value)
            if not bodies:
                type_ = parse_field_type(parsed, value)
                name_range, range_ = parsed.range_of(name_node), parsed.range_of(declaration)
                row_of = generated_row_of(parsed, value)
                aliases.append(TypeAlias(name, path, exported, type_, name_range, range_, row_of))
                continue
            kind = "type"
        fields = tuple(field for body in bodies for field in parse_fields(parsed, body))
        types.append(
            RowType(
                name,
                path,
                kind,
                exported,
                fields,
                doc,
                _table_tag(doc),
                parsed.range_of(name_node),
                parsed.range_of(declaration),
                tuple(parsed.text_of(other) for other in others),
            )
        )
    return TypesFile(
        path,
        tuple(types),
        tuple(aliases),
        tuple(reexports),
        tuple(local),
        tuple(imports),
        database,
        parsed.root.has_error,
    )
