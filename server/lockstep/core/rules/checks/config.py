"""Problems in lockstep.toml or the editor's Lockstep settings."""

from __future__ import annotations

from lockstep.core.config import CONFIG_FILE
from lockstep.core.model import Location
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.payloads import ConfigKey
from lockstep.core.rules.registry.config import INVALID_CONFIG
from lockstep.core.workspace import Workspace


@check(INVALID_CONFIG)
def config_problems(workspace: Workspace, findings: Findings) -> None:
    for problem in workspace.config_problems:
        findings.add(INVALID_CONFIG, Location(CONFIG_FILE, problem.range), problem.message,
                     data=ConfigKey(problem.section, problem.key))
