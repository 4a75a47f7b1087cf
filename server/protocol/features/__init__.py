"""Every feature module, registered in this one place (as esbonio does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lockstep.protocol.features import diagnostics, lifecycle, sync

if TYPE_CHECKING:
    from lockstep.protocol.server import LockstepServer

FEATURES: list[Callable[[LockstepServer], None]] = [
    lifecycle.register,
    sync.register,
    diagnostics.register,
]
