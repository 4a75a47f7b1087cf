"""`lockstep-lsp rename TABLE[.COLUMN] NEW [ROOT] [--dry-run]`: the rename refactoring, headless.

The same plan and edits as the editor's rename: a new migration (with its `sim_` mirror),
the row type, the generated types and every consumer string. `--dry-run` prints a unified
diff; otherwise the migration is created exclusively (never overwriting) and the edits are
written to files inside the root. Nothing is applied to a database.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import Any, TextIO

USAGE_ERROR = 2
DESCRIPTION = """Rename a table or column everywhere at once: a new migration with ALTER TABLE …
RENAME (and its sim_ mirror), the row type, the generated types and every consumer string
(select strings, filters, insert keys, the simulator clone). Existing migrations are never
edited, an existing file is never overwritten, and nothing is applied to a database."""
EXIT_CODES = """exit codes:
  0  renamed (or, with --dry-run, the diff was printed)
  2  usage error or refusal (ROOT is not a folder, not a table or column, a name that
     collides or needs quoting, a select built at run time, the migration file exists)"""


def _subject(workspace: Any, name: str) -> Any:
    """`wins`, `wins.mood`, `public.wins`, `public.wins.mood` → the Subject."""
    from lockstep.core.ide.rename import Subject

    parts = name.split(".")
    if len(parts) == 3:
        return Subject((parts[0], parts[1]), parts[2])
    if len(parts) == 2:
        if (parts[0], parts[1]) in workspace.replay.schema.tables:
            return Subject((parts[0], parts[1]), None)
        return Subject(("public", parts[0]), parts[1])
    return Subject(("public", name), None)


def _diff(path: str, old: str | None, new: str) -> str:
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        new.splitlines(keepends=True),
        "/dev/null" if old is None else f"a/{path}",
        f"b/{path}",
    )
    return "".join(lines)


def _new_texts(workspace: Any, edits: Any) -> dict[str, tuple[str, str]]:
    """Path → (old text, new text) for every edited file."""
    from lockstep.codeactions.edits import apply_text_edits

    by_path: dict[str, list[Any]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    out: dict[str, tuple[str, str]] = {}
    for path, file_edits in sorted(by_path.items()):
        old = workspace.read(path) or ""
        out[path] = (old, apply_text_edits(old, file_edits))
    return out


def _print_review(review: Any, stream: TextIO) -> None:
    for item in review:
        where = f"{item.location.path}:{item.location.range.start.line + 1}"
        print(f"check by hand: {where}: {item.reason}", file=stream)


def _inside(root: Path, path: str) -> bool:
    target = (root / path).resolve()
    return target == root or root in target.parents


def command_rename(args: argparse.Namespace) -> int:
    from lockstep.codeactions.migration.new import write_exclusive
    from lockstep.codeactions.migration.reminder import workspace_reminder
    from lockstep.codeactions.refactor.rename import build_rename
    from lockstep.core.ide.rename import RefactorRefused, plan_rename
    from lockstep.core.workspace import Workspace, find_root

    root = Path(args.root or ".")
    if not root.is_dir():
        print(f"lockstep-lsp: {root} is not a folder", file=sys.stderr)
        return USAGE_ERROR
    workspace = Workspace(find_root(root.resolve()))
    workspace.load()
    try:
        keep = args.keep_result_keys or workspace.config.rename_keep_result_keys
        plan = plan_rename(workspace, _subject(workspace, args.name), args.new, keep)
        objects = args.rename_objects or workspace.config.rename_objects
        result = build_rename(workspace, plan, keep, objects=objects)
    except RefactorRefused as error:
        print(f"lockstep-lsp: {error}", file=sys.stderr)
        for place in error.places:
            print(f"  {place.path}:{place.range.start.line + 1}", file=sys.stderr)
        return USAGE_ERROR
    texts = _new_texts(workspace, result.edit.edits)
    outside = [path for path in texts if not _inside(workspace.root, path)]
    if outside:
        print(f"lockstep-lsp: refusing to edit outside {workspace.root}: {outside}",
              file=sys.stderr)
        return USAGE_ERROR
    migration = result.migration
    if args.dry_run:
        sys.stdout.write(_diff(migration.path, None, migration.content))
        for path, (old, new) in texts.items():
            sys.stdout.write(_diff(path, old, new))
        _print_review(plan.review, sys.stderr)
        return 0
    try:
        write_exclusive(workspace.root, migration)
    except FileExistsError:
        print(f"lockstep-lsp: {migration.path} already exists; not overwriting it",
              file=sys.stderr)
        return USAGE_ERROR
    for path, (_, new) in texts.items():
        with open(workspace.root / path, "w", encoding="utf-8", newline="") as handle:
            handle.write(new)
    print(migration.path)
    for path in texts:
        print(f"edited {path}")
    _print_review(plan.review, sys.stdout)
    print()
    print(workspace_reminder(workspace, migration.path))
    return 0


def add_parser(commands: Any) -> None:
    rename = commands.add_parser(
        "rename",
        help="rename a table or column in the migrations, mirror, types and consumers",
        description=DESCRIPTION,
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rename.add_argument("name", metavar="TABLE[.COLUMN]", help="what to rename, e.g. wins.mood")
    rename.add_argument("new", metavar="NEW", help="the new name")
    rename.add_argument(
        "root", nargs="?", metavar="ROOT",
        help="the workspace or any folder inside it (default: the current folder)",
    )
    rename.add_argument("--dry-run", action="store_true", help="print a unified diff instead")
    rename.add_argument(
        "--keep-result-keys",
        action="store_true",
        help="in select strings write `old:new` so the result keys stay the same "
        "(default: `[rename] keep_result_keys` in lockstep.toml)",
    )
    rename.add_argument(
        "--rename-objects",
        action="store_true",
        help="also rename index, constraint and policy names that embed the old name "
        "(default: `[rename] objects` in lockstep.toml)",
    )
    rename.set_defaults(handler=command_rename)
