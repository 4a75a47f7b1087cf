"""Feature: navigation (being written)."""

from __future__ import annotations

from lockstep.protocol.server import LockstepServer


def register(server: LockstepServer) -> None:
    del server
