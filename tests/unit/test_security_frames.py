"""protocol/frames.py: the reader skips a malformed frame and finds the next one, however the
bytes arrive (one by one, in odd chunks, all at once)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lockstep.core.text import LineIndex, Position, offset_at
from lockstep.protocol.frames import FrameReader


def frame(body: bytes, header: bytes | None = None) -> bytes:
    return (header or b"Content-Length: %d\r\n" % len(body)) + b"\r\n" + body


def message(ident: int) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": ident, "method": "x", "params": {}}).encode()


BODY = message(0)
BROKEN = {
    "non-numeric": frame(BODY, b"Content-Length: abc\r\n"),
    "negative": frame(BODY, b"Content-Length: -5\r\n"),
    "missing": frame(BODY, b"Content-Type: application/vscode-jsonrpc\r\n"),
    "too short": frame(BODY, b"Content-Length: %d\r\n" % (len(BODY) - 7)),
    "too long": frame(BODY, b"Content-Length: %d\r\n" % (len(BODY) + 40)),
    "huge": frame(BODY, b"Content-Length: 99999999999999\r\n"),
    "not json": frame(b"hello"),
    "no header end": b"x" * 9000,
    "junk": b"\x00\xff garbage",
}


def run(data: bytes, chunk: int) -> tuple[list[Any], list[str]]:
    reports: list[str] = []
    reader = FrameReader(json.loads, reports.append)
    messages: list[Any] = []
    for start in range(0, len(data), chunk):
        messages += reader.feed(data[start : start + chunk])
    return messages, reports


@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_frame_costs_that_frame_only(case: str, chunk: int) -> None:
    data = frame(message(1)) + BROKEN[case] + frame(message(2)) + frame(message(3))
    messages, reports = run(data, chunk)
    assert [m["id"] for m in messages] == [1, 2, 3]
    assert len(reports) == 1 and reports[0].startswith("Dropped a malformed message"), reports


def test_good_frames_with_other_headers_and_unicode() -> None:
    body = json.dumps({"id": 1, "text": "Content-Length: 5\\r\\n é 😀"}, ensure_ascii=False)
    data = frame(body.encode(), b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
                 b"content-length: %d\r\n" % len(body.encode()))
    messages, reports = run(data * 3, 5)
    assert [m["text"] for m in messages] == [json.loads(body)["text"]] * 3 and not reports


def test_every_broken_frame_in_a_row_is_one_loss() -> None:
    data = b"".join(BROKEN.values()) + frame(message(9))
    messages, reports = run(data, 3)
    assert [m["id"] for m in messages] == [9]
    assert reports


def test_a_message_that_is_json_but_not_json_rpc_is_dropped_alone() -> None:
    def decode(body: bytes) -> Any:
        value = json.loads(body)
        if value.get("id") == 2:
            raise TypeError("not a message")
        return value

    reports: list[str] = []
    reader = FrameReader(decode, reports.append)
    messages = reader.feed(b"".join(frame(message(i)) for i in (1, 2, 3)))
    assert [m["id"] for m in messages] == [1, 3]
    assert reports == ["Dropped a message that is not JSON-RPC: not a message"]


@pytest.mark.parametrize("text", ["", "a", "ab\ncd\r\nef\n", "x😀y\né\n\nlast", "\n\n"])
def test_offset_at_agrees_with_the_line_index(text: str) -> None:
    """The one-slice edit path for big buffers (protocol/server.py) finds the same offsets."""
    lines = LineIndex(text)
    for line in range(lines.line_count + 2):
        for character in range(6):
            position = Position(line, character)
            assert offset_at(text, position) == lines.offset(position), (line, character)
