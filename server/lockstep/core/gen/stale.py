"""Is a committed generated types file what the migrations produce? (declarations, not bytes)"""

from __future__ import annotations

from dataclasses import dataclass

from lockstep.core.gen.declarations import Declarations, differences, read_declarations
from lockstep.core.gen.from_model import metadata, schemas_with_objects
from lockstep.core.gen.typescript import generate_typescript
from lockstep.core.model import Schema

_SECTIONS = ("Tables: {", "Views: {", "Functions: {", "Enums: {")


@dataclass(slots=True)
class Staleness:
    committed: Declarations
    schemas: list[str]  # the file's schemas that the migrations (or the platform) define
    differences: list[str]
    fresh_text: str  # the whole file as the generator would print it


def looks_generated(text: str) -> bool:
    """Cheap prefilter: `supabase gen types` prints these four sections in every schema."""
    return "export type Database" in text and all(s in text for s in _SECTIONS)


def staleness(schema: Schema, path: str, text: str) -> Staleness | None:
    """The differences between a generated types file and the migrations (None: not one)."""
    if not looks_generated(text):
        return None
    committed = read_declarations(path, text)
    if committed is None:
        return None
    known = schemas_with_objects(schema) | {"public", "graphql_public"}
    schemas = [s for s in committed.schemas if s in known]  # auth, storage …: not ours
    fresh = generate_typescript(metadata(schema, schemas),
                                postgrest_version=committed.postgrest_version)
    generated = read_declarations(path, fresh)
    if generated is None:
        return None
    compared = Declarations({k: v for k, v in committed.entries.items()
                             if k.split(".", 1)[0] in schemas},
                            committed.name_range, schemas, committed.postgrest_version)
    return Staleness(committed, schemas, differences(compared, generated), fresh)
