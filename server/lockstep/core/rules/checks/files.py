"""Files Lockstep did not read: what the workspace boundary refused, and why."""

from __future__ import annotations

from lockstep.core.rules.engine import Findings, check, file_start
from lockstep.core.rules.payloads import FileSkipped
from lockstep.core.rules.registry.config import FILE_NOT_READ
from lockstep.core.workspace import Workspace


@check(FILE_NOT_READ)
def files_not_read(workspace: Workspace, findings: Findings) -> None:
    for skipped in sorted(workspace.skipped.values(), key=lambda s: s.path):
        findings.add(FILE_NOT_READ, file_start(skipped.path),
                     skipped.message(workspace.boundary.max_bytes),
                     data=FileSkipped(skipped.reason.value))
