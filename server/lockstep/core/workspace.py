"""The workspace index: every migration, types file and consumer, parsed once and kept.

Files are re-read one at a time as they change (open buffers win over disk); the replay and
the type index are derived lazily and cached until something they depend on changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from lockstep.core.config import CONFIG_FILE, Config, ConfigProblem, apply_settings, load_config
from lockstep.core.replay.engine import ReplayResult, replay
from lockstep.core.sql.migration_files import MigrationName, parse_migration_name, sort_key
from lockstep.core.sql.parse import ParsedSql, parse_migration_sql
from lockstep.core.text import decode_source

if TYPE_CHECKING:
    from lockstep.core.consumers.index import TableUse
    from lockstep.core.ts.index import TypeIndex, TypesFile

SKIPPED_DIRS = frozenset({"node_modules", "dist", "build", "out", "coverage", "target", ".next"})
MAX_SQL_BYTES = 8 * 1024 * 1024
MAX_TS_BYTES = 2 * 1024 * 1024
ROOT_MARKERS = (CONFIG_FILE, "supabase", ".git")


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


def find_root(start: Path) -> Path:
    """The nearest folder holding lockstep.toml, supabase/ or .git (else `start` itself)."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in ROOT_MARKERS):
            return candidate
    return folder


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, -1)
    return (stat.st_mtime_ns, stat.st_size)


def _is_ts(path: str) -> bool:
    return path.endswith((".ts", ".tsx")) and not path.endswith(".d.ts")


