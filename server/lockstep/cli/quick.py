"""`check` answered from the record of the last identical run, before anything heavy loads.

`lockstep-lsp check` on an unchanged workspace prints what the last run printed: this module
(the standard library and core/readset.py only: no argparse, pglast, tree-sitter) recognises
a plain `check [ROOT] [--format F] [--fail-on S]`, finds the record of the same invocation
and, when every file and folder that run read is as it was (core/readset.py), writes its
output and returns its exit code, in a few milliseconds instead of a second. Anything else
(`--fix`, `--no-cache`, LOCKSTEP_NO_CACHE, `--help`, an option it does not know) goes to
cli/main.py as before.

A record is keyed by what decides the output besides the files: Lockstep's code (the name,
size and mtime of its source files), the installed packages' versions, Python's, the
current folder, ROOT as written, the format, `--fail-on` and LOCKSTEP_STRICT. It is one
small file in the disk cache's folder (core/cache.py), plain data (str, int, lists, dicts)
in `marshal`'s format (no import, no class: json alone would cost 10 ms of imports),
written atomically by a `check` that ended with 0 or 1, printed nothing on stderr and read
nothing it could not record, and trusted as the pack is: the user's own regular file,
writable by no one else, with a header. The file's name is a checksum of the key; the key
itself is stored and compared whole.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

from lockstep.core import cachedir, readset, stamp

TYPE_CHECKING = False  # importing typing costs more than a whole answer's work
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

MAGIC = b"LOCKSTEP-RUN-1\n"
FORMAT_DEFAULT = "text"  # cli/check.py's defaults (tests/unit/test_runcache.py compares)
FAIL_ON_DEFAULT = "error"
OUTPUT_ENV = ("LOCKSTEP_STRICT",)  # variables that change what `check` prints
_VALUED = {"--format": "format", "--fail-on": "fail_on"}


def main(argv: Sequence[str] | None = None) -> int:
    """The `lockstep-lsp` entry point: the recorded answer, else the full command line."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    code = answer(arguments)
    if code is not None:
        return code
    from lockstep.cli.main import main as full

    return full(arguments)


def request(arguments: Sequence[str]) -> dict[str, str | None] | None:
    """ROOT, format and fail-on of a plain `check`; None for anything else."""
    if not arguments or arguments[0] != "check":
        return None
    found: dict[str, str | None] = {"root": None, "format": None, "fail_on": None}
    rest = list(arguments[1:])
    while rest:
        word = rest.pop(0)
        name, equals, value = word.partition("=")
        if name in _VALUED:
            if not equals:
                if not rest:
                    return None
                value = rest.pop(0)
            key = _VALUED[name]
        elif word.startswith("-") or not word:
            return None
        else:
            key, value = "root", word
        if found[key] is not None:
            return None  # said twice: argparse's way is not worth copying
        found[key] = value
    found["format"] = found["format"] or FORMAT_DEFAULT
    found["fail_on"] = found["fail_on"] or FAIL_ON_DEFAULT
    return found


def enabled() -> bool:
    return not cachedir.turned_off()


def code_stamp() -> list[str]:
    """Lockstep's source files and the installed distributions (core/stamp.py), Python's
    version: an edited checkout or an upgrade never reads an older record."""
    return [*stamp.sources(), *stamp.distributions(), sys.version,
            sys.implementation.cache_tag or ""]


def key(found: dict[str, str | None]) -> list[Any]:
    """Everything besides the files that decides what `check` prints."""
    return [code_stamp(), os.getcwd(), found["root"], found["format"], found["fail_on"],
            [os.environ.get(name) for name in OUTPUT_ENV]]


def record_path(key: list[Any]) -> str:
    data = repr(key).encode("utf-8", "surrogatepass")  # marshal's bytes vary with refcounts
    name = f"run-{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}"
    return os.path.join(cachedir.folder(), name)


def answer(arguments: Sequence[str]) -> int | None:
    """The recorded exit code, its output written; None when there is no valid record."""
    found = request(arguments)
    if found is None or not enabled():
        return None
    try:
        wanted = key(found)
        record = load(record_path(wanted))
        if record is None or record.get("key") != wanted or not readset.still_valid(record):
            return None
    except Exception:  # noqa: BLE001 -- an optimisation: whatever is wrong is a miss
        return None
    try:
        sys.stdout.write(record["stdout"])
        sys.stdout.flush()
    except BrokenPipeError:
        return 0
    return int(record["exit"])


def load(path: str) -> dict[str, Any] | None:
    """The record, when it is ours, whole and of this format; else None."""
    try:
        with open(path, "rb") as handle:
            if not cachedir.trusted(os.fstat(handle.fileno())):
                return None
            data = handle.read()
    except OSError:
        return None
    if not data.startswith(MAGIC):
        return None
    try:
        record = marshal.loads(data[len(MAGIC):])
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("stdout"), str) or \
            record.get("exit") not in (0, 1) or not isinstance(record.get("root"), str):
        return None
    if readset.within(os.path.realpath(cachedir.folder()), record["root"]):
        return None  # never read from inside the workspace (core/cache.py)
    return record


def store(found: dict[str, str | None], root: str, code: int, output: str,
          recorded: dict[str, Any]) -> bool:
    """Write the record atomically (a temporary file renamed into place); False when it
    could not be (the cache folder is inside the workspace, or not writable)."""
    import tempfile

    where = cachedir.folder()
    if readset.within(os.path.realpath(where), root):
        return False
    try:
        wanted = key(found)
        data = MAGIC + marshal.dumps({"key": wanted, "root": root, "exit": code,
                                      "stdout": output, **recorded})
        os.makedirs(where, mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, record_path(wanted))
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, ValueError):
        return False
    return True
