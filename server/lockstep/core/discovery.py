"""Zero-config discovery: the Supabase projects of a repository and the conventions it keeps.

A project is a Supabase CLI workdir (a folder holding `config.toml` and `migrations/`, at any
depth outside dependencies, build output and dot-folders); when a repository has none, a
`migrations/` folder of versioned `.sql` files stands in for one. What `lockstep.toml` names
always wins (core/config.py applies it over these defaults). Generated `Database` types are
recognised by content while the workspace indexes its TypeScript (`looks_generated`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from lockstep.core.config import Config
from lockstep.core.fs import Boundary, lexists, real_path
from lockstep.core.globs import glob_match
from lockstep.core.text import decode_source

if TYPE_CHECKING:
    from lockstep.core.workspace import Workspace

SKIPPED_DIRS = frozenset({"node_modules", "dist", "build", "out", "coverage", "target", ".next"})
TONEY = "toney"  # Toney's workflow: NNN_ names, header comments, sim_ mirrors, row types
SUPABASE_CLI = "supabase-cli"  # `supabase migration new` names, `supabase db push`
CONVENTIONS = (TONEY, SUPABASE_CLI)
# Conventions whose migration runner is known (one transaction per file, a version table):
# elsewhere (Drizzle folders, psql scripts) rules about how files are applied say nothing.
KNOWN_RUNNER = (TONEY, SUPABASE_CLI)
HANDWRITTEN_TYPES = "packages/types/src"


@dataclass(frozen=True, slots=True)
class Project:
    """One Supabase project, paths relative to the workspace root."""

    workdir: str  # the folder holding config.toml (or the migrations folder's parent)
    migration_dirs: tuple[str, ...]
    schema_paths: tuple[str, ...] = ()  # globs of declarative schema files (workspace-relative)
    api_schemas: tuple[str, ...] | None = None  # `[api] schemas`, when config.toml sets it
    cli: bool = True  # found by its config.toml (False: a bare migrations folder)

    @property
    def root(self) -> str:
        """The folder the Supabase CLI runs in: the parent of a `supabase/` workdir."""
        path = PurePosixPath(self.workdir)
        folder = path.parent if path.name == "supabase" else path
        return folder.as_posix()


@dataclass(frozen=True, slots=True)
class Scope:
    """The files one of several projects in a folder owns: those under its root and not under
    a deeper project's root (a monorepo app's code belongs to the project beside it). A file
    under no project's root belongs to none of them."""

    root: str  # the project's root, "." for the folder's
    deeper: tuple[str, ...] = ()  # roots of the projects nested in it (or sharing it, earlier)

    def holds(self, relative: str) -> bool:
        return _under(relative, self.root) and not any(_under(relative, d) for d in self.deeper)


def _under(relative: str, folder: str) -> bool:
    return folder in ("", ".") or relative == folder or relative.startswith(folder + "/")


def scopes(projects: Sequence[Project]) -> list[Scope | None]:
    """Each project's scope, in order; None (the whole folder) when there is one project."""
    if len(projects) < 2:
        return [None] * len(projects)
    found: list[Scope | None] = []
    for n, project in enumerate(projects):
        root = project.root
        deeper = tuple(other.root for m, other in enumerate(projects) if m != n and (
            (other.root != root and _under(other.root, root)) or (other.root == root and m < n)))
        found.append(Scope(root, deeper))
    return found


def _prune(name: str) -> bool:
    return name in SKIPPED_DIRS or name.startswith(".")


def _join(folder: str, name: str) -> str:
    return (PurePosixPath(folder) / name).as_posix() if folder not in ("", ".") else name


def _read_cli_config(boundary: Boundary, root: Path, workdir: str) -> dict[str, object]:
    data = boundary.read(root / _join(workdir, "config.toml"))
    if not isinstance(data, bytes):
        return {}
    try:
        return tomllib.loads(decode_source(data).text)
    except tomllib.TOMLDecodeError:
        return {}


def _table(data: object, *keys: str) -> dict[str, object]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def cli_project(
    boundary: Boundary, root: Path, workdir: str, sql_files: Iterable[str] = ()
) -> Project:
    """The project whose CLI workdir is `workdir`, with what its config.toml says."""
    config = _read_cli_config(boundary, root, workdir)
    globs = _strings(_table(config, "db", "migrations").get("schema_paths")) or ()
    patterns = [_join(workdir, PurePosixPath(g.removeprefix("./")).as_posix()) for g in globs]
    return Project(workdir, (_join(workdir, "migrations"),), schema_files(patterns, sql_files),
                   _strings(_table(config, "api").get("schemas")))


def _versioned(names: Iterable[str]) -> bool:
    return any(n.endswith(".sql") and n.partition("_")[0].isdigit() for n in names)


