"""`new` and `consumers`: the workflow's commands on the command line."""

from __future__ import annotations

from typing import Any

from lockstep import cli_consumers, cli_new


def add_workflow_commands(commands: Any) -> None:
    cli_new.add_parser(commands)
    cli_consumers.add_parser(commands)