class Workspace:
    def __init__(self, root: Path, settings: Mapping[str, Any] | None = None) -> None:
        self.root = root.resolve() if root.exists() else root
        self.settings: Mapping[str, Any] = settings or {}
        self.config = Config()
        self.config_problems: list[ConfigProblem] = []
        self.migrations: dict[str, MigrationDoc] = {}
        self.types_files: dict[str, TypesFile] = {}
        self.consumer_files: dict[str, list[TableUse]] = {}
        self.ts_texts: dict[str, str] = {}
        self.overlay: dict[str, str] = {}
        self._real_to_relative: dict[str, str] = {}
        self._stamps: dict[str, tuple[int, int]] = {}  # migration → (mtime_ns, size) read
        self._replay: ReplayResult | None = None
        self._type_index: TypeIndex | None = None

    # -- loading ------------------------------------------------------------------------
    def load(self) -> None:
        self._load_config()
        self.migrations.clear()
        self.types_files.clear()
        self.consumer_files.clear()
        self.ts_texts.clear()
        for relative in self._walk():
            self.refresh(relative)
        self._invalidate()

    def _load_config(self) -> None:
        text = self.read(CONFIG_FILE)
        config, problems = load_config(text)
        if self.settings:
            config, setting_problems = apply_settings(config, self.settings)
            problems += [
                ConfigProblem(f"Editor setting: {p.message}", p.range) for p in setting_problems
            ]
        self.config, self.config_problems = config, problems

    def _walk(self) -> Iterator[str]:
        """Migration folders first (they may be symlinks), then every TS file once."""
        for folder in self.config.migration_paths:
            directory = self.root / folder
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                continue
            for name in names:
                if name.endswith(".sql") and (directory / name).is_file():
                    relative = f"{folder.rstrip('/')}/{name}"
                    self._real_to_relative[os.path.realpath(directory / name)] = relative
                    yield relative
        seen: set[str] = set()
        for folder, dirs, files in os.walk(self.root, followlinks=True):
            real = os.path.realpath(folder)
            if real in seen:  # a symlink loop, or the same folder twice
                dirs[:] = []
                continue
            seen.add(real)
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
            for name in sorted(files):
                if not name.endswith((".ts", ".tsx")):
                    continue
                full = os.path.join(folder, name)
                relative = PurePosixPath(Path(full).relative_to(self.root)).as_posix()
                self._real_to_relative.setdefault(os.path.realpath(full), relative)
                if self.classify(relative) != Kind.OTHER:
                    yield relative

    def relative(self, path: Path) -> str | None:
        """Workspace-relative path of a file, as the index knows it (symlinks followed back)."""
        known = self._real_to_relative.get(os.path.realpath(path))
        if known is not None:
            return known
        try:
            return PurePosixPath(path.relative_to(self.root)).as_posix()
        except ValueError:
            return None

    def classify(self, relative: str) -> Kind:
        if relative == CONFIG_FILE:
            return Kind.CONFIG
        parent = str(PurePosixPath(relative).parent)
        if relative.endswith(".sql") and parent in self.config.migration_paths:
            return Kind.MIGRATION
        parts = PurePosixPath(relative).parts
        if any(p in SKIPPED_DIRS or p.startswith(".") for p in parts[:-1]):
            return Kind.OTHER
        if _is_ts(relative):
            if relative.startswith(self.config.types_path.rstrip("/") + "/"):
                return Kind.TYPES
            return Kind.CONSUMER
        return Kind.OTHER

    def read(self, relative: str) -> str | None:
        if relative in self.overlay:
            return self.overlay[relative]
        data = self._read_bytes(relative)
        return None if data is None else decode_source(data).text

    def _read_bytes(self, relative: str, limit: int | None = None) -> bytes | None:
        try:
            path = self.root / relative
            if limit is not None and path.stat().st_size > limit:
                return b""
            return path.read_bytes()
        except OSError:
            return None

    # -- updates --------------------------------------------------------------------------
    def set_overlay(self, relative: str, text: str | None) -> bool:
        """An editor buffer's text (None when closed: disk is the truth again).

        True when that changed what the index knows: opening or closing a buffer that matches
        the disk re-indexes nothing.
        """
        before = self.read(relative)
        if text is None:
            self.overlay.pop(relative, None)
        else:
            self.overlay[relative] = text
        if self.read(relative) == before:
            return False
        self.refresh(relative)
        return True

    def refresh(self, relative: str) -> Kind:
        """Re-read one file (from its buffer or disk) and drop what depends on it."""
        kind = self.classify(relative)
        if kind == Kind.CONFIG:
            self.load()
        elif kind == Kind.MIGRATION:
            self._refresh_migration(relative)
            self._replay = None
        elif kind in (Kind.TYPES, Kind.CONSUMER):
            self._refresh_ts(relative, kind)
        return kind

    def forget(self, relative: str) -> None:
        """A file was deleted."""
        self.overlay.pop(relative, None)
        if self.migrations.pop(relative, None) is not None:
            self._replay = None
        if relative == CONFIG_FILE:
            self.load()
        self.types_files.pop(relative, None)
        self.consumer_files.pop(relative, None)
        self.ts_texts.pop(relative, None)
        self._type_index = None

    def rescan_migrations(self) -> list[str]:
        """Pick up migrations added, changed or deleted on disk behind the editor's back (a
        `git pull`, a client that watches no files): a listdir and a stat per file."""
        changed: list[str] = []
        on_disk: set[str] = set()
        for folder in self.config.migration_paths:
            try:
                entries = list(os.scandir(self.root / folder))
            except OSError:
                continue
            for entry in entries:
                if not entry.name.endswith(".sql") or not entry.is_file():
                    continue
                relative = f"{folder.rstrip('/')}/{entry.name}"
                on_disk.add(relative)
                stat = entry.stat()
                if relative in self.overlay or self._stamps.get(relative) == (
                    stat.st_mtime_ns, stat.st_size
                ):
                    continue
                self._real_to_relative[os.path.realpath(entry.path)] = relative
                self.refresh(relative)
                changed.append(relative)
        present = on_disk | set(self.overlay)
        for relative in [m for m in self.migrations if m not in present]:
            self.forget(relative)
            changed.append(relative)
        return changed

    def _refresh_migration(self, relative: str) -> None:
        if relative in self.overlay:
            text, problem, too_large = self.overlay[relative], None, False
        else:
            data = self._read_bytes(relative, MAX_SQL_BYTES)
            if data is None:
                self.migrations.pop(relative, None)
                return
            self._stamps[relative] = _stamp(self.root / relative)
            too_large = data == b"" and (self.root / relative).stat().st_size > 0
            decoded = decode_source(data)
            text, problem = decoded.text, decoded.problem
        parsed = parse_migration_sql(text if not too_large else "")
        name = parse_migration_name(relative)
        self.migrations[relative] = MigrationDoc(name, parsed, problem, too_large)

    def _refresh_ts(self, relative: str, kind: Kind) -> None:
        # Imported here so that SQL-only commands (schema) never load tree-sitter.
        from lockstep.core.consumers.index import index_consumers_file, might_use_tables
        from lockstep.core.ts.index import index_types_file

        self.types_files.pop(relative, None)
        self.consumer_files.pop(relative, None)
        self.ts_texts.pop(relative, None)
        self._type_index = None
        if relative in self.overlay:
            text = self.overlay[relative]
            data = text.encode("utf-8", "replace")
        else:
            raw = self._read_bytes(relative, MAX_TS_BYTES)
            if not raw:
                return
            data, text = raw, decode_source(raw).text
        if kind == Kind.TYPES:
            self.types_files[relative] = index_types_file(relative, text)
            self.ts_texts[relative] = text
        if might_use_tables(data):
            uses = index_consumers_file(
                relative, text, self.config.consumer_categories, self.config.consumer_clients
            )
            if uses:
                self.consumer_files[relative] = uses
                self.ts_texts[relative] = text

    def _invalidate(self) -> None:
        self._replay = None
        self._type_index = None

    # -- derived views ----------------------------------------------------------------------
    def ordered_migrations(self) -> list[MigrationDoc]:
        return sorted(self.migrations.values(), key=lambda doc: sort_key(doc.name))

    @property
    def replay(self) -> ReplayResult:
        if self._replay is None:
            self._replay = replay([(doc.path, doc.parsed) for doc in self.ordered_migrations()])
        return self._replay

    @property
    def type_index(self) -> TypeIndex:
        if self._type_index is None:
            from lockstep.core.ts.index import build_type_index

            self._type_index = build_type_index(
                self.types_files, self.config.types_index, dict(self.config.types_map)
            )
        return self._type_index
