"""Problems in lockstep.toml or the editor's Lockstep settings."""

from __future__ import annotations

from lockstep.core.config import CONFIG_FILE, did_you_mean, rule_names_in
from lockstep.core.model import Location
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.registry import RULES, rule
from lockstep.core.text import Range
from lockstep.core.workspace import Workspace

rule(
    "invalid-config", "error", "config",
    "An unknown key or rule name, or a value of the wrong type, in `lockstep.toml`.",
    "A misspelt key or rule name would otherwise be ignored in silence. Lockstep reports it "
    "(with the closest known name) and keeps the default for that setting, so the rest of the "
    "configuration still applies.",
    '[rules]\nrls-disabld = "off"',
    '[rules]\nrls-disabled = "off"',
    language="toml",
)


@check
def config_problems(workspace: Workspace, findings: Findings) -> None:
    for problem in workspace.config_problems:
        findings.add("invalid-config", Location(CONFIG_FILE, problem.range), problem.message,
                     data={"section": problem.section, "key": problem.key})


@check
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
        findings.add("invalid-config", Location(CONFIG_FILE, where), message,
                     data={"section": "rules", "key": name})
