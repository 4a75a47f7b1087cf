"""The next migration's version and file name, in whichever style the repository uses.

Both the workspace index and the disk are consulted: a file another tool just wrote (or one
the index skipped) must never be overwritten or given a twin version.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lockstep.core.sql.migration_files import (
    NUMBERED,
    TIMESTAMP,
    MigrationName,
    dominant_style,
    parse_migration_name,
)

MAX_SLUG = 60
DEFAULT_WIDTH = 3
_TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
# A file-name slug, not SQL: turning prose into `[a-z0-9_]` is a character-class job.
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class EmptySlugError(ValueError):
    """The description has nothing usable for a file name."""


def slugify(description: str) -> str:
    """`"Profile: language (en/fr)"` → `profile_language_en_fr`; raises on an empty result."""
    ascii_text = unicodedata.normalize("NFKD", description).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("_", ascii_text.lower()).strip("_")
    slug = slug[:MAX_SLUG].rstrip("_")
    if not slug:
        raise EmptySlugError(
            f"Cannot name a migration after {description!r}: the description needs at least "
            "one letter or digit (it becomes the file name, e.g. `037_profile_language.sql`)."
        )
    return slug


@dataclass(frozen=True, slots=True)
class NextVersion:
    version: str
    style: str


def _numbered_versions(names: Iterable[MigrationName]) -> list[str]:
    return [n.version for n in names if n.version and n.style == NUMBERED]


def _timestamp_versions(names: Iterable[MigrationName]) -> list[str]:
    return [n.version for n in names if n.version and n.style == TIMESTAMP]


def _bump_timestamp(version: str) -> str:
    try:
        moment = datetime.strptime(version, _TIMESTAMP_FORMAT)
    except ValueError:  # fourteen digits that are no date: still strictly greater
        return str(int(version) + 1).zfill(len(version))
    return (moment + timedelta(seconds=1)).strftime(_TIMESTAMP_FORMAT)


def next_version(
    file_names: Iterable[str], now: datetime | None = None, style: str | None = None
) -> NextVersion:
    """The version after every existing one (`036` → `037`, `999` → `1000`, or a timestamp)."""
    names = [parse_migration_name(name) for name in file_names]
    style = style or dominant_style(names)
    taken = {n.version for n in names if n.version}
    if style == TIMESTAMP:
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        version = moment.strftime(_TIMESTAMP_FORMAT)
        newest = max(_timestamp_versions(names), key=int, default=None)
        if newest is not None and int(version) <= int(newest):
            version = _bump_timestamp(newest)
        while version in taken:
            version = _bump_timestamp(version)
        return NextVersion(version, TIMESTAMP)
    numbered = _numbered_versions(names)
    width = max((len(v) for v in numbered), default=DEFAULT_WIDTH)
    number = max((int(v) for v in numbered), default=0) + 1
    version = str(number).zfill(width)
    while version in taken or any(v.isdigit() and int(v) == number for v in taken):
        number += 1
        version = str(number).zfill(width)
    return NextVersion(version, NUMBERED)


def next_file_name(file_names: Iterable[str], description: str, now: datetime | None = None,
                   style: str | None = None) -> str:
    """`NNN_slug.sql` (or `YYYYMMDDHHMMSS_slug.sql`, UTC) that collides with nothing listed;
    `style` None: the one the names show."""
    existing = list(file_names)
    slug = slugify(description)
    version = next_version(existing, now, style).version
    return f"{version}_{slug}.sql"
