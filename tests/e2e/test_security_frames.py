"""Broken JSON-RPC frames, as raw bytes to the real server process over stdio: after each one
the server says what it dropped (window/logMessage) and answers the next valid request. One
process takes every case in turn, so each case also shows the earlier ones did no harm."""

from __future__ import annotations

import itertools
import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

TIMEOUT = 30.0
IDS = itertools.count(2)


def frame(message: dict[str, Any], length: int | str | None = 0, extra: int = 0) -> bytes:
    body = json.dumps(message).encode()
    if length is None:
        return b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + body
    header = f"Content-Length: {length if length != 0 else len(body) + extra}\r\n\r\n"
    return header.encode() + body


def request(ident: int, method: str, params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "method": method, "params": params}


SYMBOLS = request(99, "workspace/symbol", {"query": ""})
CASES: dict[str, bytes] = {
    "non-numeric": frame(SYMBOLS, "abc"),
    "negative": frame(SYMBOLS, -5),
    "missing": frame(SYMBOLS, None),
    "too short": frame(SYMBOLS, extra=-10),
    "too long": frame(SYMBOLS, extra=50),
    "not json": b"Content-Length: 5\r\n\r\nhello",
    "junk line": b"garbage\r\n" + frame(SYMBOLS, extra=-3),
}


class Server:
    """The real server process, spoken to in raw bytes; what it sends, parsed into a queue."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lockstep"], cwd=root, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stdout: IO[bytes]) -> None:
        while True:
            headers: dict[str, str] = {}
            while (line := stdout.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            if not line:
                return
            self.received.put(json.loads(stdout.read(int(headers["content-length"]))))

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def wait_for(self, predicate: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The first message that matches, and every message before it."""
        before: list[dict[str, Any]] = []
        while True:
            message = self.received.get(timeout=TIMEOUT)
            if predicate(message):
                return message, before
            before.append(message)

    def answer(self, ident: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        return self.wait_for(lambda m: m.get("id") == ident and "method" not in m)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("frames")
    (tmp_path / "supabase" / "migrations").mkdir(parents=True)
    (tmp_path / "supabase" / "migrations" / "001_a.sql").write_text(
        "-- A.\nCREATE TABLE wins (id int PRIMARY KEY);\n")
    running = Server(tmp_path)
    running.send(frame(request(1, "initialize", {
        "processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})))
    running.answer(1)
    running.send(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    running.wait_for(lambda m: "Lockstep indexed" in m.get("params", {}).get("message", ""))
    yield running
    running.send(frame(request(1000, "shutdown", None)))
    running.answer(1000)
    running.send(frame({"jsonrpc": "2.0", "method": "exit"}))
    assert running.process.wait(TIMEOUT) == 0


@pytest.mark.parametrize("case", list(CASES))
def test_the_request_after_a_broken_frame_is_answered(server: Server, case: str) -> None:
    ident = next(IDS)
    server.send(CASES[case])
    server.send(frame(request(ident, "workspace/symbol", {"query": "wins"})))
    answer, before = server.answer(ident)
    assert [s["name"] for s in answer["result"]] == ["wins"]
    logged = [m["params"]["message"] for m in before if m.get("method") == "window/logMessage"]
    assert any("Dropped a malformed message" in text for text in logged), logged
    assert all(m.get("id") != 99 for m in before)  # the broken request itself is dropped


def test_a_too_long_frame_sent_with_the_next_one(server: Server) -> None:
    """Both in one write: the too-long body swallows the start of the next frame."""
    ident = next(IDS)
    server.send(CASES["too long"] + frame(request(ident, "workspace/symbol", {"query": "wins"})))
    answer, _ = server.answer(ident)
    assert [s["name"] for s in answer["result"]] == ["wins"]


def test_every_broken_frame_in_a_row(server: Server) -> None:
    server.send(b"".join(CASES.values()))
    ident = next(IDS)
    server.send(frame(request(ident, "workspace/symbol", {"query": "wins"})))
    answer, _ = server.answer(ident)
    assert [s["name"] for s in answer["result"]] == ["wins"]
