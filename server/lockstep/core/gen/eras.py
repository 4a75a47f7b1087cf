"""What Supabase's type generator printed in each era, as data.

Real repos commit the file the generator of their pinned Supabase CLI printed. Each era is the
set of postgres-meta releases whose TypeScript template (and the Prettier their Docker image
locked) prints the same text; the differences were measured by running each release on the
differential test's fixtures (tests/pg/test_gen_types_vs_postgres_meta.py), those npm lacks
once, built from their git tags with their lockfile (see _ERA_STARTS).

  0.83  0.80–0.83      `PublicSchema` helpers, no CompositeTypes helper, keys to other schemas
  0.84  0.84–0.85      + CompositeTypes helper, a relation's row type is `unknown`
  0.86  0.86.0–0.86.2  + row types named (`Database["public"]["Tables"]["t"]["Row"]`)
  0.86.3 0.86.3        + `DefaultSchema` helpers over `keyof Database`
  0.87  0.87.0–0.88.0  + `Constants`
  0.88  0.88.1–0.90    + one entry per function name: Args union, first overload's Returns
  0.91  0.91.0–0.91.3  + `DatabaseWithoutInternals` helpers
  0.91.4 0.91.4        + arguments sorted by name
  0.91.5 0.91.5–0.91.7 + RETURNS TABLE columns sorted by name
  0.92  0.92.0–0.93.0  today's function template (SetofOptions, errors, `Args: never`, no
                       `unknown | null`), overloads by body (descending), partitioned rows
                       missing from the type list, `interval` unknown
  0.93  0.93.1–0.94.0  + partitioned rows listed
  0.94  0.94.1–0.95.1  + overloads by argument types
  0.95  0.95.2–0.98    + `interval` as string
  0.99  0.99           NonNullable<Json>, `never` for generated columns, view writes split …
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from lockstep.core.gen.lockfiles import Version, parse_version, pinned_cli


@dataclass(frozen=True, slots=True)
class Era:
    name: str  # what --generator-version takes
    releases: str  # the postgres-meta releases it covers
    helpers: str  # which helper block follows `Database` (helpers.py)
    constants: bool  # `export const Constants` after the helpers
    legacy_functions: bool  # the 0.83–0.91 template: `in` args only, no SetofOptions …
    cross_schema_relationships: bool  # foreign keys to other schemas (auth.users) listed
    views_by_key_name: bool  # a view's relationships sorted by key name only (else: and target)
    nullable_unknown: bool  # `unknown | null` (later: `unknown` already holds null)
    interval_is_string: bool
    non_nullable_json: bool  # NOT NULL json columns: `NonNullable<Json>`
    generated_never: bool  # generated columns: `?: never` in Insert/Update
    empty_args: str  # the Args of a function without input arguments
    split_view_writes: bool  # views: Insert when insertable, Update when updatable
    computed_by_row_arg: bool  # computed fields: any single row argument (else: unnamed only)
    computed_on_views: bool
    # 0.88.1–0.91: one entry per name, `Args` the union of the overloads' (written inline),
    # `Returns` the first overload's
    merged_overloads: bool = False
    args_by_name: bool = True  # arguments sorted by name (else as declared)
    returns_by_name: bool = True  # RETURNS TABLE columns sorted by name (else as declared)
    row_types_listed: bool = True  # relations' row types named (0.86; else `unknown`)
    overloads_by_body: bool = False  # 0.92–0.94.0: overloads by body text, descending
    partitioned_row_types: bool = True  # a partitioned table's row type is listed (0.93.1)


LATEST = Era("0.99", "0.99", "0.99", constants=True, legacy_functions=False,
             cross_schema_relationships=False, views_by_key_name=False,
             nullable_unknown=False, interval_is_string=True,
             non_nullable_json=True, generated_never=True, empty_args="Record<PropertyKey, never>",
             split_view_writes=True, computed_by_row_arg=True, computed_on_views=True)
ERA_095 = Era("0.95", "0.95.2–0.98", "0.95", constants=True, legacy_functions=False,
              cross_schema_relationships=False, views_by_key_name=False,
              nullable_unknown=False, interval_is_string=True,
              non_nullable_json=False, generated_never=False, empty_args="never",
              split_view_writes=False, computed_by_row_arg=False, computed_on_views=True)
# Measured: 0.93.1 is 0.95.2 but for `interval` (unknown; fixed in 0.95.2) and the order of
# overloads (by argument types since 0.94.1). 0.94.1–0.95.1 (not on npm) have the one fix.
ERA_094 = replace(ERA_095, name="0.94", releases="0.94.1–0.95.1", interval_is_string=False)
ERA_093 = replace(ERA_094, name="0.93", releases="0.93.1–0.94.0", overloads_by_body=True)
# Measured on 0.93.0: arguments of a partitioned table's row type are `unknown`.
ERA_092 = replace(ERA_093, name="0.92", releases="0.92.0–0.93.0", partitioned_row_types=False)
# Measured on 0.91.5 and 0.91.6: today's helpers and Constants, the older function template.
ERA_091 = replace(ERA_092, name="0.91.5", releases="0.91.5–0.91.7", legacy_functions=True,
                  nullable_unknown=True, empty_args="Record<PropertyKey, never>",
                  computed_on_views=False, merged_overloads=True, overloads_by_body=False)
# Measured on 0.91.4 (built from its tag): arguments sorted, returned columns not yet.
ERA_0914 = replace(ERA_091, name="0.91.4", releases="0.91.4", returns_by_name=False)
# 0.91.0–0.91.3 (not on npm): the measured 0.90 template with 0.91's helpers.
ERA_0910 = replace(ERA_0914, name="0.91", releases="0.91.0–0.91.3", args_by_name=False)
# Measured on 0.90.0 (built from its tag, with its lockfile's Prettier): `keyof Database`.
ERA_088 = replace(ERA_0910, name="0.88", releases="0.88.1–0.90", helpers="0.87")
ERA_084 = Era("0.84", "0.84–0.85", "0.84", constants=False, legacy_functions=True,
              cross_schema_relationships=False, views_by_key_name=False,
              nullable_unknown=True, interval_is_string=False,
              non_nullable_json=False, generated_never=False,
              empty_args="Record<PropertyKey, never>", split_view_writes=False,
              computed_by_row_arg=False, computed_on_views=False, args_by_name=False,
              returns_by_name=False, row_types_listed=False, partitioned_row_types=False)
# Measured on 0.87.1 (built from its tag): 0.84's functions naming row types, 0.88's helpers.
ERA_087 = replace(ERA_084, name="0.87", releases="0.87.0–0.88.0", helpers="0.87",
                  constants=True, row_types_listed=True)
# Measured on 0.86.3 (built from its tag): 0.87 before Constants.
ERA_0863 = replace(ERA_087, name="0.86.3", releases="0.86.3", constants=False)
# Measured on 0.86.2 (built from its tag): 0.84 naming row types (the 0.86.0 type list).
ERA_086 = replace(ERA_084, name="0.86", releases="0.86.0–0.86.2", row_types_listed=True)
ERA_083 = replace(ERA_084, name="0.83", releases="0.80–0.83", helpers="0.83",
                  cross_schema_relationships=True, views_by_key_name=True)
ERAS = {era.name: era for era in (ERA_083, ERA_084, ERA_086, ERA_0863, ERA_087, ERA_088, ERA_0910,
                                  ERA_0914, ERA_091, ERA_092, ERA_093, ERA_094, ERA_095, LATEST)}

# The first postgres-meta release of each era, and where the era list starts (older: 0.83).
# Run in the differential test: 0.83.2, 0.84.2, 0.91.5, 0.91.6, 0.93.0, 0.93.1, 0.95.2,
# 0.96.1, 0.99.0 (npm has no other release from 0.84 to 0.95); once, built from their tags:
# 0.85.4, 0.86.2, 0.86.3, 0.87.1, 0.90.0, 0.91.4, 0.92.0, 0.95.1, and from npm: 0.96.6,
# 0.97.0, 0.98.0. The starts are commits in postgres-meta's history: 0.86.0 row types in the
# type list, 0.86.3 `DefaultSchema` helpers, 0.87.0 Constants, 0.88.1 merged overloads,
# 0.91.0 `__InternalSupabase`, 0.91.4 sorted arguments, 0.91.5 sorted returned columns,
# 0.92.0 the SetofOptions template, 0.93.1 partitioned row types, 0.94.1 overloads by
# argument types, 0.95.2 `interval` as string.
_ERA_STARTS = ((0, 0, 0), ERA_083), ((0, 84, 0), ERA_084), ((0, 86, 0), ERA_086), \
    ((0, 86, 3), ERA_0863), ((0, 87, 0), ERA_087), ((0, 88, 1), ERA_088), ((0, 91, 0), ERA_0910), \
    ((0, 91, 4), ERA_0914), ((0, 91, 5), ERA_091), ((0, 92, 0), ERA_092), ((0, 93, 1), ERA_093), \
    ((0, 94, 1), ERA_094), ((0, 95, 2), ERA_095), ((0, 99, 0), LATEST)
# The Supabase CLI releases that changed the postgres-meta image they run (its git history:
# the `postgres-meta:vX` image the CLI pins), first CLI release → postgres-meta release.
_CLI_PG_META = (
    ((1, 151, 0), (0, 80, 0)), ((1, 181, 0), (0, 83, 0)), ((1, 182, 1), (0, 83, 2)),
    ((1, 207, 4), (0, 84, 1)), ((1, 207, 6), (0, 84, 2)), ((2, 0, 0), (0, 84, 2)),
    ((2, 15, 4), (0, 86, 0)), ((2, 18, 0), (0, 86, 1)), ((2, 20, 4), (0, 87, 1)),
    ((2, 20, 9), (0, 88, 2)), ((2, 21, 2), (0, 88, 7)), ((2, 22, 2), (0, 88, 9)),
    ((2, 22, 14), (0, 89, 0)), ((2, 24, 1), (0, 89, 3)), ((2, 31, 1), (0, 91, 0)),
    ((2, 33, 9), (0, 91, 4)), ((2, 34, 1), (0, 91, 5)), ((2, 40, 4), (0, 91, 6)),
    ((2, 50, 4), (0, 91, 7)), ((2, 53, 1), (0, 92, 0)), ((2, 53, 3), (0, 93, 0)),
    ((2, 54, 10), (0, 93, 1)), ((2, 65, 7), (0, 95, 0)), ((2, 66, 1), (0, 95, 1)),
    ((2, 72, 3), (0, 95, 2)), ((2, 76, 16), (0, 96, 0)), ((2, 77, 0), (0, 96, 1)),
    ((2, 102, 0), (0, 96, 6)),
)


def era_of_generator(version: Version) -> Era:
    """The era of a postgres-meta release."""
    found = ERA_083
    for start, era in _ERA_STARTS:
        if version >= start:
            found = era
    return found


def era_named(text: str) -> Era | None:
    """--generator-version: an era name, or any postgres-meta release (`0.96.1`)."""
    if text in ERAS:
        return ERAS[text]
    version = parse_version(text)
    return era_of_generator(version) if version is not None else None


def era_of_cli(version: Version) -> Era:
    """The era of the generator a Supabase CLI release runs (`supabase gen types`)."""
    pg_meta = _CLI_PG_META[0][1]
    for first, released in _CLI_PG_META:
        if version >= first:
            pg_meta = released
    return era_of_generator(pg_meta)


def project_era(read: Callable[[str], str | None]) -> Era:
    """The era `supabase gen types` prints in for this project (today's without a pin)."""
    version = pinned_cli(read)
    return era_of_cli(version) if version is not None else LATEST


def text_eras(text: str) -> list[Era] | None:
    """The eras a committed generated file can come from, told by what only they printed
    (the helpers' names, `NonNullable<Json>`, `Args: never`, `unknown | null`), likeliest
    first; None when nothing tells. 0.92–0.98 differ in what a file may not show (`interval`
    columns, the order of overloads), so all of them are candidates."""
    if "type PublicSchema =" in text:
        if "export type CompositeTypes<" not in text:
            return [ERA_083]
        return [ERA_084, ERA_086]
    if "type DefaultSchema = Database[" in text:  # before `__InternalSupabase`
        return [ERA_088, ERA_087, ERA_0863]
    if "type DefaultSchema =" not in text:
        return None
    if "extends (DefaultSchema" in text or "NonNullable<Json>" in text:
        return [LATEST]
    recent = [ERA_095, ERA_094, ERA_093, ERA_092]
    if "Args: never" in text or "SetofOptions: {" in text:
        return recent
    if "Args: Record<PropertyKey, never>" in text or "unknown | null" in text:
        return [ERA_091, ERA_0914, ERA_0910]
    return [*recent, ERA_091, ERA_0914, ERA_0910]


def era_of_text(text: str) -> Era | None:
    """The likeliest era of a committed generated file (text_eras)."""
    found = text_eras(text)
    return found[0] if found else None


def _legacy_helpers(era: Era) -> bool:
    return era.helpers in ("0.83", "0.84")


def judging_eras(text: str, preferred: Era) -> list[Era]:
    """The eras to judge a committed file in, first the one it matches best: `preferred`
    (the pinned CLI's) when the file could come from it or from its family of helpers
    (`PublicSchema`: 0.83–0.84; a file trimmed of a helper is no proof of 0.83), else the
    eras the file's text allows (the judge keeps the one it differs least from)."""
    own = text_eras(text)
    if own is None:
        return [preferred]
    if preferred in own or (_legacy_helpers(preferred) and _legacy_helpers(own[0])):
        return [preferred, *(e for e in own if e is not preferred)]
    return own


def types_era(read: Callable[[str], str | None], text: str | None) -> Era:
    """The era to regenerate a file in: the pinned CLI's, else the file's own, else today's."""
    version = pinned_cli(read)
    if version is not None:
        return era_of_cli(version)
    return (era_of_text(text) if text is not None else None) or LATEST
