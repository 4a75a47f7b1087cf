"""The `lockstep-lsp` command: the language server, and its analyses without an editor."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from lockstep.core.diagnostics import SEVERITY_ORDER, Diagnostic, at_least

USAGE_ERROR = 2


def _root(value: str | None) -> Path:
    root = Path(value or ".")
    if not root.is_dir():
        raise SystemExit(_fail(f"lockstep-lsp: {root} is not a folder"))
    return root


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return USAGE_ERROR




def command_check(args: argparse.Namespace) -> int:
    from lockstep.cli.report import FORMATS
    from lockstep.core.rules.engine import run_rules
    from lockstep.core.workspace import Workspace

    workspace = Workspace(_root(args.root))
    workspace.load()
    diagnostics: list[Diagnostic] = [
        d for items in run_rules(workspace).values() for d in items
    ]
    diagnostics.sort(key=Diagnostic.sort_key)
    sys.stdout.write(FORMATS[args.format](diagnostics))
    if any(d.code == "invalid-config" for d in diagnostics):
        return USAGE_ERROR
    return 1 if any(at_least(d.severity, args.fail_on) for d in diagnostics) else 0


def command_schema(args: argparse.Namespace) -> int:
    from lockstep.cli.schema_json import schema_to_json
    from lockstep.core.workspace import Workspace

    workspace = Workspace(_root(args.root))
    workspace.load()
    print(json.dumps(schema_to_json(workspace.replay.schema), indent=2))
    return 0


def command_serve(args: argparse.Namespace) -> int:
    from lockstep.protocol.server import serve

    serve()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lockstep-lsp",
        description="Lockstep keeps Supabase migrations, sim_ mirrors, TypeScript row types and "
        "table consumers in lockstep. Without a command it runs the language server on stdio.",
    )
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="run the language server on stdio")
    serve.add_argument("--stdio", action="store_true", help="accepted for editor compatibility")
    serve.set_defaults(handler=command_serve)

    check = commands.add_parser("check", help="print every diagnostic of the workspace")
    check.add_argument("root", nargs="?")
    check.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    check.add_argument("--fail-on", choices=list(SEVERITY_ORDER), default="error")
    check.set_defaults(handler=command_check)

    schema = commands.add_parser("schema", help="print the schema replayed from the migrations")
    schema.add_argument("root", nargs="?")
    schema.add_argument("--format", choices=["json"], default="json")
    schema.set_defaults(handler=command_schema)

    from lockstep.cli import consumers, gen, new

    new.add_parser(commands)
    consumers.add_parser(commands)
    gen.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments == ["--stdio"]:
        arguments = ["serve"]
    parser = _parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit_:
        return int(exit_.code or 0) and USAGE_ERROR
    handler = getattr(args, "handler", command_serve)
    try:
        return int(handler(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
