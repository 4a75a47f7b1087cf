"""What one `check` run read from disk, so that the next run can tell "nothing changed"
from file stats (cli/quick.py), the way make, ninja and git do.

While a recording is active (`start()`), core/fs.py reports here every path it looks up,
every folder it lists and every file it reads, each stat taken before the use:

- a *path* a lookup walks through (the entry itself and every folder above it, absent ones
  too) is kept with its lstat: which inode and type it is (for a folder passed through, not
  its mtime, which changes whenever anything in it does: a home folder's, many times a
  minute), all of it for the entry looked up (its size decides the size cap). A link's
  target has its own chain recorded;
- a *folder listed* is kept with its mtime and ctime, which change when an entry is added,
  removed, renamed or replaced (by a link too);
- a *file read* is kept with the fstat of the descriptor it was read from.

Stats alone miss an edit made within one timestamp tick of the stat (git's "racily clean"
problem; Linux stamps files from a clock that ticks every few milliseconds). So an entry
changed less than `RACY_NS` before the run began (or later) also keeps a digest: of the
bytes read for a file, of the names and inodes for a folder; validation recomputes it.
ctime is compared too: no one can set it back, as `touch -d` sets mtime.

A PEP 578 audit hook watches the run for files opened or folders listed that were not
reported here (code added later that bypasses core/fs.py): such a run is not recorded.
"""

from __future__ import annotations

import os
import stat
import sys
import time

TYPE_CHECKING = False  # cli/quick.py's answer imports nothing it can do without (typing)
if TYPE_CHECKING:
    from typing import Any

RACY_NS = 3_000_000_000
Signature = list[int]
_WATCHED = frozenset({"open", "os.scandir", "os.listdir"})
_hooked = False
_active: ReadSet | None = None


def signature(info: os.stat_result) -> Signature:
    return [info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino,
            info.st_dev]


def passage(info: os.stat_result) -> Signature:
    """A folder a lookup passes through: which one it is, and who may pass."""
    return [info.st_mode, info.st_ino, info.st_dev, info.st_uid, info.st_gid]


PASSAGE_SIZE = 5


def listing_digest(folder: str) -> str | None:
    """The folder's names and inodes (an entry replaced under the same name shows)."""
    try:
        with os.scandir(folder) as scanned:
            names = sorted(f"{entry.name}\0{entry.inode()}" for entry in scanned)
    except OSError:
        return None
    return content_digest("\0\0".join(names).encode("utf-8", "surrogateescape"))


def content_digest(data: bytes) -> str:
    import hashlib  # only for racy entries: hashlib loads OpenSSL (4 ms)

    return hashlib.sha256(data).hexdigest()


class ReadSet:
    """The paths and files of one run (see the module docstring)."""

    def __init__(self) -> None:
        self.start_ns = time.time_ns()
        self.paths: dict[str, tuple[Signature | None, str | None]] = {}
        self.files: dict[str, tuple[Signature, str | None]] = {}
        self.touched: list[str] = []  # opened or listed, as the audit hook saw it
        self.problem: str | None = None

    def racy(self, info: os.stat_result) -> bool:
        return max(info.st_mtime_ns, info.st_ctime_ns) >= self.start_ns - RACY_NS

    def lookup(self, path: str) -> None:
        """Before `path` is looked up (stat, open, resolve): it and its folders."""
        full = path if path.startswith(os.sep) else os.path.join(os.getcwd(), path)
        self._passed(full.rstrip(os.sep) or os.sep)

    def _passed(self, full: str) -> None:
        if full in self.paths:
            return
        parent = os.path.dirname(full)  # `..` kept as written: resolved on disk, as looked up
        if parent != full:
            self._passed(parent)
        try:
            info = os.lstat(full)
        except OSError:
            self.paths[full] = (None, None)
            return
        self.paths[full] = (passage(info) if stat.S_ISDIR(info.st_mode) else signature(info),
                            None)

    def listing(self, folder: str) -> None:
        """Before `folder`'s names are read."""
        self.lookup(folder)
        sig = self.paths.get(folder, (None, None))[0]
        if sig is None or len(sig) != PASSAGE_SIZE:
            return  # missing, or listed already
        try:
            info = os.lstat(folder)
        except OSError:
            self.problem = f"{folder} vanished while being recorded"
            return
        self.paths[folder] = (signature(info), listing_digest(folder) if self.racy(info)
                              else None)

    def resolved(self, path: str, real: str) -> None:
        """`real` is what `path` resolved to: a link's target has its own chain."""
        if real != os.path.normpath(os.path.join(os.getcwd(), path)):
            self.lookup(real)
            if os.path.realpath(path) != real:  # a link changed while being recorded
                self.problem = f"{path} resolved differently twice"

    def read(self, real: str, info: os.stat_result, data: bytes) -> None:
        """A file's bytes, read from a descriptor whose fstat is `info`."""
        seen = (signature(info), content_digest(data) if self.racy(info) else None)
        if self.files.setdefault(real, seen) != seen:  # the run may have used both versions
            self.problem = f"{real} changed between two reads"

    def complete(self, allowed: tuple[str, ...]) -> bool:
        """Whether everything the run opened or listed is recorded (or lies in `allowed`:
        Python's own files, Lockstep's code, the cache)."""
        if self.problem is not None:
            return False
        for path in self.touched:
            if path not in self.files and path not in self.paths and \
                    not any(within(path, a) for a in allowed):
                self.problem = f"{path} was read without being recorded"
                return False
        return True

    def as_data(self) -> dict[str, Any]:
        files = self.files
        return {  # a file read whose lookup saw the same stat is checked once, as read
            "paths": [[path, sig, digest] for path, (sig, digest) in self.paths.items()
                      if path not in files or files[path][0] != sig],
            "files": [[path, sig, digest] for path, (sig, digest) in files.items()],
        }


def within(path: str, folder: str) -> bool:
    """`path` is `folder` or lies below it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def active() -> ReadSet | None:
    return _active


def start() -> ReadSet:
    """Record from now on (one recording at a time: `stop()` ends it)."""
    global _active, _hooked
    if not _hooked:
        sys.addaudithook(_hook)  # for the rest of the process: a hook cannot be removed
        _hooked = True
    _active = ReadSet()
    return _active


def stop() -> None:
    global _active
    _active = None


def _hook(event: str, args: tuple[Any, ...]) -> None:
    recording = _active
    if recording is None or event not in _WATCHED or not args:
        return
    target = args[0]
    if isinstance(target, (str, bytes, os.PathLike)):
        recording.touched.append(os.path.abspath(os.fsdecode(target)))


def still_valid(data: dict[str, Any]) -> bool:
    """Whether every path and file of a recorded run is as it was (cli/quick.py)."""
    try:
        for path, sig, digest in data["paths"]:
            if not isinstance(path, str):
                return False
            try:
                info = os.lstat(path)
                now: Signature | None = passage(info) if sig is not None and \
                    len(sig) == PASSAGE_SIZE else signature(info)
            except OSError:
                now = None
            if now != sig or (digest is not None and listing_digest(path) != digest):
                return False
        for path, sig, digest in data["files"]:
            if not isinstance(path, str) or signature(os.lstat(path)) != sig:
                return False
            if digest is not None:
                with open(path, "rb") as handle:
                    if content_digest(handle.read()) != digest:
                        return False
    except (OSError, TypeError, ValueError, KeyError):
        return False
    return True
