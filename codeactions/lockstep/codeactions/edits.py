"""Plain edit data: what a code action changes, before the protocol layer makes it LSP.

Builders in this package return these; only `lockstep.protocol` turns them into a
WorkspaceEdit, so every fix is unit-testable on plain text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

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


class Applicability(Enum):
    """How sure a fix is, as ruff says it: `check --fix` applies SAFE ones, `--unsafe-fixes`
    UNSAFE ones too; DISPLAY_ONLY fixes are offered in the editor only (a choice to make, a
    suppression, a command)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, slots=True)
class Edit:
    title: str
    kind: str  # "quickfix" | "suppress" | "refactor" | "source" (the protocol maps them)
    edits: tuple[TextEdit, ...] = ()
    creates: tuple[CreateFile, ...] = ()
    diagnostic_code: str | None = None
    is_preferred: bool = False
    command: tuple[str, tuple[object, ...]] | None = field(default=None)  # (name, arguments)
    renames: tuple[RenameFile, ...] = ()
    applicability: Applicability = Applicability.UNSAFE


def quick_fix(
    code: str,
    title: str,
    edits: Iterable[TextEdit],
    preferred: bool = True,
    applicability: Applicability = Applicability.UNSAFE,
) -> Edit:
    """The usual quick fix: text edits in answer to one rule's diagnostic."""
    return Edit(title, "quickfix", tuple(edits), diagnostic_code=code, is_preferred=preferred,
                applicability=applicability)


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

