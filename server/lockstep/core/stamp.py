"""What identifies the code that computed a cached value, cheaply (a few stats, no hashing
of file contents, the standard library only: cli/quick.py runs it before anything loads).

An edited checkout (an editable install) changes a source file's size or mtime without
changing the version, so the disk cache (core/cache.py) and the run record (cli/quick.py)
are keyed by Lockstep's source files; the record also by the installed distributions, whose
dist-info names carry their versions (pglast's and tree-sitter's parses are in its output).
"""

from __future__ import annotations

import os
import sys


def sources() -> list[str]:
    """`path:size:mtime_ns` of each of Lockstep's .py files, in order."""
    import lockstep

    found: list[str] = []
    for base in sorted(lockstep.__path__):
        _walk(base, "", found)
    return found


def distributions() -> list[str]:
    """The installed distributions with their versions (`pglast-7.2.dist-info`)."""
    found: list[str] = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as scanned:
                found += sorted(e.name for e in scanned if e.name.endswith(".dist-info"))
        except OSError:
            continue
    return found


def _walk(folder: str, prefix: str, found: list[str]) -> None:
    with os.scandir(folder) as scanned:
        entries = sorted(scanned, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
            _walk(entry.path, prefix + entry.name + "/", found)
        elif entry.name.endswith(".py"):
            info = entry.stat()
            found.append(f"{prefix}{entry.name}:{info.st_size}:{info.st_mtime_ns}")
