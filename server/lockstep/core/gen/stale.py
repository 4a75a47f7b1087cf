"""Is a committed generated types file what the migrations produce? (declarations, not bytes)"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lockstep.core.gen.declarations import Declarations, differences, read_declarations
from lockstep.core.gen.eras import LATEST, Era, judging_eras
from lockstep.core.gen.from_model import metadata, schemas_with_objects
from lockstep.core.gen.typescript import generate_typescript
from lockstep.core.model import Schema
from lockstep.core.replay.external import TYPES

_SECTIONS = ("Tables: {", "Views: {", "Functions: {", "Enums: {")


@dataclass(slots=True)
class Staleness:
    committed: Declarations
    schemas: list[str]  # the file's schemas that the migrations (or the platform) define
    differences: list[str]
    fresh_text: str  # the whole file as the generator would print it
    # The migrations touch tables only this file describes (replay/external.py): only what
    # they define is compared, and the file is never regenerated from them (it would lose
    # every table they do not create).
    partial: bool = False


def looks_generated(text: str) -> bool:
    """Cheap prefilter: `supabase gen types` prints these four sections in every schema."""
    return "export type Database" in text and all(s in text for s in _SECTIONS)


def staleness(schema: Schema, path: str, text: str, era: Era = LATEST) -> Staleness | None:
    """The differences between a generated types file and the migrations (None: not one),
    judged in the file's own era (eras.py: a 0.83 file lists keys to auth.users, a 0.84 one
    types a range `unknown | null` …); `fresh_text` as the generator of `era` prints it."""
    if not looks_generated(text):
        return None
    committed = read_declarations(path, text)
    if committed is None:
        return None
    known = schemas_with_objects(schema) | {"public", "graphql_public"}
    schemas = [s for s in committed.schemas if s in known]  # auth, storage …: not ours
    fresh = generate_typescript(metadata(schema, schemas),
                                postgrest_version=committed.postgrest_version, era=era)
    compared = Declarations({k: v for k, v in committed.entries.items()
                             if k.split(".", 1)[0] in schemas},
                            committed.name_range, schemas, committed.postgrest_version)
    partial = any(table.external == TYPES for table in schema.tables.values())
    best: list[str] | None = None
    for own in judging_eras(text, era):
        judged = fresh if own is era else generate_typescript(
            metadata(schema, schemas), postgrest_version=committed.postgrest_version, era=own)
        generated = read_declarations(path, judged)
        if generated is None:
            return None
        mine, theirs = _defined_only(compared, generated) if partial else (compared, generated)
        found = differences(mine, theirs)
        if best is None or len(found) < len(best):
            best = found
        if not found:
            break
    assert best is not None  # judging_eras names at least one era
    return Staleness(committed, schemas, best, fresh, partial)


def _object(key: str) -> str:
    return ".".join(key.split(".")[:3])  # public.Tables.wins


def _computed(key: str, committed: Declarations, generated: Declarations) -> bool:
    """A Row field without an Insert field that the migrations do not give: a computed
    field whose function they never create."""
    parts = key.split(".")
    if len(parts) != 5 or parts[3] != "Row" or key in generated.entries:
        return False
    insert = ".".join([*parts[:3], "Insert", parts[4]])
    return insert not in committed.entries and insert + "?" not in committed.entries


def _defined_only(committed: Declarations, generated: Declarations
                  ) -> tuple[Declarations, Declarations]:
    """Only the objects the migrations define: a table, function or enum they never create
    is not out of date, and an empty section they print is no difference either."""
    objects = {_object(k) for k in generated.entries}
    kept = {k: v for k, v in committed.entries.items()
            if _object(k) in objects and not _computed(k, committed, generated)}
    sections = {k for k in generated.entries if k.count(".") == 1
                and any(c.startswith(k + ".") for c in committed.entries)}
    fresh = {k: v for k, v in generated.entries.items() if k not in sections}
    return (replace(committed, entries=kept), replace(generated, entries=fresh))
