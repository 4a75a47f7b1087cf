"""Source text: decoding odd encodings and converting positions.

This is the one place where offsets change units. pglast reports character offsets,
tree-sitter reports UTF-8 byte offsets, and LSP wants (line, UTF-16 code unit) pairs.
"""

from __future__ import annotations

import bisect
import codecs
from dataclasses import dataclass

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded file contents; `problem` explains a lossy or unusual decoding."""

    text: str
    encoding: str
    problem: str | None = None


def decode_source(data: bytes) -> Decoded:
    """Decode workspace bytes without ever raising: BOMs, UTF-16 and bad bytes are normal input.

    A leading BOM is stripped so that offsets match what an editor shows.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                return Decoded(body.decode(encoding), encoding)
            except UnicodeDecodeError:
                return Decoded(
                    body.decode(encoding, errors="replace"), encoding, f"invalid {encoding} bytes"
                )
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as error:
        return Decoded(
            data.decode("utf-8", errors="replace"),
            "utf-8",
            f"file is not valid UTF-8 (first bad byte at offset {error.start})",
        )


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """An LSP position: 0-based line, character in UTF-16 code units."""

    line: int
    character: int


@dataclass(frozen=True, slots=True)
class Range:
    start: Position
    end: Position

    def contains(self, position: Position) -> bool:
        return self.start <= position <= self.end

    @staticmethod
    def empty(line: int = 0, character: int = 0) -> Range:
        point = Position(line, character)
        return Range(point, point)


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class LineIndex:
    """Maps character offsets, UTF-8 byte offsets and LSP positions onto each other."""

    __slots__ = ("_ascii", "_line_starts", "_ranges", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        index = text.find("\n")
        while index != -1:
            starts.append(index + 1)
            index = text.find("\n", index + 1)
        self._line_starts = starts
        self._ascii = text.isascii()
        # Ranges asked for before: every replay after an edit asks the same ones of each
        # unchanged migration again (the index lives as long as the file's text).
        self._ranges: dict[tuple[int, int], Range] = {}

    def __getstate__(self) -> tuple[str, list[int], bool]:
        return self.text, self._line_starts, self._ascii  # not the remembered ranges

    def __setstate__(self, state: tuple[str, list[int], bool]) -> None:
        self.text, self._line_starts, self._ascii = state
        self._ranges = {}

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_start(self, line: int) -> int:
        line = max(0, min(line, len(self._line_starts) - 1))
        return self._line_starts[line]

    def line_text(self, line: int) -> str:
        """The line without its terminator (\\n or \\r\\n)."""
        start = self.line_start(line)
        end = self.text.find("\n", start)
        end = len(self.text) if end == -1 else end
        if end > start and self.text[end - 1] == "\r":
            end -= 1
        return self.text[start:end]

    def position(self, offset: int) -> Position:
        """Character offset → LSP position."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        start = self._line_starts[line]
        if self._ascii:
            return Position(line, offset - start)
        return Position(line, _utf16_len(self.text[start:offset]))

    def range(self, start: int, end: int) -> Range:
        found = self._ranges.get((start, end))
        if found is None:
            found = self._ranges[(start, end)] = Range(self.position(start), self.position(end))
        return found

    def offset(self, position: Position) -> int:
        """LSP position → character offset (clamped to the line, as LSP asks)."""
        if position.line >= len(self._line_starts):
            return len(self.text)
        start = self._line_starts[max(position.line, 0)]
        line = self.line_text(position.line)
        if self._ascii:
            return start + max(0, min(position.character, len(line)))
        units = 0
        for index, ch in enumerate(line):
            if units >= position.character:
                return start + index
            units += 2 if ord(ch) > 0xFFFF else 1
        return start + len(line)

    def position_from_point(self, row: int, byte_column: int) -> Position:
        """tree-sitter point (row, UTF-8 byte column) → LSP position."""
        if self._ascii:
            return Position(row, byte_column)
        prefix = self.line_text(row).encode("utf-8")[:byte_column].decode("utf-8", "ignore")
        return Position(row, _utf16_len(prefix))

    def offset_from_point(self, row: int, byte_column: int) -> int:
        """tree-sitter point → character offset."""
        if self._ascii:
            return self.line_start(row) + byte_column
        prefix = self.line_text(row).encode("utf-8")[:byte_column].decode("utf-8", "ignore")
        return self.line_start(row) + len(prefix)

    def range_from_points(self, start: tuple[int, int], end: tuple[int, int]) -> Range:
        return Range(self.position_from_point(*start), self.position_from_point(*end))


def offset_at(text: str, position: Position) -> int:
    """One LSP position → character offset, as `LineIndex(text).offset` gives it, without
    indexing every line first (an edit in a 20 MB buffer: newlines counted 64 KiB at a time)."""
    start, remaining = 0, max(position.line, 0)
    while remaining:
        chunk_end = min(start + (1 << 16), len(text))
        found = text.count("\n", start, chunk_end)
        if found >= remaining:
            for _ in range(remaining):
                start = text.index("\n", start) + 1
            break
        if chunk_end == len(text):
            return len(text)
        remaining -= found
        start = chunk_end
    end = text.find("\n", start)
    line = text[start : len(text) if end == -1 else end]
    return start + LineIndex(line).offset(Position(0, position.character))