def discover_projects(root: Path, boundary: Boundary | None = None) -> list[Project]:
    """Every Supabase CLI project under `root`, nearest first; else every `migrations/`
    folder of versioned SQL files (a repo whose migrations another tool runs)."""
    boundary = boundary or Boundary(root)
    files: set[str] = set()
    for relative, _ in boundary.walk(_prune, lambda _relative, _is_dir: None):
        if relative.endswith("config.toml") or relative.endswith(".sql"):
            files.add(relative)
    folders = {str(PurePosixPath(f).parent) for f in files}

    def has_migrations(workdir: str) -> bool:  # a new project's folder may still be empty
        migrations = _join(workdir, "migrations")
        return migrations in folders or isinstance(boundary.files(root / migrations), list)

    cli = sorted(
        (str(PurePosixPath(f).parent) for f in files if PurePosixPath(f).name == "config.toml"
         and has_migrations(str(PurePosixPath(f).parent))),
        key=lambda folder: (folder.count("/"), folder),
    )
    if cli:
        sql = sorted(f for f in files if f.endswith(".sql"))
        return [cli_project(boundary, root, workdir, sql) for workdir in cli]
    bare = sorted(
        (folder for folder in folders if PurePosixPath(folder).name == "migrations"
         and _versioned(PurePosixPath(f).name for f in files if f.startswith(folder + "/"))),
        key=lambda folder: (PurePosixPath(folder).parent.name != "supabase",
                            folder.count("/"), folder),
    )
    default = Config().migration_paths[0]
    if lexists(root / default):  # even a link the walk does not enter (or refuses)
        same = real_path(root / default)
        bare = [default] + [f for f in bare if real_path(root / f) != same]
    return [Project(str(PurePosixPath(f).parent), (f,), cli=False) for f in bare]


def schema_files(project_globs: Iterable[str], candidates: Iterable[str]) -> tuple[str, ...]:
    """The files `[db.migrations] schema_paths` names, in its order (each glob's matches
    sorted, as the CLI does); a file named twice is replayed once."""
    ordered: dict[str, None] = {}
    pool = sorted(candidates)
    known = set(pool)
    for pattern in project_globs:
        if not any(c in pattern for c in "*?["):
            if pattern in known:
                ordered.setdefault(pattern)
            continue
        for path in pool:
            if glob_match(pattern, path):
                ordered.setdefault(path)
    return tuple(ordered)


# -- generated types, by content ------------------------------------------------------------
def looks_generated(data: bytes) -> bool:
    """A cheap byte prefilter for `export type Database = { public: { Tables: …`; the
    tree-sitter parse (core/ts/database.py) decides."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = decode_source(data).text.encode("utf-8", "replace")
    return b"Database" in data and b"Tables" in data and b"Row" in data


# -- conventions ------------------------------------------------------------------------------
def _numeric_names(workspace: Workspace) -> bool:
    names = [doc.name for doc in workspace.migrations.values()]
    return bool(names) and all(
        n.version is not None and len(n.version) == 3 for n in names)


def _has_mirrors(workspace: Workspace) -> bool:
    prefix = workspace.config.mirror_prefix
    return any(name.startswith(prefix) for (_, name) in workspace.replay.schema.tables)


def _has_handwritten_types(workspace: Workspace) -> bool:
    """Row types in the types folder that describe tables of the schema (an unrelated
    `packages/types/src` of UI types is no sign of the convention)."""
    folder = workspace.config.types_path.rstrip("/") + "/"
    if not any(path.startswith(folder) for path in workspace.types_files):
        return False
    tables = [name for (schema, name) in workspace.replay.schema.tables if schema == "public"]
    rows = workspace.type_index.resolve(tables).values()
    return any(row.path.startswith(folder) for row in rows)


def convention_signals(workspace: Workspace) -> dict[str, str]:
    """Convention → why it is in force (the config's say, or what the repo shows)."""
    chosen = workspace.config.conventions
    found: dict[str, str] = {}
    if chosen.get(TONEY) is not None:
        if chosen[TONEY]:
            found[TONEY] = "lockstep.toml [conventions] toney = true"
    elif _numeric_names(workspace):
        found[TONEY] = "numbered NNN_ migrations"
    elif _has_handwritten_types(workspace):
        found[TONEY] = f"hand-written row types in {workspace.config.types_path}"
    elif _has_mirrors(workspace):
        found[TONEY] = f"{workspace.config.mirror_prefix} mirror tables"
    project = workspace.project
    cli = chosen.get(SUPABASE_CLI)
    if cli:
        found[SUPABASE_CLI] = "lockstep.toml [conventions] supabase-cli = true"
    elif cli is None and project is not None and project.cli:
        found[SUPABASE_CLI] = _join(project.workdir, "config.toml")
    return found


def conventions(workspace: Workspace) -> frozenset[str]:
    """The conventions in force."""
    return frozenset(convention_signals(workspace))


def project_defaults(project: Project | None) -> Config:
    """The configuration a project implies before lockstep.toml and editor settings."""
    if project is None:
        return Config()
    defaults = replace(Config(), migration_paths=project.migration_dirs)
    if project.api_schemas:
        defaults = replace(defaults, exposed_schemas=project.api_schemas)
    return defaults
