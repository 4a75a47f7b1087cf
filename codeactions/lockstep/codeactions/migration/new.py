"""Plan and write the next migration: one code path for the command, the CLI and the actions.

Planning is pure (name + content); writing on disk is exclusive (`open(path, "x")`), so an
existing file is never overwritten, whoever created it a moment ago, and confined: the file's
resolved folder must lie inside the workspace root (core/fs.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from lockstep.codeactions.migration.numbering import next_file_name, slugify
from lockstep.codeactions.mirror.generate import mirror_statements, sql_with_mirror
from lockstep.core.discovery import SUPABASE_CLI, TONEY, conventions
from lockstep.core.fs import Boundary, create_exclusive
from lockstep.core.sql.migration_files import (
    NUMBERED,
    TIMESTAMP,
    dominant_style,
    parse_migration_name,
)
from lockstep.core.workspace import Workspace

WHY_PLACEHOLDER = "-- Why: <fill in why this change is needed>"
EMPTY_BODY = "-- Write the SQL here. Repeat every change to a mirrored table on its sim_ table."
# Mirroring parses the SQL several times (~6 s per MB of DDL): past this it is pasted as is.
MAX_MIRROR_CHARS = 128 * 1024
UNMIRRORED = ("-- Lockstep did not generate the sim_ mirror: the SQL is over "
              f"{MAX_MIRROR_CHARS // 1024} KiB. Mirror each change to a mirrored table by hand.")


@dataclass(frozen=True, slots=True)
class NewMigration:
    path: str  # relative to the workspace root
    content: str
    mirrored: tuple[str, ...]  # prod tables whose sim_ mirror was generated

    @property
    def file_name(self) -> str:
        return PurePosixPath(self.path).name


def migration_folder(workspace: Workspace) -> str:
    paths = workspace.config.migration_paths
    return paths[0] if paths else "supabase/migrations"


def existing_names(workspace: Workspace, folder: str) -> list[str]:
    """File names in the migration folder, from the index and from the disk (a folder that
    resolves outside the workspace is not listed)."""
    names = {PurePosixPath(path).name for path in workspace.migrations}
    listed = workspace.boundary.files(workspace.root / folder)
    if isinstance(listed, list):
        names |= set(listed)
    return sorted(names)


def naming_style(workspace: Workspace, folder: str, names: Iterable[str]) -> str:
    """The style of the next version: the one the folder's migrations show (never a second
    width, never a version sorting before theirs); in an empty folder, the Supabase CLI's
    `YYYYMMDDHHMMSS` (what `supabase migration new` writes) for a project that follows the
    CLI's conventions and not Toney's (or a CLI workdir, `config.toml`, not yet holding
    `migrations/`), else Toney's `NNN`."""
    versioned = [n for n in map(parse_migration_name, names) if n.style]
    if versioned:
        return dominant_style(versioned)
    found = conventions(workspace)
    if TONEY in found:
        return NUMBERED
    beside = workspace.boundary.files(workspace.root / PurePosixPath(folder).parent)
    cli = SUPABASE_CLI in found or (isinstance(beside, list) and "config.toml" in beside)
    return TIMESTAMP if cli else NUMBERED


def next_migration_name(workspace: Workspace, folder: str, description: str,
                        now: datetime | None = None) -> str:
    """The next migration's file name in `folder`, colliding with nothing there."""
    names = existing_names(workspace, folder)
    return next_file_name(names, description, now, naming_style(workspace, folder, names))


def header(description: str) -> str:
    """The what-and-why comment every migration starts with (workflow step 3)."""
    what = " ".join(description.split())
    what = what[:1].upper() + what[1:]
    if what and what[-1] not in ".!?":
        what += "."
    return f"-- {what}\n{WHY_PLACEHOLDER}\n"


def migration_content(description: str, sql: str | None, workspace: Workspace) -> str:
    config = workspace.config
    body = (sql or "").replace("\r\n", "\n").strip()
    if not body:
        return header(description) + "\n" + EMPTY_BODY + "\n"
    if len(body) > MAX_MIRROR_CHARS:
        return header(description) + UNMIRRORED + "\n\n" + body + "\n"
    schema = workspace.replay.schema
    return (
        header(description)
        + "\n"
        + sql_with_mirror(body, schema, config.mirror_prefix, config.internal_tables)
    )


def plan_new_migration(
    workspace: Workspace, description: str, sql: str | None = None, now: datetime | None = None
) -> NewMigration:
    """Name and content of the next migration. Raises EmptySlugError (a ValueError)."""
    slugify(description)  # fail first, with the message the caller shows
    folder = migration_folder(workspace)
    file_name = next_migration_name(workspace, folder, description, now)
    content = migration_content(description, sql, workspace)
    config = workspace.config
    mirrored = () if len(sql or "") > MAX_MIRROR_CHARS else tuple(
        dict.fromkeys(
            m.table
            for m in mirror_statements(
                (sql or ""),
                workspace.replay.schema,
                config.mirror_prefix,
                config.internal_tables,
            )
        )
    )
    return NewMigration(f"{folder}/{file_name}", content, mirrored)


def write_exclusive(root: Path, plan: NewMigration) -> Path:
    """Create the file; FileExistsError if anything is already there (never overwrite),
    OutsideWorkspace (a ValueError) if its folder resolves outside `root`."""
    return create_exclusive(Boundary(root), plan.path, plan.content)
