"""The workspace boundary: every file Lockstep reads, lists or creates goes through here.

A repository is untrusted input (a stranger's pull request checked in CI, a clone opened in an
editor). So a path is resolved, symlinks included, and used only when it lies inside the
workspace root or inside a folder the person named (an editor setting); a link that resolves
elsewhere is reported, never followed. Only regular files are opened (a FIFO blocks a read
forever, a device may act when opened), and never more than the size cap is read. Writes are
stricter still: new files go inside the root only, whatever any setting says.

While `check` records what it read (core/readset.py), each lookup, listing and read is
reported there before it happens.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from lockstep.core import readset
from lockstep.core.readset import within

DEFAULT_MAX_KIB = 2048
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the stat still cannot block
    | getattr(os, "O_NOFOLLOW", 0)  # the resolved path has no link left in it
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class Refusal(Enum):
    """Why a file was not read."""

    OUTSIDE = "outside"  # resolves outside the workspace (a link, usually)
    SPECIAL = "special"  # a FIFO, socket or device
    TOO_LARGE = "too-large"  # over the size cap


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str  # workspace-relative, as found (the link, not its target)
    reason: Refusal

    def message(self, max_bytes: int) -> str:
        if self.reason == Refusal.OUTSIDE:
            return (f"Not read: `{self.path}` is a link that resolves outside the workspace; "
                    "Lockstep reads nothing outside the workspace root")
        if self.reason == Refusal.SPECIAL:
            return f"Not read: `{self.path}` is not a regular file (a FIFO, socket or device)"
        return (f"Not read: `{self.path}` is over the size cap of {max_bytes // 1024} KiB "
                "(`[files] max_size_kib` in lockstep.toml)")


class OutsideWorkspace(ValueError):
    """A write whose target would land outside the workspace root."""


class Boundary:
    """The root (and any folder the person named) that reads must stay inside."""

    def __init__(self, root: Path, named: Iterable[Path] = (),
                 max_bytes: int = DEFAULT_MAX_KIB * 1024) -> None:
        self.root = real_path(root) or os.path.realpath(root)
        folders = (real_path(root / folder) for folder in named)
        self.allowed = (self.root, *(folder for folder in folders if folder is not None))
        self.max_bytes = max_bytes

    def resolve(self, path: Path | str) -> str | None:
        """The real path, when it lies inside the boundary; None when it leaves it (or loops)."""
        located = self._locate(path)
        return located if isinstance(located, str) else None

    def _locate(self, path: Path | str) -> str | Refusal | None:
        """The real path inside the boundary; OUTSIDE when it leaves it; None for a loop."""
        real = real_path(path)
        if real is None:
            return None
        if any(within(real, folder) for folder in self.allowed):
            return real
        return Refusal.OUTSIDE if os.path.lexists(path) else None

    def too_large(self, text: str) -> bool:
        """An editor buffer over the cap (characters first: no 20 MB encode to find out)."""
        return len(text) > self.max_bytes or len(text.encode("utf-8", "replace")) > self.max_bytes

    def read(self, path: Path | str, real_inside: str | None = None) -> bytes | Refusal | None:
        """The bytes of a regular file inside the boundary; None when it is missing.
        `real_inside`: its real path, already known to be inside (from `walk`)."""
        real = real_inside if real_inside is not None else self._locate(path)
        if not isinstance(real, str):
            return real
        recording = readset.active()
        if recording is not None:  # what it is (missing, a folder, too large) may be the answer
            recording.lookup(real)
        return self._read_real(real)

    def _read_real(self, real: str) -> bytes | Refusal | None:
        try:
            info = os.stat(real)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None if stat.S_ISDIR(info.st_mode) else Refusal.SPECIAL
        if info.st_size > self.max_bytes:
            return Refusal.TOO_LARGE
        try:
            descriptor = os.open(real, _OPEN_FLAGS)
        except OSError:
            return None
        try:
            opened = os.fstat(descriptor)
            if not stat.S_ISREG(opened.st_mode):  # swapped since the stat
                return Refusal.SPECIAL
            data = self._read_capped(descriptor)
            recording = readset.active()
            if recording is not None and isinstance(data, bytes):
                recording.read(real, opened, data)
            return data
        except OSError:
            return None
        finally:
            os.close(descriptor)

    def _read_capped(self, descriptor: int) -> bytes | Refusal:
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(descriptor, min(1 << 20, self.max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > self.max_bytes:  # the file grew since the stat
                return Refusal.TOO_LARGE
        return b"".join(chunks)

    def files(self, folder: Path) -> list[str] | Refusal | None:
        """The names in a folder inside the boundary that are not folders (a link loop is
        one: its name is taken), sorted; None if the folder is missing."""
        real = self._locate(folder)
        if not isinstance(real, str):
            return real
        if not os.path.isdir(real):
            return None
        return [entry.name for entry in _entries(real) if not _is_folder(entry)]

    def walk(self, prune: Callable[[str], bool],
             outside: Callable[[str, bool], None]) -> Iterator[tuple[str, str]]:
        """(relative path, real path) of every file under the root, links inside it followed.

        A folder is entered once whatever the links to it (loops end there), by its own name
        when it has one (links are entered last); a link that leaves the boundary, to `/` or
        above the root, is handed to `outside` (with whether it is a folder), never entered.
        """
        seen = {self.root}
        stack: list[tuple[str, str]] = [(self.root, "")]
        links: list[tuple[str, str]] = []
        while stack or links:
            if not stack:
                real, relative = links.pop(0)
                if real not in seen:
                    seen.add(real)
                    stack.append((real, relative))
                continue
            folder, prefix = stack.pop()
            folders: list[tuple[str, str]] = []
            for entry in _entries(folder):
                relative = prefix + entry.name
                try:
                    is_link = entry.is_symlink()
                    if is_link and readset.active() is not None:
                        real_path(entry.path)  # recorded before its target is looked at
                    is_dir = entry.is_dir()  # follows links
                except OSError:  # a link loop
                    continue
                if is_dir and prune(entry.name):
                    continue
                located = self._locate(entry.path) if is_link else None
                if located == Refusal.OUTSIDE:
                    outside(relative, is_dir)
                elif isinstance(located, str) and is_dir:
                    links.append((located, relative + "/"))
                elif is_dir:
                    real = os.path.join(folder, entry.name)
                    if real not in seen:
                        seen.add(real)
                        folders.append((real, relative + "/"))
                else:  # the folder is a real path: so is a file in it that is no link
                    yield relative, located if isinstance(located, str) else entry.path
            stack.extend(reversed(folders))

    def creatable(self, relative: str) -> Path:
        """Where a new file `relative` would really be created; OutsideWorkspace if that is
        not inside the root (named folders do not count: a write never leaves the root)."""
        target = Path(self.root) / relative
        if target.name in ("", ".", "..") or Path(relative).is_absolute():
            raise OutsideWorkspace(f"{relative!r} is not a file path inside the workspace")
        parent = real_path(target.parent)
        if parent is None or not within(parent, self.root):
            raise OutsideWorkspace(f"{relative!r} would be created outside the workspace")
        return Path(parent) / target.name


def real_path(path: Path | str) -> str | None:
    """`path` with every link resolved; None for a link loop."""
    recording = readset.active()
    if recording is not None:
        recording.lookup(os.fspath(path))
    try:
        real = os.path.realpath(path)
    except OSError:
        return None
    if recording is not None:
        recording.resolved(os.fspath(path), real)
    return real


def exists(path: Path) -> bool:
    """`path.exists()`, its lookup (and a link's target) recorded."""
    real_path(path)
    return path.exists()


def lexists(path: Path) -> bool:
    """`os.path.lexists`, its lookup recorded."""
    recording = readset.active()
    if recording is not None:
        recording.lookup(os.fspath(path))
    return os.path.lexists(path)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop
        return False


def _entries(folder: str) -> list[os.DirEntry[str]]:
    recording = readset.active()
    if recording is not None:
        recording.listing(folder)  # its stat before its names
    try:
        with os.scandir(folder) as scanned:
            return sorted(scanned, key=lambda entry: entry.name)
    except OSError:
        return []


def create_exclusive(boundary: Boundary, relative: str, content: str) -> Path:
    """Create a new file inside the root; FileExistsError if anything is already there.

    The folders are made at their resolved place and the file is opened with O_EXCL, which
    also refuses a link (even a dangling one) planted where the file would go.
    """
    path = boundary.creatable(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="") as handle:
        handle.write(content)
    return path
