"""`lockstep-lsp schema [ROOT] --format json`: the schema replayed from the migrations."""

from __future__ import annotations

import argparse
import json
from typing import Any

from lockstep.cli.common import add_command, add_root, workspace_root


def command_schema(args: argparse.Namespace) -> int:
    from lockstep.cli.schema_json import schema_to_json
    from lockstep.core.workspace import Workspace

    workspace = Workspace(workspace_root(args.root))
    workspace.load()
    print(json.dumps(schema_to_json(workspace.replay.schema), indent=2))
    return 0


def add_parser(commands: Any) -> None:
    schema = add_command(
        commands, "schema", "print the schema replayed from the migrations",
        "Replay every migration (no database involved) and print the resulting tables, "
        "columns, foreign keys, indexes, policies, enums and views as JSON.",
    )
    add_root(schema)
    schema.add_argument("--format", choices=["json"], default="json", help="json (the only one)")
    schema.set_defaults(handler=command_schema)
