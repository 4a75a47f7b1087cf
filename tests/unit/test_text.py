"""Decoding and position conversion: the one module where units change."""

from __future__ import annotations

import codecs

from lockstep.core.text import LineIndex, Position, Range, decode_source


def test_decoding_never_raises() -> None:
    assert decode_source(codecs.BOM_UTF8 + b"select 1").text == "select 1"
    assert decode_source("sélect".encode("utf-16")).text == "sélect"
    assert decode_source(codecs.BOM_UTF16_BE + "x".encode("utf-16-be")).text == "x"
    broken = decode_source(b"a\xffb")
    assert broken.text == "a\ufffdb" and broken.problem is not None
    assert decode_source(b"").text == ""


def test_utf16_positions() -> None:
    lines = LineIndex("ab\nc😀d\n")
    assert lines.position(4) == Position(1, 1)
    assert lines.position(5) == Position(1, 3)  # after the emoji: two code units
    assert lines.offset(Position(1, 3)) == 5
    assert lines.offset(Position(9, 0)) == len(lines.text)


def test_crlf_line_text_and_clamping() -> None:
    lines = LineIndex("first\r\nsecond")
    assert lines.line_text(0) == "first"
    assert lines.offset(Position(0, 99)) == 5
    assert lines.position(7) == Position(1, 0)


def test_tree_sitter_points_are_bytes() -> None:
    lines = LineIndex("é = 'x'\n")
    assert lines.position_from_point(0, 2) == Position(0, 1)  # é is two UTF-8 bytes
    assert lines.offset_from_point(0, 2) == 1
    assert lines.range_from_points((0, 0), (0, 2)) == Range(Position(0, 0), Position(0, 1))
