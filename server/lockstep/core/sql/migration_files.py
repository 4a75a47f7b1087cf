"""Migration file names: versions, naming styles and replay order."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

# File *names*, not SQL: a byte-level check is the whole job here.
_NUMBERED = re.compile(r"^(\d{1,6})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$")
_TIMESTAMP = re.compile(r"^(\d{14})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$")

NUMBERED = "numbered"
TIMESTAMP = "timestamp"


@dataclass(frozen=True, slots=True)
class MigrationName:
    path: str  # relative to the workspace root
    file_name: str
    version: str | None  # the digits before the first "_", as written
    style: str | None  # NUMBERED, TIMESTAMP, or None for a name that fits neither
    well_formed: bool

    @property
    def number(self) -> int | None:
        return int(self.version) if self.version else None


def parse_migration_name(path: str) -> MigrationName:
    name = PurePosixPath(path).name
    head, sep, _ = name.partition("_")
    version = head if sep and head.isdigit() else None
    if version is None and name[:-4].isdigit() and name.endswith(".sql"):
        version = name[:-4]
    style: str | None = None
    well_formed = False
    if _TIMESTAMP.match(name):
        style, well_formed = TIMESTAMP, True
    elif _NUMBERED.match(name):
        style, well_formed = NUMBERED, True
    elif version is not None:
        style = TIMESTAMP if len(version) == 14 else NUMBERED
    return MigrationName(path, name, version, style, well_formed)


def sort_key(migration: MigrationName) -> tuple[int, int, str]:
    """Numeric version order, ties by name; files without a version sort last."""
    if migration.number is None:
        return (1, 0, migration.file_name)
    return (0, migration.number, migration.file_name)


def order_migrations(paths: Iterable[str]) -> list[MigrationName]:
    return sorted((parse_migration_name(path) for path in paths), key=sort_key)


def dominant_style(migrations: Iterable[MigrationName]) -> str:
    """The naming style a repository uses (numbered when there is nothing to go by)."""
    counts = {NUMBERED: 0, TIMESTAMP: 0}
    for migration in migrations:
        if migration.style:
            counts[migration.style] += 1
    return TIMESTAMP if counts[TIMESTAMP] > counts[NUMBERED] else NUMBERED
