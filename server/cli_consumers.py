"""CLI: cli_consumers (being written)."""

from __future__ import annotations

from typing import Any


def add_parser(commands: Any) -> None:
    del commands
