"""`lockstep-lsp [serve]`: the language server on stdio (what editors start)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lockstep.cli.common import add_command

TTY_HINT = (
    "lockstep-lsp: the Lockstep language server, waiting for an LSP client on stdin "
    "(editors start it); `lockstep-lsp --help` lists the commands, Ctrl-C quits."
)

EXIT_CODES = """exit codes:
  0  the client sent shutdown, then exit
  1  the client sent exit without shutdown (as LSP asks)"""


def command_serve(args: argparse.Namespace) -> int:
    if sys.stdin.isatty():  # a person, not an editor: say what this silence is
        print(TTY_HINT, file=sys.stderr)
    from lockstep.protocol.server import serve

    serve()
    return 0


def add_parser(commands: Any) -> None:
    serve = add_command(
        commands, "serve", "run the language server on stdio (the default)",
        "Run the language server on stdin/stdout, as editors start it. This is also what "
        "`lockstep-lsp` without a command does.",
        EXIT_CODES,
    )
    serve.add_argument("--stdio", action="store_true", help="accepted for editor compatibility")
    serve.set_defaults(handler=command_serve)
