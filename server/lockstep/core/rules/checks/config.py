"""Problems in lockstep.toml or the editor's Lockstep settings."""

from __future__ import annotations

from lockstep.core.config import CONFIG_FILE, rule_names_in
from lockstep.core.model import Location
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.payloads import ConfigKey
from lockstep.core.rules.registry import RULES
from lockstep.core.rules.registry.config import INVALID_CONFIG
from lockstep.core.spelling import did_you_mean
from lockstep.core.text import Range
from lockstep.core.workspace import Workspace


@check(INVALID_CONFIG)
def config_problems(workspace: Workspace, findings: Findings) -> None:
    for problem in workspace.config_problems:
        findings.add(INVALID_CONFIG, Location(CONFIG_FILE, problem.range), problem.message,
                     data=ConfigKey(problem.section, problem.key))


@check(INVALID_CONFIG)
def unknown_rule_names(workspace: Workspace, findings: Findings) -> None:
    """Rule names are known only once every rule module has registered, so not in config.py."""
    in_file = rule_names_in(workspace.read(CONFIG_FILE))
    for name in workspace.config.rules:
        if name in RULES:
            continue
        message = f"Unknown rule `{name}`{did_you_mean(name, sorted(RULES))}"
        where = in_file.get(name)
        if where is None:  # from the editor's settings, which have no place in a file
            message, where = f"Editor setting: {message}", Range.empty()
        findings.add(INVALID_CONFIG, Location(CONFIG_FILE, where), message,
                     data=ConfigKey("rules", name))
