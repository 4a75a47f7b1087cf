"""`lockstep-lsp consumers TABLE [ROOT] [--format text|json]`: step 5 of the workflow in a shell.

The same answer as the `lockstep.consumers` LSP command, grouped by category, so a script (or
a person without an editor) can list every place that reads or writes a table.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

USAGE_ERROR = 2


def command_consumers(args: argparse.Namespace) -> int:
    from lockstep.core.ide import navigation as nav
    from lockstep.core.workspace import Workspace

    root = Path(args.root or ".")
    if not root.is_dir():
        print(f"lockstep-lsp: {root} is not a folder", file=sys.stderr)
        return USAGE_ERROR
    workspace = Workspace(root)
    workspace.load()
    table = nav.find_table(workspace, args.table)
    if table is None:
        guess = nav.suggest(workspace, args.table)
        hint = f" (did you mean `{guess}`?)" if guess else ""
        print(f"lockstep-lsp: unknown table `{args.table}`{hint}", file=sys.stderr)
        return USAGE_ERROR
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
    print(_text(table.qualified_name, found))
    return 0


def _range(value: Any) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def _text(name: str, found: list[Any]) -> str:
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
        where = f"{consumer.location.path}:{start.line + 1}:{start.character + 1}"
        details = [consumer.function or "", ", ".join(consumer.operations)]
        extra = "  ".join(d for d in details if d)
        lines.append(f"  {where}" + (f"  {extra}" if extra else ""))
    return "\n".join(lines)


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "consumers", help="list every place that reads or writes a table, by category"
    )
    parser.add_argument("table", help="table name (`wins` or `public.wins`)")
    parser.add_argument("root", nargs="?")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=command_consumers)
