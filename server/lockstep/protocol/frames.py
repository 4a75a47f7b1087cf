"""JSON-RPC over stdio, read so that one malformed frame costs that frame and nothing more.

pygls 2.1's reader (`pygls.io_.run_async`) never recovers from a bad `Content-Length`: a
non-numeric, negative or missing length makes it read the next header into a body line, a
too-short one leaves the rest of the body in front of the next header, and a too-long one
waits for bytes that never come. Every later request is lost and the server hangs on.

Here a malformed frame is reported and skipped: the reader resynchronises on the next
`Content-Length:` header line. That line cannot occur inside a valid JSON body (a raw CR is
not allowed in a JSON string and the words are not JSON outside one), so it also shows, while
a too-long frame is still waiting for its body, that the body has ended and the next frame
begun.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

LOG = logging.getLogger("lockstep.frames")
HEADER_END = b"\r\n\r\n"
MAX_HEADER_BYTES = 8 * 1024
MAX_BODY_BYTES = 1 << 30
CHUNK_BYTES = 1 << 20
_KEEP = 64  # bytes kept when resynchronising finds no header yet (one may be half-read)
_MARKER = b"Content-Length:"  # as every client writes it (found at memchr speed)
_NEXT_HEADER = re.compile(rb"Content-Length:[ \t]*\d+\r\n")
_HEADER_NAME = re.compile(rb"[!#-'*+.0-9A-Z^-z|~-]+")  # an RFC 7230 token


class FrameReader:
    """Splits a byte stream into decoded messages; resynchronises after a malformed frame."""

    def __init__(self, decode: Callable[[bytes], Any], report: Callable[[str], None]) -> None:
        self._decode = decode
        self._report = report
        self._buffer = bytearray()
        self._searched = 0  # how far a waiting body was searched for the next header
        self._lost = False  # resynchronising: junk is expected, report it once

    def feed(self, data: bytes) -> list[Any]:
        """Add bytes; the messages they complete, in order."""
        self._buffer += data
        messages: list[Any] = []
        while True:
            outcome = self._next()
            if outcome is _WAIT:
                return messages
            if outcome is not _AGAIN:
                messages.append(outcome)

    def _next(self) -> Any:
        buffer = self._buffer
        end = buffer.find(HEADER_END, 0, MAX_HEADER_BYTES + len(HEADER_END))
        if end < 0:
            if len(buffer) <= MAX_HEADER_BYTES:
                return _WAIT
            return self._resync(f"no end of headers in the first {MAX_HEADER_BYTES} bytes")
        length = _content_length(bytes(buffer[:end]))
        if isinstance(length, str):
            return self._resync(length)
        start = end + len(HEADER_END)
        if len(buffer) < start + length:
            found = _next_header(buffer, max(start, self._searched - _KEEP))
            self._searched = len(buffer)
            if found is None:
                return _WAIT
            return self._resync(f"Content-Length {length} runs into the next message", found)
        body = bytes(buffer[start : start + length])
        try:
            message = self._decode(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            return self._resync(f"its body is not JSON ({error})")
        except Exception as error:  # noqa: BLE001 - JSON, but not a message: drop this one
            self._consume(start + length)
            self._report(f"Dropped a message that is not JSON-RPC: {error}")
            return _AGAIN
        self._consume(start + length)
        self._lost = False
        return message

    def _consume(self, size: int) -> None:
        del self._buffer[:size]
        self._searched = 0

    def _resync(self, reason: str, at: int | None = None) -> object:
        """Drop the frame at the front: skip to the next header (or keep only a tail that may
        hold the start of one)."""
        lost = False
        if at is None:
            found = _next_header(self._buffer, 1)
            at = found if found is not None else max(len(self._buffer) - _KEEP, 1)
            lost = found is None
        if not self._lost:
            self._report(f"Dropped a malformed message: {reason}; reading on from the next "
                         "Content-Length header")
        self._lost = lost
        self._consume(at)
        return _AGAIN


def _next_header(buffer: bytearray, start: int) -> int | None:
    """Where the next `Content-Length: N` header line starts, from `start`."""
    while (found := buffer.find(_MARKER, start)) >= 0:
        if _NEXT_HEADER.match(buffer, found):
            return found
        start = found + 1
    return None


def _content_length(block: bytes) -> int | str:
    """The Content-Length of a header block, or what is wrong with it."""
    length: int | None = None
    for line in block.lstrip(b"\r\n").split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if not colon or not _HEADER_NAME.fullmatch(name):
            return f"malformed header line {line[:40]!r}"
        if name.lower() == b"content-length":
            value = value.strip()
            if not value.isdigit() or int(value) > MAX_BODY_BYTES:
                return f"Content-Length {value[:20]!r} is not a length"
            length = int(value)
    return "no Content-Length header" if length is None else length


_WAIT = object()
_AGAIN = object()


def _reader(stdin: BinaryIO) -> Callable[[int], bytes]:
    """Whatever bytes are there, at most n. The file descriptor itself when there is one: a
    daemon thread blocked in a buffered read holds its lock, and the interpreter aborts at
    exit when it cannot take it."""
    try:
        descriptor = stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return getattr(stdin, "read1", stdin.read)
    return lambda size: os.read(descriptor, size)


async def serve_frames(
    stdin: BinaryIO,
    decode: Callable[[bytes], Any],
    handle: Callable[[Any], None],
    stop: threading.Event,
    report: Callable[[str], None],
) -> None:
    """Read stdin on a daemon thread (a blocked read never holds up the exit), hand each
    decoded message to `handle` on the event loop, until EOF or `stop`."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    read = _reader(stdin)

    def pump() -> None:
        while True:
            try:
                data = read(CHUNK_BYTES)
            except (OSError, ValueError):
                data = b""
            try:
                loop.call_soon_threadsafe(queue.put_nowait, data)
            except RuntimeError:  # the loop is closed: the server is exiting
                return
            if not data:
                return

    threading.Thread(target=pump, name="lockstep-stdin", daemon=True).start()
    frames = FrameReader(decode, report)
    while not stop.is_set():
        data = await queue.get()
        if not data:
            return
        for message in frames.feed(data):
            try:
                handle(message)
            except Exception:  # one bad message must not end the session
                LOG.exception("Unable to handle message")
