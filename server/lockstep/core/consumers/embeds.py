"""Which table a column of an embedded resource belongs to, resolved as PostgREST does.

`author:users!posts_author_id_fkey(name)` embeds `users`; `author_id(name)` embeds what the
foreign-key column points at; filters and `.order()` name embeds by alias or name, nested
with dots (`identities.notifications.read`). An embed that names a function (a computed
relationship) or nothing the model knows stays unresolved, and its columns are not judged:
saying nothing beats guessing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lockstep.core.consumers.postgrest import Embed, Selection
from lockstep.core.model import Key, Schema, Table

Path = tuple[str, ...]


def _owners(schema: Schema, parent: Key | None) -> list[Table]:
    """The table itself, or the tables a view reads (PostgREST follows their foreign keys)."""
    if parent is None:
        return []
    if parent in schema.tables:
        return [schema.tables[parent]]
    view = schema.views.get(parent)
    reads = sorted(view.depends_on) if view is not None else []
    return [schema.tables[key] for key in reads if key in schema.tables]


def relation_target(schema: Schema, parent: Key | None, name: str) -> Key | None:
    """The table or view an embed named `name` reaches from `parent` (a table or a view)."""
    space = parent[0] if parent is not None else "public"
    if (space, name) in schema.tables or (space, name) in schema.views:
        return (space, name)
    for owner in _owners(schema, parent):
        for fk in owner.foreign_keys:
            if name == fk.name or fk.columns == [name]:  # `posts_author_id_fkey(…)`, `author_id(…)`
                return (fk.ref_schema, fk.ref_table)
    for key, table in schema.tables.items():  # a constraint that points at the parent
        if any(
            fk.name == name and (fk.ref_schema, fk.ref_table) == parent for fk in table.foreign_keys
        ):
            return key
    return None  # a computed relationship (a function) or something the model lacks


@dataclass(frozen=True, slots=True)
class Resolved:
    """An embed of a select string and the table or view it reaches (None: unresolved)."""

    embed: Embed
    target: Key | None


@dataclass(slots=True)
class EmbedMap:
    """Every embed of a query's select strings, by path of aliases (or names)."""

    base: Key
    by_path: dict[Path, Resolved] = field(default_factory=dict)

    def add(self, selection: Selection, schema: Schema, parent: Key | None, path: Path) -> None:
        for embed in selection.embeds:
            target = relation_target(schema, parent, embed.relation) if parent else None
            resolved = Resolved(embed, target)
            inner = (*path, embed.alias or embed.relation)
            self.by_path.setdefault(inner, resolved)
            if embed.alias:  # filters may also name an aliased embed by its relation
                self.by_path.setdefault((*path, embed.relation), resolved)
            self.add(embed.selection, schema, target, inner)

    def owner(self, path: Path) -> Key | None:
        """The table a column at `path` belongs to; None when the embed is unknown."""
        if not path:
            return self.base
        found = self.by_path.get(path)
        return found.target if found is not None else None

    def embed(self, path: Path) -> Embed | None:
        found = self.by_path.get(path)
        return found.embed if found is not None else None


def embed_map(schema: Schema, base: Key, selections: Iterable[Selection]) -> EmbedMap:
    mapped = EmbedMap(base)
    for selection in selections:
        mapped.add(selection, schema, base, ())
    return mapped
