"""`lockstep-lsp check [ROOT]`: every diagnostic the server would publish, without an editor.

A plain run records what it printed and what it read (core/readset.py), so that the next
identical run on an unchanged workspace is answered before anything heavy loads (cli/quick.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import Any, TextIO, cast

from lockstep.cli import quick
from lockstep.cli.common import USAGE_ERROR, add_command, add_root, shown_path, workspace_root
from lockstep.core import cachedir, readset
from lockstep.core.diagnostics import SEVERITY_ORDER, Diagnostic, at_least
from lockstep.core.rules.registry.config import INVALID_CONFIG

FAIL_ON_DEFAULT = "error"
EXIT_CODES = f"""exit codes:
  0  nothing at or above --fail-on (default: {FAIL_ON_DEFAULT})
  1  a finding at or above --fail-on
  2  usage or configuration error (bad option or ROOT, invalid lockstep.toml, no project found)"""


class _Watched:
    """sys.stderr, noting whether anything was written (a warning the record would lose)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.written = False

    def write(self, text: str) -> int:
        self.written = self.written or bool(text)
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def command_check(args: argparse.Namespace) -> int:
    from lockstep.core.gcpause import collector_paused

    found = {"root": args.root, "format": args.format, "fail_on": args.fail_on}
    if args.fix or getattr(args, "no_cache", False) or not quick.enabled():
        with collector_paused():
            code, output, _ = _check(args)
        sys.stdout.write(output)
        return code
    stderr = sys.stderr
    watched = _Watched(stderr)
    sys.stderr = cast(TextIO, watched)
    recording = readset.start()
    try:
        with collector_paused():  # a short run that builds everything once (core/gcpause.py)
            code, output, root = _check(args)
    finally:
        readset.stop()
        sys.stderr = stderr
    sys.stdout.write(output)
    if code in (0, 1) and not watched.written and recording.complete(_allowed(root)):
        quick.store(found, str(root), code, output, recording.as_data())
    return code


def _allowed(root: str) -> tuple[str, ...]:
    """What a run may open or list unrecorded: Python's and Lockstep's own files (modules
    imported late), the cache's folder; not an import path that holds the workspace or lies
    in it (`python -m` puts the current folder first)."""
    import lockstep

    def related(place: str) -> bool:
        return readset.within(root, place) or readset.within(place, root)

    places = {os.path.realpath(p) for p in sys.path if p and os.path.isabs(p)}
    return (*(p for p in places if not related(p)), *lockstep.__path__,
            os.path.realpath(cachedir.folder()))


def _check(args: argparse.Namespace) -> tuple[int, str, str]:
    """The exit code, what to print and the workspace root."""
    from lockstep.cli.info import NOTHING_FOUND, found_nothing, project_workspaces
    from lockstep.cli.report import FORMATS
    from lockstep.core.rules.engine import run_rules

    root = workspace_root(args.root)
    workspaces = project_workspaces(root, save_cache=False)
    if found_nothing(workspaces):
        print(f"lockstep-lsp: {NOTHING_FOUND.format(root=root)}", file=sys.stderr)
        return USAGE_ERROR, "", str(root)
    unique: dict[tuple[str, str, str, str], Diagnostic] = {}
    for workspace in workspaces:  # every project; a file two of them share is said once
        if args.fix:
            from lockstep.cli.fix import fix_and_report

            fix_and_report(workspace, args)
        for items in run_rules(workspace).values():
            for d in items:
                unique.setdefault((d.path, repr(d.range), d.code, d.message), d)
        if workspace.cache is not None:
            workspace.cache.save()  # with what the rules derived (generated types' staleness)
    diagnostics = sorted(unique.values(), key=Diagnostic.sort_key)
    failed = any(at_least(d.severity, args.fail_on) for d in diagnostics)
    config_error = any(d.code == INVALID_CONFIG.name for d in diagnostics)
    if args.format in ("text", "github"):  # clickable where the person (or the runner) is
        show = shown_path(root)
        diagnostics = [dataclasses.replace(d, path=show(d.path)) for d in diagnostics]
    output = FORMATS[args.format](diagnostics)
    if config_error:
        return USAGE_ERROR, output, str(root)
    return 1 if failed else 0, output, str(root)


def add_parser(commands: Any) -> None:
    check = add_command(
        commands, "check", "print every diagnostic of the workspace",
        "Print every diagnostic the language server would publish for the workspace, without "
        "an editor. Text is `path:line:col: severity rule message` (paths relative to the "
        "current folder) and a summary line; nothing at all when the workspace is clean. JSON "
        "and SARIF paths are relative to the workspace root.",
        EXIT_CODES,
    )
    add_root(check)
    check.add_argument(
        "--format", choices=["text", "json", "github", "sarif"], default="text",
        help="text (default), json, github (workflow annotations) or sarif (code scanning)",
    )
    check.add_argument(
        "--fail-on", choices=list(SEVERITY_ORDER), default=FAIL_ON_DEFAULT,
        help="the lowest severity that makes the exit code 1 (default: %(default)s)",
    )
    # The fixes' modules load only with --fix (they cost 0.6 s of imports on every check).
    check.add_argument("--fix", action="store_true", help="apply the fixes marked safe")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix, apply the unsafe fixes too")
    check.set_defaults(handler=command_check)
