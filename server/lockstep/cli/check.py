"""`lockstep-lsp check [ROOT]`: every diagnostic the server would publish, without an editor."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from lockstep.cli.common import USAGE_ERROR, add_command, add_root, shown_path, workspace_root
from lockstep.core.diagnostics import SEVERITY_ORDER, Diagnostic, at_least
from lockstep.core.rules.registry.config import INVALID_CONFIG

FAIL_ON_DEFAULT = "error"
EXIT_CODES = f"""exit codes:
  0  nothing at or above --fail-on (default: {FAIL_ON_DEFAULT})
  1  a finding at or above --fail-on
  2  usage or configuration error (bad option or ROOT, invalid lockstep.toml, no project found)"""


def command_check(args: argparse.Namespace) -> int:
    from lockstep.core.gcpause import collector_paused

    with collector_paused():  # a short run that builds everything once (core/gcpause.py)
        return _check(args)


def _check(args: argparse.Namespace) -> int:
    from lockstep.cli.info import NOTHING_FOUND, found_nothing, project_workspaces
    from lockstep.cli.report import FORMATS
    from lockstep.core.rules.engine import run_rules

    root = workspace_root(args.root)
    workspaces = project_workspaces(root, save_cache=False)
    if found_nothing(workspaces):
        print(f"lockstep-lsp: {NOTHING_FOUND.format(root=root)}", file=sys.stderr)
        return USAGE_ERROR
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
    sys.stdout.write(FORMATS[args.format](diagnostics))
    if config_error:
        return USAGE_ERROR
    return 1 if failed else 0


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
