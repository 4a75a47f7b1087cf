"""`lockstep-lsp new "description" [ROOT] [--sql FILE|-]`: the next migration, from a shell.

Same code path as the `lockstep.newMigration` command: numbering, header, sim_ mirror, an
exclusive create (never overwrites), then the deployment reminder. Nothing is applied.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

USAGE_ERROR = 2


def _read_sql(source: str | None) -> str | None:
    if source is None:
        return None
    if source == "-":
        return sys.stdin.read()
    from lockstep.core.text import decode_source

    return decode_source(Path(source).read_bytes()).text


def command_new(args: argparse.Namespace) -> int:
    from lockstep.codeactions.migration.new import plan_new_migration, write_exclusive
    from lockstep.codeactions.migration.numbering import EmptySlugError
    from lockstep.codeactions.migration.reminder import reminder_text
    from lockstep.core.fs import OutsideWorkspace
    from lockstep.core.workspace import Workspace

    root = Path(args.root or ".")
    if not root.is_dir():
        print(f"lockstep-lsp: {root} is not a folder", file=sys.stderr)
        return USAGE_ERROR
    try:
        sql = _read_sql(args.sql)
    except OSError as error:
        print(f"lockstep-lsp: cannot read {args.sql}: {error.strerror}", file=sys.stderr)
        return USAGE_ERROR
    workspace = Workspace(root)
    workspace.load()
    try:
        plan = plan_new_migration(workspace, args.description, sql)
        write_exclusive(workspace.root, plan)
    except (EmptySlugError, OutsideWorkspace) as error:
        print(f"lockstep-lsp: {error}", file=sys.stderr)
        return USAGE_ERROR
    except FileExistsError:
        print(f"lockstep-lsp: {plan.path} already exists; not overwriting it", file=sys.stderr)
        return USAGE_ERROR
    print(plan.path)
    print()
    print(reminder_text(plan.path, workspace.config.deploy_targets))
    return 0


def add_parser(commands: Any) -> None:
    new = commands.add_parser(
        "new",
        help="create the next migration (with the sim_ mirror of its SQL)",
        description="Create the next migration file, numbered after the existing ones, with a "
        "what-and-why header, the SQL and its sim_ mirror. It is never applied.",
    )
    new.add_argument("description", help='what the migration does, e.g. "profile language"')
    new.add_argument("root", nargs="?", help="the workspace root (default: current folder)")
    new.add_argument("--sql", metavar="FILE", help="the SQL to put in it (`-` reads stdin)")
    new.set_defaults(handler=command_new)
