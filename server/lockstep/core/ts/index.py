"""Index of the TypeScript row types in `packages/types/src/`.

Rules compare these types with the schema replayed from the migrations, so every field keeps
its Ranges, its optionality and a small model of its type (union members, `| null`, arrays,
string-literal unions). Per-file indexing (`types_file.py`) is pure and cacheable;
`build_type_index` joins the files: which table each type describes and what `index.ts`
exports. A Supabase-generated `Database` type is read by `lockstep.core.ts.database`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lockstep.core.ts.database import DatabaseTable
from lockstep.core.ts.parse import FieldType, ReExport, TypeField
from lockstep.core.ts.types_file import RowType, TypeAlias, TypesFile, index_types_file

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
