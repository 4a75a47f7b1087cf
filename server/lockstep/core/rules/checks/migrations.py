"""Rules about migration files themselves: syntax, names, versions, header comments, refs."""

from __future__ import annotations

from collections import defaultdict

from lockstep.core.diagnostics import Related
from lockstep.core.model import Location
from lockstep.core.rules.engine import Findings, check, file_start
from lockstep.core.rules.registry import rule
from lockstep.core.sql.migration_files import NUMBERED, TIMESTAMP, dominant_style
from lockstep.core.workspace import Workspace

rule(
    "migration-syntax-error", "error", "migrations",
    "A statement PostgreSQL cannot parse.",
    "The migration will fail in the SQL editor of both Supabase projects, and everything "
    "after the broken statement is unknown to Lockstep's schema model. Lockstep parses each "
    "statement with libpg_query, the parser of PostgreSQL itself, so what it flags the "
    "server would reject too.",
    "ALTER TABLE wins ADD COLUMN mood TEXT DEFALT 'ok';",
    "ALTER TABLE wins ADD COLUMN mood TEXT DEFAULT 'ok';",
)
rule(
    "migration-filename", "warning", "migrations",
    "A migration file name that is not `NNN_snake_case.sql` or `YYYYMMDDHHMMSS_snake_case.sql`.",
    "The version in the name decides the order migrations run in. Spaces, capitals, a missing "
    "version or a mix of numbered and timestamp names in one folder make that order surprising "
    "and break the tools (Supabase CLI, Lockstep's next-migration action) that read it.",
    "supabase/migrations/Add Mood.sql",
    "supabase/migrations/037_add_mood.sql",
)
rule(
    "duplicate-migration-version", "error", "migrations",
    "Two migration files share a version.",
    "Two files with one version run in an order decided by their names, and the Supabase CLI "
    "records only one of them as applied. Usually two branches each created `037_…`: renumber "
    "the later one.",
    "037_profile_language.sql\n037_win_mood.sql",
    "037_profile_language.sql\n038_win_mood.sql",
)
rule(
    "migration-missing-comment", "warning", "migrations",
    "A migration that does not start with a comment saying what it does and why.",
    "Migrations are applied by hand to the DEV and PROD projects; the header comment is what "
    "the person pasting it reads first, and what a reviewer reads months later.",
    "ALTER TABLE wins ADD COLUMN mood TEXT;",
    "-- Wins get a mood so the coach can reflect on how a win felt.\n"
    "ALTER TABLE wins ADD COLUMN mood TEXT;",
)
rule(
    "unknown-table", "error", "migrations",
    "A statement touches a table that no earlier migration created.",
    "PostgreSQL will reject the statement (`relation does not exist`). Usually a typo, or a "
    "migration that depends on a later one. Supabase's own schemas (`auth`, `storage`, …) "
    "are known and never flagged.",
    "ALTER TABLE winz ADD COLUMN mood TEXT;",
    "ALTER TABLE wins ADD COLUMN mood TEXT;",
)
rule(
    "unknown-column", "error", "migrations",
    "A statement names a column that the table does not have at that point.",
    "PostgreSQL will reject the statement (`column does not exist`): a typo, a column dropped "
    "or renamed earlier, or one added by a later migration.",
    "CREATE INDEX idx_wins_usr ON wins(usr_id);",
    "CREATE INDEX idx_wins_user_id ON wins(user_id);",
)
rule(
    "dependent-objects", "error", "migrations",
    "A DROP that PostgreSQL refuses because other objects depend on what it drops.",
    "Without CASCADE (RESTRICT is the default) PostgreSQL will not drop a column a view or "
    "policy reads, a key another table's foreign key relies on, a table others reference, a "
    "type a column has or a schema that is not empty: the migration fails. Add CASCADE if "
    "the dependents should go too (the message lists them), or drop them first.",
    "CREATE VIEW titles AS SELECT title FROM posts;\nALTER TABLE posts DROP COLUMN title;",
    "DROP VIEW titles;\nALTER TABLE posts DROP COLUMN title;",
)


@check
def syntax_errors(workspace: Workspace, findings: Findings) -> None:
    for doc in workspace.migrations.values():
        if doc.too_large:
            findings.add("migration-syntax-error", file_start(doc.path),
                         "File is too large for Lockstep to parse (over 8 MiB)")
        if doc.decode_problem:
            findings.add("migration-syntax-error", file_start(doc.path),
                         f"{doc.decode_problem}; undecodable bytes were replaced")
        for error in doc.parsed.errors:
            findings.add("migration-syntax-error",
                         Location(doc.path, doc.parsed.range(error.start, error.end)),
                         error.message)


@check
def file_names(workspace: Workspace, findings: Findings) -> None:
    by_folder: dict[str, list[str]] = defaultdict(list)
    for path in workspace.migrations:
        by_folder[path.rpartition("/")[0]].append(path)
    for paths in by_folder.values():
        names = [workspace.migrations[p].name for p in paths]
        style = dominant_style(names)
        for name in names:
            where = file_start(name.path)
            if not name.well_formed:
                expected = "YYYYMMDDHHMMSS_snake_case.sql" if style == TIMESTAMP \
                    else "NNN_snake_case.sql"
                findings.add("migration-filename", where,
                             f"`{name.file_name}` does not follow `{expected}`")
            elif name.style != style:
                other = "timestamp" if style == NUMBERED else "numbered"
                findings.add("migration-filename", where,
                             f"`{name.file_name}` uses a {other} version while this folder "
                             f"uses {style} versions")


@check
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
                "duplicate-migration-version", file_start(path),
                f"Version {version} is also used by {names}",
                [Related(file_start(o), "same version") for o in others],
            )


@check
def header_comments(workspace: Workspace, findings: Findings) -> None:
    for doc in workspace.migrations.values():
        if doc.parsed.starts_with_comment or not doc.parsed.statements:
            continue
        first = doc.parsed.statements[0]
        line_end = doc.parsed.text.find("\n", first.start)
        end = first.end if line_end == -1 else min(first.end, line_end)
        findings.add("migration-missing-comment",
                     Location(doc.path, doc.parsed.range(first.start, end)),
                     "Migration does not start with a comment saying what it does and why")


@check
def unknown_references(workspace: Workspace, findings: Findings) -> None:
    for issue in workspace.replay.issues:
        if issue.code in ("unknown-table", "unknown-column", "dependent-objects"):
            findings.add(issue.code, issue.location, issue.message)
