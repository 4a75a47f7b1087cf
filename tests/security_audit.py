"""Run Lockstep under a PEP 578 audit hook that kills it (exit 97) on any network use, on any
open or listing of a forbidden folder, and on any write outside the writable one and the disk
cache (`$XDG_CACHE_HOME/lockstep`, core/cache.py: the one folder Lockstep writes outside the
root; creating the folders above it is allowed too).

    python tests/security_audit.py FORBIDDEN WRITABLE -- lockstep-args…

The hook sees what Python itself does (open, os.open, scandir, mkdir, rename, socket calls),
so a test that passes under it shows the promise holds for the whole process, imports and
all, not only for the code paths the test thought of. Used by tests/*/test_security*.py.
"""

from __future__ import annotations

import os
import runpy
import sys
from typing import Any

NETWORK = frozenset({
    "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
    "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg", "urllib.Request",
})
PATH_EVENTS = frozenset({"open", "os.scandir", "os.listdir", "os.mkdir", "os.rename",
                         "os.remove", "os.rmdir", "os.symlink", "os.link", "os.truncate",
                         "os.chmod", "os.utime"})
WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _writes(event: str, args: tuple[Any, ...]) -> bool:
    if event != "open":
        return event not in ("os.scandir", "os.listdir")
    mode, flags = (*args, None, None)[1:3]
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and bool(flags & WRITES)


def cache_folder() -> str:
    """core/cache.py's folder, computed again here: Lockstep is not imported before the hook."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = base if base and os.path.isabs(base) else os.path.join(os.path.expanduser("~"),
                                                                   ".cache")
    return os.path.realpath(os.path.join(root, "lockstep"))


def main() -> None:
    forbidden, writable, separator, *arguments = sys.argv[1:]
    assert separator == "--", __doc__
    forbidden, writable = os.path.realpath(forbidden), os.path.realpath(writable)
    cache = cache_folder()

    def violation(what: str) -> None:
        os.write(2, f"lockstep-audit: {what}\n".encode())
        os._exit(97)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in NETWORK:
            violation(f"network: {event} {args!r}")
        if event not in PATH_EVENTS or not args or not isinstance(args[0], (str, bytes)):
            return
        raw = os.fsdecode(args[0])
        path = os.path.abspath(raw)
        if _under(path, forbidden) or _under(os.path.realpath(path), forbidden):
            violation(f"{event} of a forbidden path {raw}")
        real = os.path.realpath(path)
        if event == "os.mkdir" and _under(cache, real):
            return  # a folder above the cache (or the cache itself), created once
        if _writes(event, args) and not _under(real, writable) and not _under(real, cache) \
                and path != os.devnull:
            violation(f"{event} writes outside the workspace: {raw}")

    sys.addaudithook(hook)
    sys.argv = ["lockstep", *arguments]
    runpy.run_module("lockstep", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
