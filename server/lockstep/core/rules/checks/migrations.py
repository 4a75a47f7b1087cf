"""Rules about migration files themselves: syntax, names, versions, header comments, refs."""

from __future__ import annotations

from collections import Counter, defaultdict

from lockstep.core.diagnostics import Related
from lockstep.core.discovery import TONEY, conventions
from lockstep.core.model import Location
from lockstep.core.rules.engine import Findings, check, file_start
from lockstep.core.rules.registry import named
from lockstep.core.rules.registry.internal import INTERNAL_ERROR
from lockstep.core.rules.registry.migrations import (
    DEPENDENT_OBJECTS,
    DUPLICATE_MIGRATION_VERSION,
    MIGRATION_FILENAME,
    MIGRATION_MISSING_COMMENT,
    MIGRATION_SYNTAX_ERROR,
    UNKNOWN_COLUMN,
    UNKNOWN_TABLE,
)
from lockstep.core.sql.migration_files import NUMBERED, TIMESTAMP, MigrationName, dominant_style
from lockstep.core.workspace import Workspace


@check(MIGRATION_SYNTAX_ERROR)
def syntax_errors(workspace: Workspace, findings: Findings) -> None:
    for doc in workspace.migrations.values():
        if doc.too_large:
            findings.add(MIGRATION_SYNTAX_ERROR, file_start(doc.path),
                         "File is too large for Lockstep to parse (over the size cap, "
                         "`[files] max_size_kib` in lockstep.toml)")
        if doc.decode_problem:
            findings.add(MIGRATION_SYNTAX_ERROR, file_start(doc.path),
                         f"{doc.decode_problem}; undecodable bytes were replaced")
        for error in doc.parsed.errors:
            findings.add(MIGRATION_SYNTAX_ERROR,
                         Location(doc.path, doc.parsed.range(error.start, error.end)),
                         error.message)


@check(MIGRATION_FILENAME)
def file_names(workspace: Workspace, findings: Findings) -> None:
    by_folder: dict[str, list[str]] = defaultdict(list)
    for path in workspace.migrations:
        if path.rpartition("/")[0] in workspace.config.migration_paths:
            by_folder[path.rpartition("/")[0]].append(path)
    toney = TONEY in conventions(workspace)
    for paths in by_folder.values():
        names = [workspace.migrations[p].name for p in paths]
        if not toney:
            _cli_names(names, findings)
            continue
        style = dominant_style(names)
        for name in names:
            where = file_start(name.path)
            if not name.well_formed:
                expected = "YYYYMMDDHHMMSS_snake_case.sql" if style == TIMESTAMP \
                    else "NNN_snake_case.sql"
                findings.add(MIGRATION_FILENAME, where,
                             f"`{name.file_name}` does not follow `{expected}`")
            elif name.style != style:
                other = "timestamp" if style == NUMBERED else "numbered"
                findings.add(MIGRATION_FILENAME, where,
                             f"`{name.file_name}` uses a {other} version while this folder "
                             f"uses {style} versions")


def _cli_names(names: list[MigrationName], findings: Findings) -> None:
    """The Supabase CLI's rule: `<digits>_<name>.sql` runs, anything else is skipped; one
    version width per folder keeps the (text-sorted) order the numeric one."""
    widths = Counter(len(n.version) for n in names if n.version and n.file_name[
        len(n.version):].startswith("_"))
    usual = widths.most_common(1)[0][0] if widths else 0
    for name in names:
        where = file_start(name.path)
        if name.version is None or not name.file_name[len(name.version):].startswith("_"):
            findings.add(MIGRATION_FILENAME, where,
                         f"`{name.file_name}` is skipped by the Supabase CLI: a migration is "
                         "named `<version>_<name>.sql`")
        elif len(name.version) != usual:
            findings.add(MIGRATION_FILENAME, where,
                         f"`{name.file_name}` has a {len(name.version)}-digit version while "
                         f"this folder uses {usual} digits: text order and version order differ")


@check(DUPLICATE_MIGRATION_VERSION)
def duplicate_versions(workspace: Workspace, findings: Findings) -> None:
    by_version: dict[tuple[str, int], list[str]] = defaultdict(list)
    for path, doc in workspace.migrations.items():
        if doc.name.number is not None:
            by_version[(path.rpartition("/")[0], doc.name.number)].append(path)
    for (_, version), paths in by_version.items():
        if len(paths) < 2:
            continue
        for path in paths:
            others = [p for p in paths if p != path]
            names = ", ".join(o.rpartition("/")[2] for o in others)
            findings.add(
                DUPLICATE_MIGRATION_VERSION, file_start(path),
                f"Version {version} is also used by {names}",
                [Related(file_start(o), "same version") for o in others],
            )


@check(MIGRATION_MISSING_COMMENT)
def header_comments(workspace: Workspace, findings: Findings) -> None:
    for doc in workspace.migrations.values():
        if doc.parsed.starts_with_comment or not doc.parsed.statements:
            continue
        first = doc.parsed.statements[0]
        line_end = doc.parsed.text.find("\n", first.start)
        end = first.end if line_end == -1 else min(first.end, line_end)
        findings.add(MIGRATION_MISSING_COMMENT,
                     Location(doc.path, doc.parsed.range(first.start, end)),
                     "Migration does not start with a comment saying what it does and why")


@check(UNKNOWN_TABLE, UNKNOWN_COLUMN, DEPENDENT_OBJECTS, INTERNAL_ERROR)
def replay_issues(workspace: Workspace, findings: Findings) -> None:
    """What the replay found wrong, and what it could not follow (`internal-error`)."""
    for issue in workspace.replay.issues:
        findings.add(named(issue.code), issue.location, issue.message)
