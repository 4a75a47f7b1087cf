"""`lockstep-lsp consumers TABLE [ROOT] [--format text|json]`: step 5 of the workflow in a shell.

The same answer as the `lockstep.consumers` LSP command, grouped by category, so a script (or
a person without an editor) can list every place that reads or writes a table.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from lockstep.cli.common import UsageError, add_command, add_root, shown_path, workspace_root

EXIT_CODES = """exit codes:
  0  done (also when nothing reads or writes the table)
  2  usage error (unknown option, ROOT is not a folder, unknown table)"""


def command_consumers(args: argparse.Namespace) -> int:
    from lockstep.core.ide import navigation as nav
    from lockstep.core.workspace import Workspace

    workspace = Workspace(workspace_root(args.root))
    workspace.load()
    table = nav.find_table(workspace, args.table)
    if table is None:
        guess = nav.suggest(workspace, args.table)
        hint = f" (did you mean `{guess}`?)" if guess else ""
        raise UsageError(f"unknown table `{args.table}`{hint}")
    found = nav.consumers(workspace, (table.schema, table.name))
    if args.format == "json":
        payload = {
            "table": table.name if table.schema == "public" else table.qualified_name,
            "consumers": [
                {
                    "category": c.category,
                    "path": c.location.path,
                    "range": _range(c.location.range),
                    "function": c.function,
                    "operations": list(c.operations),
                }
                for c in found
            ],
        }
        print(json.dumps(payload, indent=2))
        return 0
    print(_text(table.qualified_name, found, shown_path(workspace.root)))
    return 0


def _range(value: Any) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def _text(name: str, found: list[Any], show: Callable[[str], str]) -> str:
    if not found:
        return f"{name}: no consumers found"
    lines = [f"{name}: {len(found)} consumer{'s' if len(found) != 1 else ''}"]
    category = None
    for consumer in found:
        if consumer.category != category:
            category = consumer.category
            count = sum(1 for c in found if c.category == category)
            lines += ["", f"{category} ({count})"]
        start = consumer.location.range.start
        where = f"{show(consumer.location.path)}:{start.line + 1}:{start.character + 1}"
        details = [consumer.function or "", ", ".join(consumer.operations)]
        extra = "  ".join(d for d in details if d)
        lines.append(f"  {where}" + (f"  {extra}" if extra else ""))
    return "\n".join(lines)


def add_parser(commands: Any) -> None:
    parser = add_command(
        commands, "consumers", "list every place that reads or writes a table, by category",
        "List every place in the TypeScript code that reads or writes a table (supabase-js "
        "`.from('table')` call sites), grouped by category: API routes, hooks, context, admin "
        "queries, coaching, after() callbacks, the simulator clone. Text paths are relative to "
        "the current folder, JSON paths to the workspace root.",
        EXIT_CODES,
    )
    parser.add_argument("table", help="table name (`wins` or `public.wins`)")
    add_root(parser)
    parser.add_argument(
        "--format", choices=["text", "json"], default="text", help="text (default) or json"
    )
    parser.set_defaults(handler=command_consumers)
