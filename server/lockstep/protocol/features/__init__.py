"""Every feature module, registered in this one place (as esbonio does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lockstep.protocol.features import (
    code_actions,
    code_lens,
    commands,
    completion,
    diagnostics,
    generate_types,
    hover,
    lifecycle,
    navigation,
    refactor_commands,
    rename,
    symbols,
    sync,
)

if TYPE_CHECKING:
    from lockstep.protocol.server import LockstepServer

FEATURES: list[Callable[[LockstepServer], None]] = [
    lifecycle.register,
    sync.register,
    diagnostics.register,
    code_actions.register,
    commands.register,
    navigation.register,
    hover.register,
    code_lens.register,
    completion.register,
    symbols.register,
    rename.register,
    refactor_commands.register,
    generate_types.register,
]
