"""The config rules: name, default severity, group and documentation."""

from __future__ import annotations

from lockstep.core.rules.payloads import ConfigKey
from lockstep.core.rules.registry import rule

INVALID_CONFIG = rule(
    "invalid-config", "error", "config",
    "An unknown key or a value of the wrong type in `lockstep.toml`.",
    "A misspelt key would otherwise be ignored in silence. Lockstep reports it and keeps the "
    "default for that setting, so the rest of the configuration still applies.",
    '[rules]\nrls-disabled = "of"',
    '[rules]\nrls-disabled = "off"',
    language="toml",
    payload=ConfigKey,
)
