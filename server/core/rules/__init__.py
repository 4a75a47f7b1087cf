"""Rule modules; importing this package registers every check."""

from lockstep.core.rules import (
    config_rule,
    consumer_refs,
    migrations,
    mirror,
    mirror_drift,
    security,
    types,
)

__all__ = [
    "config_rule",
    "consumer_refs",
    "migrations",
    "mirror",
    "mirror_drift",
    "security",
    "types",
]
