"""The workspace index: every migration, types file and consumer, parsed once and kept.

Files are re-read one at a time as they change (open buffers win over disk); the replay and
the type index are derived lazily and cached until something they depend on changes. Every
read goes through the workspace `Boundary` (core/fs.py); what it refuses is kept in `skipped`.
How a file is found and read into these tables is core/workspace_files.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from lockstep.core import views
from lockstep.core.analysis import (
    CONSUMERS,
    EVERYTHING,
    MIGRATIONS,
    TYPES,
    Derived,
)
from lockstep.core.cache import DiskCache, default_cache
from lockstep.core.config import (
    CONFIG_FILE,
    Config,
    ConfigProblem,
    apply_settings,
    confine_paths,
    load_config,
)
from lockstep.core.discovery import (
    SKIPPED_DIRS,
    Project,
    Scope,
    discover_projects,
    project_defaults,
)
from lockstep.core.fs import Boundary, Refusal, Skipped, exists, real_path
from lockstep.core.replay.engine import ReplayResult
from lockstep.core.sql.migration_files import sort_key
from lockstep.core.sql.parse import ParsedSql
from lockstep.core.text import decode_source
from lockstep.core.workspace_files import (
    Kind,
    MigrationDoc,
    file_stamp,
    is_ts,
    refresh_migration,
    refresh_ts,
    walk,
)

if TYPE_CHECKING:
    from lockstep.core.consumers.index import TableUse
    from lockstep.core.model import Schema
    from lockstep.core.ts.index import TypeIndex, TypesFile

# A Supabase project folder, not any folder named `supabase` (`lib/supabase/` client helpers).
ROOT_MARKERS = (CONFIG_FILE, "supabase/config.toml", "supabase/migrations", ".git")
T = TypeVar("T")

__all__ = ["ROOT_MARKERS", "Kind", "MigrationDoc", "Workspace", "find_root"]


def find_root(start: Path) -> Path:
    """The nearest folder holding lockstep.toml, a Supabase project (`supabase/config.toml`
    or `supabase/migrations/`) or .git (else `start` itself)."""
    start = Path(real_path(start) or start.resolve())
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if any(exists(candidate / marker) for marker in ROOT_MARKERS):
            return candidate
    return folder


class Workspace:
    def __init__(self, root: Path, settings: Mapping[str, Any] | None = None,
                 project: Project | None = None, scope: Scope | None = None) -> None:
        self.root = root.resolve() if root.exists() else root
        self.settings: Mapping[str, Any] = settings or {}
        self._chosen_project = project  # else the first one discovery finds
        self.project: Project | None = project
        self.discovered: tuple[Project, ...] = (project,) if project else ()
        self.scope = scope  # one of several projects in the folder: the TS files it owns
        self.config = Config()
        self.config_problems: list[ConfigProblem] = []
        self.migrations: dict[str, MigrationDoc] = {}
        self.baselines: dict[str, MigrationDoc] = {}  # `[migrations] baseline`, replayed first
        self.types_files: dict[str, TypesFile] = {}
        self.consumer_files: dict[str, list[TableUse]] = {}
        self.ts_texts: dict[str, str] = {}
        self.overlay: dict[str, str] = {}
        self.boundary = Boundary(self.root)
        self.skipped: dict[str, Skipped] = {}  # files not read, and why
        self._real_to_relative: dict[str, str] = {}
        self._stamps: dict[str, tuple[int, int]] = {}  # migration → (mtime_ns, size) read
        self.derived = Derived()  # replay, type index...: core/analysis.py
        self.generation = 0  # bumped by every in-place update (see `fork`)
        self.cache: DiskCache | None = default_cache(outside=self.root)  # for cold starts
        self._loading = False  # files parsed now use the disk cache
        self._pristine = False  # as loaded, no edit since: derived values use it too
        self._walked: dict[str, str] = {}  # while loading: file → real path (fs.walk's)

    def fork(self) -> Workspace:
        """A snapshot to update and analyse off the event loop while requests read this one:
        the tables are copied (not the parsed files in them), the memo is shared until an
        update drops part of it."""
        copy = Workspace.__new__(Workspace)
        for name in ("root", "settings", "config", "config_problems", "boundary",
                     "_chosen_project", "project", "discovered", "scope", "cache",
                     "_loading", "_pristine"):
            setattr(copy, name, getattr(self, name))
        for name in ("migrations", "baselines", "types_files", "consumer_files", "ts_texts",
                     "overlay", "skipped", "_real_to_relative", "_stamps", "_walked"):
            setattr(copy, name, dict(getattr(self, name)))
        copy.derived = self.derived.fork()
        copy.generation = 0
        return copy

    # -- loading ------------------------------------------------------------------------
    def load(self, save_cache: bool = True) -> None:
        """Index everything from disk (and open buffers). The disk cache is read and filled
        only here, not on edits: a keystroke's text is never worth keeping. A server saves the
        cache once its first answers are out (`save_cache=False`, then `analysis.warm`)."""
        self.generation += 1
        self._loading = self._pristine = True
        self.skipped.clear()
        self._load_config()
        self.migrations.clear()
        self.baselines.clear()
        self.types_files.clear()
        self.consumer_files.clear()
        self.ts_texts.clear()
        try:
            for relative in walk(self):
                self.refresh(relative)
        finally:
            self._loading = False
            self._walked.clear()
        self.derived.invalidate(*EVERYTHING)
        if self.cache is not None and save_cache:
            self.cache.save()

    def configure(self) -> None:
        """Read lockstep.toml and find the project (what `load` starts with), indexing nothing."""
        self._load_config()

    def _load_config(self) -> None:
        self.boundary = Boundary(self.root)
        text = self.overlay.get(CONFIG_FILE)
        if text is None:
            data = self._read_bytes(CONFIG_FILE)
            text = decode_source(data).text if isinstance(data, bytes) else None
        if self._chosen_project is None:
            self.discovered = tuple(discover_projects(self.root, self.boundary))
            self.project = self.discovered[0] if self.discovered else None
        config, problems = load_config(text, project_defaults(self.project))
        config, outside = confine_paths(config, text)
        problems += outside
        if self.settings:
            config, setting_problems = apply_settings(config, self.settings)
            problems += [
                ConfigProblem(f"Editor setting: {p.message}", p.range) for p in setting_problems
            ]
        self.config, self.config_problems = config, problems
        self.boundary = Boundary(self.root, self._named_folders(), config.max_file_kib * 1024)

    def _named_folders(self) -> list[Path]:
        """Migration folders named in editor settings: the person's choice, so they may lie
        outside the root (lockstep.toml comes with the repository: its paths may not)."""
        section = self.settings.get("migrations")
        paths = section.get("paths") if isinstance(section, dict) else None
        return [Path(p) for p in paths if isinstance(p, str)] if isinstance(paths, list) else []

    def _skip(self, relative: str, reason: Refusal) -> None:
        self.skipped[relative] = Skipped(relative, reason)

    def _remember(self, relative: str) -> None:
        """Map the file's real path back to the name it is indexed under."""
        real = real_path(self.root / relative)
        if real is not None:
            self._real_to_relative[real] = relative

    def relative(self, path: Path) -> str | None:
        """Workspace-relative path of a file, as the index knows it (symlinks followed back)."""
        known = self._real_to_relative.get(real_path(path) or "")
        if known is not None:
            return known
        try:
            return PurePosixPath(path.relative_to(self.root)).as_posix()
        except ValueError:
            return None

    def classify(self, relative: str) -> Kind:
        if relative == CONFIG_FILE:
            return Kind.CONFIG
        parent = relative.rpartition("/")[0] or "."
        if relative.endswith(".sql") and (
                parent in self.config.migration_paths or relative in self.schema_files):
            return Kind.MIGRATION
        if relative in self.config.baseline:
            return Kind.MIGRATION  # replayed like one; kept apart in `baselines`
        if self.scope is not None and not self.scope.holds(relative):
            return Kind.OTHER  # another project's file (or no project's)
        folders = relative.split("/")[:-1]
        if any(p in SKIPPED_DIRS or p.startswith(".") for p in folders):
            return Kind.OTHER
        if is_ts(relative):
            if relative.startswith(self.config.types_path.rstrip("/") + "/"):
                return Kind.TYPES
            return Kind.CONSUMER
        return Kind.OTHER

    def read(self, relative: str) -> str | None:
        """An open buffer's text, else the file's; None when it is missing or refused (a
        buffer over the size cap too: nothing scans it, not even for suppressions)."""
        text = self._current(relative)
        return None if text is not None and self.boundary.too_large(text) else text

    def _current(self, relative: str) -> str | None:
        if relative in self.overlay:
            return self.overlay[relative]
        data = self.boundary.read(self.root / relative)
        return decode_source(data).text if isinstance(data, bytes) else None

    def _read_bytes(self, relative: str) -> bytes | Refusal | None:
        """The file's bytes, or why not; a refusal is recorded for the `file-not-read` rule."""
        walked = self._walked.get(relative)  # its real path, known inside: no Path, no stat
        data = self.boundary.read(walked, walked) if walked is not None else \
            self.boundary.read(self.root / relative)
        if isinstance(data, Refusal):
            self._skip(relative, data)
        else:
            self.skipped.pop(relative, None)
        return data

    # -- updates --------------------------------------------------------------------------
    def set_overlay(self, relative: str, text: str | None) -> bool:
        """An editor buffer's text (None when closed: disk is the truth again).

        True when that changed what the index knows: opening or closing a buffer that matches
        the disk re-indexes nothing. A buffer of a file that resolves outside the workspace is
        not indexed (the editor shows it to the person; Lockstep never uses it).
        """
        if text is not None and self.boundary.resolve(self.root / relative) is None:
            return False
        before = self._current(relative)
        self.generation += 1
        if text is None:
            self.overlay.pop(relative, None)
        else:
            self.overlay[relative] = text
        if self._current(relative) == before:
            return False
        self.refresh(relative)
        return True

    def refresh(self, relative: str) -> Kind:
        """Re-read one file (from its buffer or disk) and drop what depends on it."""
        self.generation += 1
        self._pristine = self._loading
        kind = self.classify(relative)
        if kind == Kind.CONFIG:
            self.load()
        elif kind == Kind.MIGRATION:
            refresh_migration(self, relative)
            self.derived.invalidate(MIGRATIONS)
        elif kind in (Kind.TYPES, Kind.CONSUMER):
            refresh_ts(self, relative, kind)
            self.derived.invalidate(TYPES if kind == Kind.TYPES else CONSUMERS)
        return kind

    def forget(self, relative: str) -> None:
        """A file was deleted."""
        self.generation += 1
        self._pristine = False
        self.overlay.pop(relative, None)
        self.skipped.pop(relative, None)
        if self.migrations.pop(relative, None) is not None or \
                self.baselines.pop(relative, None) is not None:
            self.derived.invalidate(MIGRATIONS)
        if relative == CONFIG_FILE:
            self.load()
        before = self.types_files.pop(relative, None)
        if before is not None:
            self.derived.invalidate(TYPES)
            if before.database is not None:
                self.derived.invalidate(MIGRATIONS)  # it shaped never-created tables
        if self.consumer_files.pop(relative, None) is not None:
            self.derived.invalidate(CONSUMERS)
        self.ts_texts.pop(relative, None)

    def rescan_migrations(self) -> list[str]:
        """Pick up migrations added, changed or deleted on disk behind the editor's back (a
        `git pull`, a client that watches no files): a listdir and a stat per file."""
        changed: list[str] = []
        on_disk: set[str] = set()
        for folder in self.config.migration_paths:
            names = self.boundary.files(self.root / folder)
            if not isinstance(names, list):
                continue
            for name in names:
                if not name.endswith(".sql"):
                    continue
                relative = f"{folder.rstrip('/')}/{name}"
                on_disk.add(relative)
                if relative in self.overlay or \
                        self._stamps.get(relative) == file_stamp(self.root / relative):
                    continue
                self._remember(relative)
                self.refresh(relative)
                changed.append(relative)
        present = on_disk | set(self.overlay)
        for relative in [m for m in self.migrations if m not in present]:
            self.forget(relative)
            changed.append(relative)
        return changed

    def cached_derived(self, parts: tuple[str, ...], compute: Callable[[], T],
                       kind: type[T]) -> T:
        """A value derived from the files (`parts` name all it read), kept in the disk cache
        when the snapshot is as loaded: a `check` run again, a server started again, reuse
        it; an edit's revision computes it (it is never worth keeping)."""
        if self.cache is None or not self._pristine:
            return compute()
        return self.cache.cached(parts, compute, kind)

    def _cached(self, parts: tuple[str, ...], compute: Callable[[], T], kind: type[T]) -> T:
        if self.cache is None or not self._loading:
            return compute()
        return self.cache.cached(parts, compute, kind)

    # -- derived views ----------------------------------------------------------------------
    @property
    def schema_files(self) -> tuple[str, ...]:
        """Declarative schema files (`[db.migrations] schema_paths`), replayed first."""
        return self.project.schema_paths if self.project is not None else ()

    def ordered_migrations(self) -> list[MigrationDoc]:
        first = {path: n for n, path in enumerate(self.schema_files)}
        return sorted(self.migrations.values(), key=lambda doc: (
            (0, first[doc.path]) if doc.path in first else (1, 0), sort_key(doc.name)))

    def replayed_files(self) -> list[tuple[str, ParsedSql]]:
        """The baselines in their configured order, then the migrations."""
        first = [self.baselines[p] for p in self.config.baseline if p in self.baselines]
        return [(doc.path, doc.parsed) for doc in (*first, *self.ordered_migrations())]

    @property
    def replay(self) -> ReplayResult:
        return views.replay(self)

    @property
    def schema(self) -> Schema:
        """The replayed schema: what reads only this (not the migrations' texts, events or
        issues) is kept while an edit leaves it equal (analysis.SCHEMA)."""
        return views.replay(self).schema

    def replayed_digest(self) -> str:
        return views.replayed_digest(self)

    @property
    def type_index(self) -> TypeIndex:
        return views.type_index(self)
