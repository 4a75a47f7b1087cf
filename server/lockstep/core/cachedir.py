"""The user's cache folder, shared by the disk cache (core/cache.py) and the run record of
`check` (cli/quick.py): where it is, whether the environment turns it off, and which files
in it may be read back (only what the user alone could have written). The standard library
only: cli/quick.py imports it before anything heavy loads."""

from __future__ import annotations

import os
import stat

NO_CACHE_ENV = "LOCKSTEP_NO_CACHE"


def folder() -> str:
    """`$XDG_CACHE_HOME/lockstep`, else `~/.cache/lockstep` (a relative XDG_CACHE_HOME is
    ignored, as the spec says)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = base if base and os.path.isabs(base) else os.path.join(os.path.expanduser("~"),
                                                                   ".cache")
    return os.path.join(root, "lockstep")


def turned_off() -> bool:
    """LOCKSTEP_NO_CACHE set, and not to 0."""
    return os.environ.get(NO_CACHE_ENV, "0") not in ("", "0")


def trusted(info: os.stat_result) -> bool:
    """A regular file of this user's, writable by no one else."""
    if not stat.S_ISREG(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
