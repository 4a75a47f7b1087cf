"""Rule checks, one module per group; importing this package registers every check."""

from lockstep.core.rules.checks import (
    config,
    consumers,
    generated_types,
    migrations,
    mirror,
    mirror_drift,
    security,
    types,
)

__all__ = ["config", "consumers", "generated_types", "migrations", "mirror", "mirror_drift",
           "security", "types"]
