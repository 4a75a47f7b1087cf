"""Files Lockstep did not read: what the workspace boundary refused, and why."""

from __future__ import annotations

from lockstep.core.rules.engine import Findings, check, file_start
from lockstep.core.rules.registry import rule
from lockstep.core.workspace import Workspace

rule(
    "file-not-read", "information", "config",
    "A file or folder Lockstep did not read: a link that resolves outside the workspace, a "
    "FIFO, socket or device, or a file over the size cap.",
    "Lockstep reads nothing outside the workspace root, so a repository cannot make it print "
    "another file (a key, a token) in its diagnostics; links that stay inside the root are "
    "followed. Only regular files are opened, so a FIFO cannot hang it, and files over "
    "`[files] max_size_kib` (2048 by default) are not parsed. What it skipped is said here, "
    "so that nothing is left out in silence.",
    "# supabase/migrations is a link to ../../shared/migrations, outside the repository",
    "# supabase/migrations is a link to ../db/migrations, inside the repository\n"
    "[files]\nmax_size_kib = 4096  # parse files up to 4 MiB",
    language="toml",
)


@check
def files_not_read(workspace: Workspace, findings: Findings) -> None:
    for skipped in sorted(workspace.skipped.values(), key=lambda s: s.path):
        findings.add("file-not-read", file_start(skipped.path),
                     skipped.message(workspace.boundary.max_bytes),
                     data={"reason": skipped.reason.value})
