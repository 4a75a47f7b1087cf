"""Index of the TypeScript row types in `packages/types/src/`.

Rules compare these types with the schema replayed from the migrations, so every field keeps
its Ranges, its optionality and a small model of its type (union members, `| null`, arrays,
string-literal unions). Per-file indexing is pure and cacheable; `build_type_index` joins the
files: which table each type describes and what `index.ts` exports. A Supabase-generated
`Database` type is read by `lockstep.core.ts.database`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tree_sitter import Node

from lockstep.core.text import Range
from lockstep.core.ts.database import DatabaseTable, DatabaseType, generated_row_of, parse_database
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

__all__ = [
    "FieldType",
    "ReExport",
    "RowType",
    "TypeAlias",
    "TypeField",
    "TypeIndex",
    "TypesFile",
    "build_type_index",
    "index_types_file",
    "type_name_for_table",
]

_IRREGULAR = {
    "people": "person",
    "children": "child",
    "statuses": "status",
    "buses": "bus",
    "analyses": "analysis",
    "indices": "index",
    "data": "data",
    "media": "media",
    "series": "series",
    "news": "news",
}
_STRIP_ES = ("sses", "shes", "ches", "xes", "zzes", "tuses", "suses", "nuses", "ruses", "iases")


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


def singular(word: str) -> str:
    """English singular for table names; good enough for snake_case plural table names."""
    lower = word.lower()
    if lower in _IRREGULAR:
        return word[: len(word) - len(lower)] + _IRREGULAR[lower]
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + "y"
    if lower.endswith(_STRIP_ES):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _pascal(parts: Iterable[str]) -> str:
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def type_name_for_table(table: str) -> str:
    """`coaching_notes` → `CoachingNote`: PascalCase with the last word made singular."""
    parts = table.split(".")[-1].split("_")
    return _pascal([*parts[:-1], singular(parts[-1])])


def _type_name_candidates(table: str) -> tuple[str, ...]:
    plural = _pascal(table.split(".")[-1].split("_"))
    preferred = type_name_for_table(table)
    return (preferred,) if plural == preferred else (preferred, plural)


# --- per-file indexing ----------------------------------------------------------------


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


def _bare_table(name: str) -> str:
    return name.rsplit(".", 1)[-1]


class TypeIndex:
    """All row types of the workspace, their tables, and what the types index exports."""

    def __init__(
        self, files: Mapping[str, TypesFile], index_path: str, type_map: Mapping[str, str]
    ) -> None:
        self.files = dict(files)
        self.index_path = index_path
        self.type_map = {name: _bare_table(table) for name, table in type_map.items()}
        self.types = sorted(
            (row for file in self.files.values() for row in file.types),
            key=lambda row: (row.path, row.range.start),
        )
        self._by_name: dict[str, list[RowType]] = {}
        self._tagged: dict[str, list[RowType]] = {}
        for row in self.types:
            self._by_name.setdefault(row.name, []).append(row)
            if row.table_tag:
                self._tagged.setdefault(_bare_table(row.table_tag), []).append(row)
        self.databases = [f.database for f in self.files.values() if f.database is not None]
        self._memo: dict[str, dict[str, tuple[str, str]]] = {}
        self._for_table: dict[str, RowType | None] = {}  # kept while the types are unchanged
        self.exports = self._exports_of(index_path, set()) if self.has_index else {}
        self._exported = set(self.exports.values())
        self.exported_files = frozenset(path for path, _ in self._exported)

    @property
    def has_index(self) -> bool:
        return self.index_path in self.files

    def types_named(self, name: str) -> list[RowType]:
        return list(self._by_name.get(name, ()))

    def is_exported(self, row: RowType) -> bool:
        """Reachable from the types index (`export *`, named re-exports, local exports)."""
        return (row.path, row.name) in self._exported

    def _resolve_module(self, target: str | None) -> str | None:
        if target is None:
            return None
        for suffix in (".ts", ".tsx", ".d.ts", "/index.ts", "/index.tsx", ""):
            if target + suffix in self.files:
                return target + suffix
        return None

    def _exports_of(self, path: str, visiting: set[str]) -> dict[str, tuple[str, str]]:
        """Exported name → (defining file, type name), following re-exports (cycle-safe)."""
        if path in self._memo:
            return self._memo[path]
        file = self.files.get(path)
        if file is None or path in visiting:
            return {}
        visiting = visiting | {path}
        own = {row.name for row in file.types} | {alias.name for alias in file.aliases}
        out = {name: (path, name) for name in own if self._declared_exported(file, name)}
        imported = {local: (target, name) for local, target, name in file.imports}
        for local, exported in file.local_exports:
            if local in own:
                out[exported] = (path, local)
            elif local in imported:
                target, name = imported[local]
                source = self._resolve_module(target)
                found = self._exports_of(source, visiting).get(name) if source else None
                if found is not None:
                    out[exported] = found
        for reexport in file.reexports:
            source = self._resolve_module(reexport.target)
            sub = self._exports_of(source, visiting) if source else {}
            if reexport.names is None:
                prefix = f"{reexport.namespace}." if reexport.namespace else ""
                for name, where in sub.items():
                    out.setdefault(prefix + name, where)
            else:
                for name, exported in reexport.names:
                    if name in sub:
                        out[exported] = sub[name]
        self._memo[path] = out
        return out

    @staticmethod
    def _declared_exported(file: TypesFile, name: str) -> bool:
        rows: tuple[RowType | TypeAlias, ...] = (*file.types, *file.aliases)
        return any(row.exported for row in rows if row.name == name)

    def _best(self, rows: Iterable[RowType]) -> RowType | None:
        ordered = sorted(rows, key=lambda row: (not self.is_exported(row), not row.exported))
        return ordered[0] if ordered else None

    def _claimed_elsewhere(self, row: RowType, table: str) -> bool:
        claimed = _bare_table(row.table_tag) if row.table_tag else self.type_map.get(row.name)
        return claimed is not None and claimed != table

    def type_for_table(self, table: str) -> RowType | None:
        """@table tag first, then `[types.map]`, then the PascalCase-singular convention.
        Remembered: every type rule asks it of every table after each migration edit."""
        if table in self._for_table:
            return self._for_table[table]
        found = self._type_for_table(_bare_table(table))
        self._for_table[table] = found
        return found

    def _type_for_table(self, table: str) -> RowType | None:
        if table in self._tagged:
            return self._best(self._tagged[table])
        mapped = [name for name, target in self.type_map.items() if target == table]
        for name in sorted(mapped):
            if found := self._best(self._by_name.get(name, ())):
                return found
        for name in _type_name_candidates(table):
            rows = [r for r in self._by_name.get(name, ()) if not self._claimed_elsewhere(r, table)]
            if found := self._best(rows):
                return found
        return None

    def table_for_type(self, row: RowType, table_names: Iterable[str]) -> str | None:
        """The table a type describes, among the tables the schema knows."""
        if row.table_tag:
            return _bare_table(row.table_tag)
        if row.name in self.type_map:
            return self.type_map[row.name]
        tables = [_bare_table(table) for table in table_names]
        for position in (0, 1):
            for table in tables:
                candidates = _type_name_candidates(table)
                if len(candidates) > position and candidates[position] == row.name:
                    return table
        return None

    def resolve(self, table_names: Iterable[str]) -> dict[str, RowType]:
        """Table → row type for every given table that has one."""
        found = {table: self.type_for_table(table) for table in table_names}
        return {table: row for table, row in found.items() if row is not None}

    def row_alias_for_table(self, table: str) -> TypeAlias | None:
        """An alias of the generated Row type (`type Win = Tables<'wins'>`) for the table."""
        table = _bare_table(table)
        aliases = [a for f in self.files.values() for a in f.aliases if a.row_of == table]
        return min(aliases, key=lambda a: (a.path, a.range.start), default=None)

    def imported_type(self, target: str, name: str) -> RowType | TypeAlias | None:
        """What `import { name } from '<target>'` names, when a types file declares it
        (followed through re-exports); `target` is a workspace path without extension."""
        source = self._resolve_module(target)
        found = self._exports_of(source, set()).get(name) if source is not None else None
        file = self.files.get(found[0]) if found is not None else None
        if found is None or file is None:
            return None
        declared: tuple[RowType | TypeAlias, ...] = (*file.types, *file.aliases)
        return next((row for row in declared if row.name == found[1]), None)

    def database_table(self, table: str, schema: str = "public") -> DatabaseTable | None:
        for database in self.databases:
            for entry in database.tables:
                if entry.name == table and entry.schema == schema:
                    return entry
        return None


def build_type_index(
    files: dict[str, TypesFile],
    index_path: str = "packages/types/src/index.ts",
    type_map: dict[str, str] | None = None,
) -> TypeIndex:
    return TypeIndex(files, index_path, type_map or {})
