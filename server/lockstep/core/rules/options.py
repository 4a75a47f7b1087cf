"""The `lockstep.toml` settings that rules read, so each rule's docs can list its own."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Option:
    key: str  # "[rls] internal_tables"
    meaning: str


MIGRATION_PATHS = Option("[migrations] paths", "the folders that hold migrations")
INTERNAL_TABLES = Option(
    "[rls] internal_tables", "tables only the service role uses (no RLS, no mirror, no type)"
)
EXPOSED_SCHEMAS = Option("[rls] exposed_schemas", "the schemas the Data API serves")
MIRROR_PREFIX = Option("[mirror] prefix", 'the simulator tables\' prefix (`"sim_"`)')
TYPES_PATH = Option("[types] path", "the folder of the hand-written row types")
TYPES_INDEX = Option("[types] index", "the file that exports every row type")
TYPES_MAP = Option("[types] map", "row type names that do not follow the table name")
TYPES_STYLE = Option(
    "[types] style", '`"convention"` (defaults make fields optional) or `"generated"`'
)
CLONE_ROUTES = Option("[clone] routes", "the simulator clone route files")
