"""What every subcommand shares: the workspace root, usage errors, shown paths, `--help` text."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

USAGE_ERROR = 2
EXIT_CODES = "exit codes:\n  0  done\n  2  usage error (unknown option, ROOT is not a folder, …)"


class UsageError(Exception):
    """A mistake in the command line or its input: printed on stderr, exit code 2."""


class HelpFormatter(argparse.HelpFormatter):
    """Wraps a one-paragraph description; keeps a table (text with line breaks) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text:
            return super()._fill_text(text, width, indent)
        return "".join(indent + line for line in text.splitlines(keepends=True))


def add_command(
    commands: Any, name: str, summary: str, description: str, exit_codes: str = EXIT_CODES
) -> argparse.ArgumentParser:
    """A subcommand whose `--help` has a description and the exit-code table."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description, epilog=exit_codes,
        formatter_class=HelpFormatter,
    )
    return parser


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "root", nargs="?", metavar="ROOT",
        help="the workspace or any folder inside it (default: the current folder)",
    )


def workspace_root(value: str | None) -> Path:
    """The workspace holding ROOT: walks up from a subfolder as the server does."""
    from lockstep.core.workspace import find_root

    start = Path(value or ".")
    if not start.is_dir():
        raise UsageError(f"{start} is not a folder")
    return find_root(start)


def shown_path(root: Path) -> Callable[[str], str]:
    """ROOT-relative path → relative to the current folder (absolute outside it), as a
    terminal, an editor or a GitHub annotation resolves it."""
    here = Path.cwd().resolve()

    def show(path: str) -> str:
        full = root / path
        try:
            return full.relative_to(here).as_posix()
        except ValueError:
            return full.as_posix()

    return show
