"""`lockstep-lsp new "description" [ROOT] [--sql FILE|-]`: the next migration, from a shell.

Same code path as the `lockstep.newMigration` command: numbering, header, sim_ mirror, an
exclusive create (never overwrites), then the deployment reminder. Nothing is applied.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lockstep.cli.common import UsageError, add_command, add_root, shown_path, workspace_root

EXIT_CODES = """exit codes:
  0  the migration was created
  2  usage error (unknown option, ROOT is not a folder, an unreadable --sql FILE, a
     description without a letter or digit, the file already exists, no migrations folder
     and no --init)"""


def _read_sql(source: str | None) -> str | None:
    if source is None:
        return None
    if source == "-":
        return sys.stdin.read()
    from lockstep.core.text import decode_source

    try:
        return decode_source(Path(source).read_bytes()).text
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror}") from error


def command_new(args: argparse.Namespace) -> int:
    from lockstep.codeactions.migration.new import (
        migration_folder,
        plan_new_migration,
        write_exclusive,
    )
    from lockstep.codeactions.migration.numbering import EmptySlugError
    from lockstep.codeactions.migration.reminder import workspace_reminder
    from lockstep.core.fs import OutsideWorkspace
    from lockstep.core.workspace import Workspace

    root = workspace_root(args.root)
    sql = _read_sql(args.sql)
    workspace = Workspace(root)
    workspace.load()
    folder = migration_folder(workspace)
    if not (workspace.root / folder).is_dir() and not args.init:
        raise UsageError(f"no migrations folder found ({folder} does not exist and no Supabase "
                         "project was found); pass --init to create it")
    try:
        plan = plan_new_migration(workspace, args.description, sql)
        write_exclusive(workspace.root, plan)
    except (EmptySlugError, OutsideWorkspace) as error:
        raise UsageError(str(error)) from error
    except FileExistsError as error:
        raise UsageError(f"{plan.path} already exists; not overwriting it") from error
    reminder = workspace_reminder(workspace, plan.path)
    if args.format == "json":
        print(json.dumps({"path": plan.path, "reminder": reminder}, indent=2))
    else:
        print(shown_path(workspace.root)(plan.path))
        print()
        print(reminder)
    return 0


def add_parser(commands: Any) -> None:
    new = add_command(
        commands, "new", "create the next migration (with the sim_ mirror of its SQL)",
        "Create the next migration file, numbered after the existing ones, with a "
        "what-and-why header, the SQL and its sim_ mirror; print its path and the deployment "
        "reminder. It is never applied, and an existing file is never overwritten.",
        EXIT_CODES,
    )
    new.add_argument("description", help='what the migration does, e.g. "profile language"')
    add_root(new)
    new.add_argument("--init", action="store_true",
                     help="create the migrations folder when there is none yet")
    new.add_argument("--sql", metavar="FILE", help="the SQL to put in it (`-` reads stdin)")
    new.add_argument(
        "--format", choices=["text", "json"], default="text",
        help='text (default) or json: {"path": relative to the workspace root, "reminder"}',
    )
    new.set_defaults(handler=command_new)
