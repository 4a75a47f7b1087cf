"""Whether a file in the cache folder may be read back: the disk cache's pack (core/cache.py)
and the run record of `check` (cli/quick.py) trust only what the user alone could have
written. The standard library only: cli/quick.py imports it before anything heavy loads."""

from __future__ import annotations

import os
import stat


def trusted(info: os.stat_result) -> bool:
    """A regular file of this user's, writable by no one else."""
    if not stat.S_ISREG(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
