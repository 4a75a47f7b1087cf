"""Problems in lockstep.toml or the editor's Lockstep settings."""

from __future__ import annotations

from lockstep.core.config import CONFIG_FILE
from lockstep.core.model import Location
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.registry import rule
from lockstep.core.workspace import Workspace

rule(
    "invalid-config", "error", "config",
    "An unknown key or a value of the wrong type in `lockstep.toml`.",
    "A misspelt key would otherwise be ignored in silence. Lockstep reports it and keeps the "
    "default for that setting, so the rest of the configuration still applies.",
    '[rules]\nrls-disabled = "of"',
    '[rules]\nrls-disabled = "off"',
    language="toml",
)


@check
def config_problems(workspace: Workspace, findings: Findings) -> None:
    for problem in workspace.config_problems:
        findings.add("invalid-config", Location(CONFIG_FILE, problem.range), problem.message,
                     data={"section": problem.section, "key": problem.key})
