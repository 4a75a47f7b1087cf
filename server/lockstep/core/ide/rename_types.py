"""The TypeScript side of a rename: the hand-written row type and the generated `Database` type.

A column lives in its row type's field, in `Pick<Win, 'mood'>` / `Pick<Tables<'wins'>, 'mood'>`
keys, and in the generated type's Row/Insert/Update fields and Relationships (`columns`,
`referencedColumns`); a table in its row type's name and every reference to it, in the
generated type's table key, `referencedRelation` and `Tables<'wins'>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from tree_sitter import Node

from lockstep.core.ide.navigation import row_type
from lockstep.core.model import Key
from lockstep.core.text import Range
from lockstep.core.ts.index import type_name_for_table
from lockstep.core.ts.parse import ParsedFile, parse_source, string_literal, walk

if TYPE_CHECKING:
    from lockstep.core.ide.rename import Subject
    from lockstep.core.workspace import Workspace

Add = Callable[[str, Range, str, "Key | None"], None]  # (path, range, role, table)
_TYPE_REFS = """
[(type_identifier) @name
 (import_specifier name: (identifier) @name)
 (export_specifier name: (identifier) @name)]
"""
_GENERATED_ROWS = frozenset(("Tables", "TablesInsert", "TablesUpdate"))


class TypeClash(ValueError):
    """The renamed table's row type name is taken."""


def row_type_places(
    workspace: Workspace, subject: Subject, tables: set[Key], new_name: str, add: Add
) -> str | None:
    """The row type's field (and picked keys), or its name and every reference to it; the
    new type name when the type is renamed with its table."""
    row = row_type(workspace, subject.table)
    if subject.column is not None:
        field = row.field(subject.column) if row is not None else None
        if row is not None and field is not None:
            add(row.path, field.name_range, "plain", subject.table)
        _picked_keys(workspace, row.name if row else None, tables, subject.column, add)
        return None
    if row is None or row.table_tag is not None or row.name != type_name_for_table(subject.old):
        return None  # no type, or one tagged or mapped by name: it keeps its name
    new_type = type_name_for_table(new_name)
    clash = workspace.type_index.types_named(new_type)
    if clash:
        raise TypeClash(f"The row type `{new_type}` already exists in {clash[0].path}.")
    for path, parsed in _files_with(workspace, row.name):
        for node in parsed.captures(_TYPE_REFS, "name"):
            if parsed.text_of(node) == row.name:
                add(path, parsed.range_of(node), "type-name", subject.table)
    return new_type


def _files_with(workspace: Workspace, *needles: str) -> Iterator[tuple[str, ParsedFile]]:
    for path, text in sorted(workspace.ts_texts.items()):
        if all(needle in text for needle in needles):
            yield path, parse_source(path, text)


def _generated_row(parsed: ParsedFile, node: Node) -> tuple[str, Range] | None:
    """`Tables<'wins'>` → ('wins', the range of `wins`)."""
    if node.type != "generic_type":
        return None
    name = node.child_by_field_name("name")
    arguments = node.child_by_field_name("type_arguments")
    if name is None or arguments is None or parsed.text_of(name) not in _GENERATED_ROWS:
        return None
    for sub in walk(arguments):
        literal = string_literal(parsed, sub)
        if literal is not None:
            return literal.value, literal.range
    return None


def _picked_keys(
    workspace: Workspace, type_name: str | None, tables: set[Key], column: str, add: Add
) -> None:
    """`Pick<Win, 'id' | 'mood'>` / `Omit<Tables<'wins'>, …>` name the field as a string."""
    names = {key[1] for key in tables}
    for path, text in sorted(workspace.ts_texts.items()):
        if column not in text or ("Pick" not in text and "Omit" not in text):
            continue
        if "Tables" not in text and (type_name is None or type_name not in text):
            continue
        parsed = parse_source(path, text)
        for node in parsed.captures("(generic_type) @generic", "generic"):
            name = node.child_by_field_name("name")
            arguments = node.child_by_field_name("type_arguments")
            members = arguments.named_children if arguments is not None else []
            if name is None or parsed.text_of(name) not in ("Pick", "Omit") or len(members) != 2:
                continue
            generated = _generated_row(parsed, members[0])
            if parsed.text_of(members[0]) != type_name and not (
                generated and generated[0] in names
            ):
                continue
            for sub in walk(members[1]):
                literal = string_literal(parsed, sub)
                if literal is not None and literal.value == column:
                    add(path, literal.range, "plain", None)


def generated_places(workspace: Workspace, subject: Subject, tables: set[Key], add: Add) -> None:
    """The generated `Database` type, its Relationships and `Tables<'t'>` references."""
    for database in workspace.type_index.databases:
        for entry in database.tables:
            key = (entry.schema, entry.name)
            if key not in tables:
                continue
            if subject.column is None:
                add(database.path, entry.name_range, "plain", key)
                continue
            for field in (*entry.row, *entry.insert, *entry.update):
                if field.name == subject.column:
                    add(database.path, field.name_range, "plain", key)
        text = workspace.ts_texts.get(database.path) or workspace.read(database.path) or ""
        _relationships(parse_source(database.path, text), subject, tables, add)
    if subject.column is None:
        by_name = {key[1]: key for key in tables}
        for path, parsed in _files_with(workspace, "Tables"):
            for node in parsed.captures("(generic_type) @generic", "generic"):
                found = _generated_row(parsed, node)
                if found is not None and found[0] in by_name:
                    add(path, found[1], "plain", by_name[found[0]])


def _strings(parsed: ParsedFile, node: Node | None) -> Iterator[tuple[str, Range]]:
    for sub in walk(node) if node is not None else ():
        literal = string_literal(parsed, sub)
        if literal is not None:
            yield literal.value, literal.range


def _relationships(parsed: ParsedFile, subject: Subject, tables: set[Key], add: Add) -> None:
    """`{ columns: ["mood"]; referencedRelation: "wins"; referencedColumns: ["id"] }`."""
    by_name = {key[1]: key for key in tables}
    for entry in parsed.captures("(object_type) @entry", "entry"):
        members: dict[str, Node] = {}
        for child in entry.named_children:
            name = child.child_by_field_name("name") if child.type == "property_signature" else None
            annotation = child.child_by_field_name("type") if name is not None else None
            if name is not None and annotation is not None:
                members[parsed.text_of(name)] = annotation
        if "referencedRelation" not in members:
            continue
        referenced = next(_strings(parsed, members["referencedRelation"]), None)
        owner = _owner(parsed, entry)
        if subject.column is None:
            if referenced is not None and referenced[0] in by_name:
                add(parsed.path, referenced[1], "plain", by_name[referenced[0]])
            continue
        target = referenced[0] if referenced is not None else None
        for part, table in (("columns", owner), ("referencedColumns", target)):
            if table not in by_name:
                continue
            for value, where in _strings(parsed, members.get(part)):
                if value == subject.column:
                    add(parsed.path, where, "plain", by_name[table])


def _owner(parsed: ParsedFile, entry: Node) -> str | None:
    """The table whose `Relationships` list holds `entry`."""
    inside = False
    current = entry.parent
    while current is not None:
        if current.type == "property_signature":
            name_node = current.child_by_field_name("name")
            name = parsed.text_of(name_node).strip("'\"") if name_node is not None else ""
            if inside:
                return name
            inside = name == "Relationships"
        current = current.parent
    return None
