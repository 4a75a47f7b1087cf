"""Reading files into a `Workspace`'s tables: the walk that finds them, and one file re-read
into its parsed form (a migration's statements, a types file's row types, a consumer's table
uses).

Apart from the facade (core/workspace.py), which decides when a file is re-read and derives
the replay and type index from these tables; these functions are its own machinery and use
its private state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from lockstep.core.analysis import MIGRATIONS
from lockstep.core.discovery import SKIPPED_DIRS, looks_generated
from lockstep.core.fs import Refusal
from lockstep.core.globs import glob_match
from lockstep.core.sql.migration_files import MigrationName, parse_migration_name
from lockstep.core.sql.parse import ParsedSql, parse_migration_sql
from lockstep.core.text import decode_source

if TYPE_CHECKING:
    from lockstep.core.workspace import Workspace


class Kind(Enum):
    MIGRATION = "migration"
    TYPES = "types"
    CONSUMER = "consumer"
    CONFIG = "config"
    OTHER = "other"


@dataclass(slots=True)
class MigrationDoc:
    name: MigrationName
    parsed: ParsedSql
    decode_problem: str | None = None
    too_large: bool = False

    @property
    def path(self) -> str:
        return self.name.path

    @property
    def text(self) -> str:
        return self.parsed.text



def file_stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, -1)
    return (stat.st_mtime_ns, stat.st_size)


def is_ts(path: str) -> bool:
    return path.endswith((".ts", ".tsx")) and not path.endswith(".d.ts")

def walk(ws: Workspace) -> Iterator[str]:
    """Migration folders first (they may be links inside the root), then every TS file
    once; links that leave the workspace are recorded in `skipped`, never followed."""
    for folder in ws.config.migration_paths:
        names = ws.boundary.files(ws.root / folder)
        if names == Refusal.OUTSIDE:
            ws._skip(folder.rstrip("/"), Refusal.OUTSIDE)
        if not isinstance(names, list):
            continue
        for name in names:
            if name.endswith(".sql"):
                relative = f"{folder.rstrip('/')}/{name}"
                ws._remember(relative)
                yield relative
    for relative in (*ws.config.baseline, *ws.schema_files):
        ws._remember(relative)
        yield relative

    def prune(name: str) -> bool:
        return name in SKIPPED_DIRS or name.startswith(".")

    def outside(relative: str, is_dir: bool) -> None:
        if is_dir or ws.classify(relative) != Kind.OTHER:
            ws._skip(relative, Refusal.OUTSIDE)

    for relative, full in ws.boundary.walk(prune, outside):
        if not is_ts(relative):
            continue
        ws._real_to_relative.setdefault(full, relative)
        if ws.classify(relative) != Kind.OTHER:
            ws._walked[relative] = full
            yield relative


def refresh_migration(ws: Workspace, relative: str) -> None:
    if relative in ws.overlay:
        text, problem = ws.overlay[relative], None
        too_large = ws.boundary.too_large(text)
    else:
        data = ws._read_bytes(relative)
        ws._stamps[relative] = file_stamp(ws.root / relative)
        too_large = data == Refusal.TOO_LARGE
        if too_large:
            ws.skipped.pop(relative, None)  # `migration-syntax-error` says so instead
        elif not isinstance(data, bytes):
            ws.migrations.pop(relative, None)
            ws.baselines.pop(relative, None)
            return
        decoded = decode_source(data if isinstance(data, bytes) else b"")
        text, problem = decoded.text, decoded.problem
    parsed = _parse_sql(ws, text if not too_large else "")
    name = parse_migration_name(relative)
    docs = ws.baselines if relative in ws.config.baseline else ws.migrations
    docs[relative] = MigrationDoc(name, parsed, problem, too_large)


def _parse_sql(ws: Workspace, text: str) -> ParsedSql:
    if ws.cache is None or not ws._loading or not text:
        return parse_migration_sql(text)
    return ws.cache.cached(("sql", text), lambda: parse_migration_sql(text), ParsedSql)


def refresh_ts(ws: Workspace, relative: str, kind: Kind) -> None:
    # Imported here so that SQL-only commands (schema) never load tree-sitter.
    from lockstep.core.consumers.index import index_consumers_file, might_use_tables
    from lockstep.core.ts.index import TypesFile, index_types_file

    before = ws.types_files.pop(relative, None)
    if before is not None and before.database is not None:
        ws.derived.invalidate(MIGRATIONS)  # generated `Database` types shape the replay
    ws.consumer_files.pop(relative, None)
    ws.ts_texts.pop(relative, None)
    if relative in ws.overlay:
        text = ws.overlay[relative]
        if ws.boundary.too_large(text):
            ws._skip(relative, Refusal.TOO_LARGE)
            return
        ws.skipped.pop(relative, None)
        data = text.encode("utf-8", "replace")
    else:
        raw = ws._read_bytes(relative)
        if not isinstance(raw, bytes) or not raw:
            return
        data, text = raw, decode_source(raw).text
    if kind == Kind.TYPES or looks_generated(data):  # generated types live anywhere
        indexed = ws._cached(("types", relative, text),
                             lambda: index_types_file(relative, text), TypesFile)
        if kind == Kind.TYPES or indexed.database is not None:
            ws.types_files[relative] = indexed
            ws.ts_texts[relative] = text
            if indexed.database is not None:
                ws.derived.invalidate(MIGRATIONS)  # it shapes never-created tables
    excluded = any(glob_match(p, relative) for p in ws.config.consumer_exclude)
    if might_use_tables(data) and not excluded:
        config = ws.config
        uses = ws._cached(
            ("consumers", relative, text, repr(config.consumer_categories),
             repr(config.consumer_clients)),
            lambda: index_consumers_file(relative, text, config.consumer_categories,
                                         config.consumer_clients), list)
        if uses:
            ws.consumer_files[relative] = uses
            ws.ts_texts[relative] = text
