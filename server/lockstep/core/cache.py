"""The disk cache for cold starts: what parsing a file gave, keyed by its content.

Each workspace has one pack, `<folder>/<hash of its root>`: entries keyed by the hash of what
the value was computed from (the kind of parse, the file's text, the options it read) and of
the versions of Lockstep (and of its source files), Python and pglast, so an upgrade never
reads an older entry. The folder is the user's cache (`$XDG_CACHE_HOME/lockstep`, else
`~/.cache/lockstep`), never the workspace: it is the one place Lockstep writes outside the
root (docs/security.md).

Nothing read back is trusted: a pack carries a header (magic, versions, the payload's
SHA-256) checked before it is unpickled, everything is unpickled with an allow-list (classes
of Lockstep and pglast only), and the file must be the user's own and writable by no one
else. A corrupt, truncated or foreign pack or entry counts as a miss, never an error. A pack
is written to a temporary file renamed into place (atomic) and holds only the entries of the
last run; the folder is pruned to `max_bytes`, oldest packs first.
`--no-cache`, `LOCKSTEP_NO_CACHE=1` or the server's `noCache` initialization option turn it off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar

import pglast

from lockstep.core import cachedir, stamp
from lockstep.core.cachedir import trusted, turned_off
from lockstep.core.readset import within
from lockstep.core.version import VERSION

LOG = logging.getLogger("lockstep.cache")
T = TypeVar("T")

MAGIC = b"LOCKSTEP-CACHE-1\n"
MAX_BYTES = 256 * 1024 * 1024
_ALLOWED = ("lockstep.", "pglast.")  # modules whose classes an entry may name
_disabled = False


def _code_stamp() -> str:
    """Lockstep's own source files (name, size, mtime): a checkout that changes the code
    without changing the version (an editable install) never reads an older entry."""
    return hashlib.sha256("\n".join(stamp.sources()).encode()).hexdigest()[:16]


TAG = f"lockstep {VERSION} {_code_stamp()}; python {sys.version_info[0]}." \
      f"{sys.version_info[1]}; pglast {pglast.__version__}".encode()


def disable() -> None:
    """For this process (the CLI's `--no-cache`)."""
    global _disabled
    _disabled = True


def folder() -> Path:
    """The user's cache folder (core/cachedir.py)."""
    return Path(cachedir.folder())


def default_cache(outside: Path) -> DiskCache | None:
    """The cache, unless turned off (`disable()`, LOCKSTEP_NO_CACHE set and not 0) or inside
    the workspace `outside` (an odd XDG_CACHE_HOME): Lockstep never writes there."""
    if _disabled or turned_off():
        return None
    where = folder()
    root = os.path.realpath(outside)
    if within(os.path.realpath(where), root):
        return None
    return DiskCache(where, root)


def _fields_of(cls: type) -> Callable[[Any], tuple[Any, ...]] | None:
    """For a slotted dataclass rebuilt by calling it with its fields (every field in
    `__init__`, no `__post_init__`, no state of its own): what to call it with. Python's
    own way for such classes looks up `fields()` per object, which made pickling half of a
    cold start and unpickling a third of a warm one."""
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__ \
            or hasattr(cls, "__post_init__") \
            or getattr(cls.__getstate__, "__name__", "") != "_dataclass_getstate":
        return None
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        return None
    names = [f.name for f in fields]
    if len(names) == 1:
        name = names[0]
        return lambda value: (getattr(value, name),)
    return attrgetter(*names) if names else lambda value: ()


_SHAPES: dict[type, Callable[[Any], tuple[Any, ...]] | None] = {}


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        try:
            fields = _SHAPES[cls]
        except KeyError:
            fields = _SHAPES[cls] = _fields_of(cls)
        if fields is None:
            return NotImplemented
        return cls, fields(obj)


def dumps(value: object) -> bytes:
    """`value` pickled, slotted dataclasses as a call of their class (see `_fields_of`)."""
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


class _Unpickler(pickle.Unpickler):
    """Rebuilds only classes of Lockstep and pglast: an entry names no function to call."""

    def find_class(self, module: str, name: str) -> type:
        if not module.startswith(_ALLOWED):
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        found = super().find_class(module, name)
        if not isinstance(found, type):
            raise pickle.UnpicklingError(f"{module}.{name} is not a class")
        return found


class DiskCache:
    """One workspace's entries, kept in one pack file (one read at start, one atomic write
    when something changed: creating a file per entry costs more than parsing on some disks).
    Each entry stays pickled in the pack until it is used, and is checked then."""

    def __init__(self, where: Path, scope: str, max_bytes: int = MAX_BYTES) -> None:
        self.folder = where
        self.path = where / hashlib.sha256(scope.encode("utf-8", "surrogatepass")).hexdigest()
        self.max_bytes = max_bytes
        self._stored: dict[str, bytes] | None = None  # read lazily
        self._used: dict[str, bytes] = {}  # entries of this run: the next pack
        self._new: dict[str, object] = {}  # computed this run, pickled by `save()`
        self._on_disk: set[str] | None = None  # the keys of the pack as last read or written

    def cached(self, parts: tuple[str, ...], compute: Callable[[], T], kind: type[T]) -> T:
        """The value for `parts` (what it is computed from) from the pack, else computed and
        kept for `save()`. An entry that is not a `kind` is a miss."""
        key = self.key(parts)
        data = self._pack().get(key)
        if data is not None:
            found = _load(data)
            if found is not None and isinstance(found, kind):
                self._used[key] = data
                return found
        value = compute()
        self._new[key] = value  # pickled when saved: a server saves once its answers are out
        return value

    @property
    def unsaved(self) -> bool:
        """Entries computed since the last `save()`."""
        return bool(self._new)

    @staticmethod
    def key(parts: tuple[str, ...]) -> str:
        digest = hashlib.sha256(TAG)
        for part in parts:
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "little"))
            digest.update(encoded)
        return digest.hexdigest()

    def _pack(self) -> dict[str, bytes]:
        if self._stored is None:
            self._stored = _read_pack(self.path)
            self._on_disk = set(self._stored)
        return self._stored

    def save(self) -> None:
        """Write the entries this run used or computed (atomically: a temporary file renamed
        into place), when any is new or one went unused; then prune the folder. Failures are
        ignored: the cache is an optimisation, never a requirement."""
        new, self._new = self._new, {}
        for key, value in new.items():
            try:
                self._used[key] = dumps(value)
            except Exception:  # a value that cannot be pickled is not cached
                LOG.debug("not caching a %s", type(value).__name__, exc_info=True)
        self._pack()
        if set(self._used) == self._on_disk:
            return
        payload = pickle.dumps(self._used, protocol=pickle.HIGHEST_PROTOCOL)
        if len(payload) > self.max_bytes:
            return
        data = _header() + hashlib.sha256(payload).digest() + payload
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            LOG.debug("could not write the cache %s", self.path, exc_info=True)
            return
        # What was read stays usable in memory: a later step of this run may still hit it
        # (a command that saves after loading, then replays).
        self._pack().update(self._used)
        self._on_disk = set(self._used)
        self.prune()

    def prune(self) -> None:
        """Delete the oldest packs until the folder holds at most `max_bytes`."""
        packs: list[tuple[float, int, Path]] = []
        try:
            for entry in self.folder.iterdir():
                info = entry.lstat()
                if stat.S_ISREG(info.st_mode):
                    packs.append((info.st_mtime, info.st_size, entry))
        except OSError:
            return
        total = sum(size for _, size, _ in packs)
        for _, size, entry in sorted(packs, key=lambda item: item[0]):
            if total <= self.max_bytes:
                break
            try:
                entry.unlink()
                total -= size
            except OSError:
                continue


def _header() -> bytes:
    return MAGIC + len(TAG).to_bytes(2, "little") + TAG


def _read_pack(path: Path) -> dict[str, bytes]:
    """The pack's entries (still pickled); empty when missing, corrupt, foreign or not
    safely ours."""
    try:
        with open(path, "rb") as handle:
            if not trusted(os.fstat(handle.fileno())):
                return {}
            data = handle.read()
    except OSError:
        return {}
    header = _header()
    if not data.startswith(header) or len(data) < len(header) + 32:
        return {}
    digest, payload = data[len(header):len(header) + 32], data[len(header) + 32:]
    if hashlib.sha256(payload).digest() != digest:
        return {}
    entries = _load(payload)  # a dict of str → bytes: no class at all
    if not isinstance(entries, dict):
        return {}
    return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, bytes)}


def _load(data: bytes) -> object | None:
    try:
        value: object = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # any failure to rebuild an entry is a miss
        LOG.warning("ignoring a cache entry", exc_info=True)
        return None
    return value
