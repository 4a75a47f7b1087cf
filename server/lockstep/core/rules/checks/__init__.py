"""Rule checks, one module per group; importing this package registers every check."""

from lockstep.core.rules.checks import (
    advisors,
    advisors_exposure,
    advisors_policies,
    config,
    consumers,
    files,
    generated_types,
    migrations,
    mirror,
    mirror_drift,
    safety,
    safety_consumers,
    security,
    select_results,
    types,
    writes,
)

__all__ = [
    "advisors", "advisors_exposure", "advisors_policies", "config", "consumers", "files",
    "generated_types", "migrations", "mirror", "mirror_drift", "safety", "safety_consumers",
    "security", "select_results", "types", "writes",
]
