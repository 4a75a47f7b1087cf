"""Rule modules; importing this package registers every check."""

from lockstep.core.rules import config_rule, migrations

__all__ = ["config_rule", "migrations"]
