"""`new` and `consumers`: the workflow's commands on the command line."""

from __future__ import annotations

import argparse
from typing import Any


def add_workflow_commands(commands: Any) -> None:
    """Registered by cli.py; filled in by the code-action and navigation modules."""
    del commands
