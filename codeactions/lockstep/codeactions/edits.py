"""Plain edit data: what a code action changes, before the protocol layer makes it LSP.

Builders in this package return these; only `lockstep.protocol` turns them into a
WorkspaceEdit, so every fix is unit-testable on plain text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lockstep.core.text import LineIndex, Range


@dataclass(frozen=True, slots=True)
class TextEdit:
    path: str  # relative to the workspace root, `/` separators
    range: Range
    new_text: str


@dataclass(frozen=True, slots=True)
class CreateFile:
    """A new file with its content; never overwrites (the protocol asks overwrite=false)."""

    path: str
    content: str


@dataclass(frozen=True, slots=True)
class RenameFile:
    """Move a file; never onto an existing one (the protocol asks overwrite=false)."""

    old_path: str
    new_path: str


@dataclass(frozen=True, slots=True)
class Edit:
    title: str
    kind: str  # "quickfix" | "refactor" | "source" (protocol kinds may refine it)
    edits: tuple[TextEdit, ...] = ()
    creates: tuple[CreateFile, ...] = ()
    diagnostic_code: str | None = None
    is_preferred: bool = False
    command: tuple[str, tuple[object, ...]] | None = field(default=None)  # (name, arguments)
    renames: tuple[RenameFile, ...] = ()


def quick_fix(code: str, title: str, edits: Iterable[TextEdit], preferred: bool = True) -> Edit:
    """The usual quick fix: text edits in answer to one rule's diagnostic."""
    return Edit(title, "quickfix", tuple(edits), diagnostic_code=code, is_preferred=preferred)


def insert(path: str, lines: LineIndex, offset: int, text: str) -> TextEdit:
    point = lines.position(offset)
    return TextEdit(path, Range(point, point), text)


def replace(path: str, lines: LineIndex, start: int, end: int, text: str) -> TextEdit:
    return TextEdit(path, lines.range(start, end), text)


def apply_text_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply edits of one file (non-overlapping, in any order), as an editor would."""
    lines = LineIndex(text)
    spans = sorted(
        ((lines.offset(e.range.start), lines.offset(e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def newline_of(text: str) -> str:
    """The file's line ending, so inserted lines keep CRLF files CRLF."""
    return "\r\n" if "\r\n" in text else "\n"


def with_newlines(text: str, newline: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", newline)


def files_touched(edits: Sequence[Edit]) -> set[str]:
    return (
        {e.path for edit in edits for e in edit.edits}
        | {c.path for edit in edits for c in edit.creates}
        | {p for edit in edits for r in edit.renames for p in (r.old_path, r.new_path)}
    )
