"""The config rules: name, default severity, group and documentation."""

from __future__ import annotations

from lockstep.core.rules.payloads import ConfigKey, FileSkipped
from lockstep.core.rules.registry import rule

INVALID_CONFIG = rule(
    "invalid-config", "error", "config",
    "An unknown key or rule name, or a value of the wrong type, in `lockstep.toml`.",
    "A misspelt key or rule name would otherwise be ignored in silence. Lockstep reports it "
    "(with the closest known name) and keeps the default for that setting, so the rest of the "
    "configuration still applies.",
    '[rules]\nrls-disabld = "off"',
    '[rules]\nrls-disabled = "off"',
    language="toml",
    payload=ConfigKey,
)

FILE_NOT_READ = rule(
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
    payload=FileSkipped,
)
