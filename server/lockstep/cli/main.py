"""The `lockstep-lsp` command: the language server, and its analyses without an editor.

Each subcommand is one module with `add_parser(commands)`; this file only assembles them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lockstep.cli import check, consumers, gen, info, new, rename, schema, serve
from lockstep.cli.common import USAGE_ERROR, HelpFormatter, UsageError
from lockstep.core import cache
from lockstep.core.version import VERSION

SUBCOMMANDS = (serve, check, info, schema, new, consumers, rename, gen)
EPILOG = """exit codes (every command):
  0  done; for check: nothing at or above --fail-on (default: error)
  1  check: a finding at or above --fail-on
  2  usage or configuration error

`lockstep-lsp COMMAND --help` describes each command. Every command accepts any folder inside
the workspace as ROOT and walks up to its root (the nearest folder holding lockstep.toml,
supabase/ or .git), as the server does."""


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser and each command's own (whose usage a mistake after the command shows)."""
    parser = argparse.ArgumentParser(
        prog="lockstep-lsp",
        description="Lockstep keeps Supabase migrations, sim_ mirrors, TypeScript row types and "
        "table consumers in lockstep. Without a command it runs the language server on stdio.",
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lockstep-lsp {VERSION}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    for command in commands.choices.values():
        command.add_argument("--no-cache", action="store_true",
                             help="neither read nor write the disk cache of parsed files "
                                  "(core/cache.py; also LOCKSTEP_NO_CACHE=1)")
    return parser, commands.choices


def _parse(arguments: list[str]) -> argparse.Namespace:
    """Like parse_args, but a stray option after a command is that command's usage error."""
    parser, subparsers = _parser()
    args, extra = parser.parse_known_args(arguments)
    if extra:
        owner = subparsers.get(args.command or "", parser)
        owner.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments == ["--stdio"]:
        arguments = ["serve"]
    try:
        args = _parse(arguments)
    except SystemExit as exit_:
        return int(exit_.code or 0) and USAGE_ERROR
    if getattr(args, "no_cache", False):
        cache.disable()
    handler = getattr(args, "handler", serve.command_serve)
    try:
        return int(handler(args))
    except UsageError as error:
        print(f"lockstep-lsp: {error}", file=sys.stderr)
        return USAGE_ERROR
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
