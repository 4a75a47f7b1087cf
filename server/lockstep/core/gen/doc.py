"""A small Wadler/Prettier-style document printer.

Supabase's generator formats its output with a Prettier-compatible formatter (printWidth 80,
no semicolons). Reproducing that output byte for byte means making the same fit-or-break
decisions, so the renderer builds documents with the same groups and this module prints them
with Prettier's algorithm: a group is printed flat when it and the rest of its line fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 80


@dataclass(frozen=True, slots=True)
class Line:
    soft: bool = False  # flat: nothing (soft) or one space
    hard: bool = False  # always a newline; breaks every enclosing group


@dataclass(slots=True)
class Group:
    contents: Doc
    broken: bool = False  # forced (an object literal with a newline after `{`, a hard line)

    def __post_init__(self) -> None:
        self.broken = self.broken or _forces_break(self.contents)


@dataclass(frozen=True, slots=True)
class Indent:
    contents: Doc
    width: int = 2


@dataclass(frozen=True, slots=True)
class IfBreak:
    broken: Doc
    flat: Doc = ""


@dataclass(slots=True)
class Concat:
    parts: list[Doc] = field(default_factory=list)


Doc = str | Concat | Group | Indent | Line | IfBreak

LINE = Line()
SOFTLINE = Line(soft=True)
HARDLINE = Line(hard=True)


def concat(*parts: Doc) -> Concat:
    return Concat(list(parts))


def join(separator: Doc, docs: list[Doc]) -> Concat:
    parts: list[Doc] = []
    for index, doc in enumerate(docs):
        if index:
            parts.append(separator)
        parts.append(doc)
    return Concat(parts)


def _forces_break(doc: Doc) -> bool:
    """Prettier's propagateBreaks: a hard line or a broken group breaks its parents."""
    if isinstance(doc, str):
        return False
    if isinstance(doc, Line):
        return doc.hard
    if isinstance(doc, Group):
        return doc.broken
    if isinstance(doc, Indent):
        return _forces_break(doc.contents)
    if isinstance(doc, IfBreak):
        return _forces_break(doc.broken) or _forces_break(doc.flat)
    return any(_forces_break(part) for part in doc.parts)


_FLAT, _BREAK = 0, 1
_Command = tuple[int, int, Doc]  # indentation, mode, doc


def _fits(command: _Command, rest: list[_Command], width: int) -> bool:
    """Does `command` (flat) plus the rest of its line fit in `width` columns?"""
    stack = [command]
    rest_index = len(rest)
    while width >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            stack.append(rest[rest_index])
            continue
        indent, mode, doc = stack.pop()
        if isinstance(doc, str):
            width -= len(doc)
        elif isinstance(doc, Concat):
            stack.extend((indent, mode, part) for part in reversed(doc.parts))
        elif isinstance(doc, Indent):
            stack.append((indent + doc.width, mode, doc.contents))
        elif isinstance(doc, Group):
            stack.append((indent, _BREAK if doc.broken else mode, doc.contents))
        elif isinstance(doc, IfBreak):
            stack.append((indent, mode, doc.broken if mode == _BREAK else doc.flat))
        elif mode == _BREAK or doc.hard:
            return True
        elif not doc.soft:
            width -= 1
    return False


def render(doc: Doc, width: int = WIDTH) -> str:
    out: list[str] = []
    position = 0
    commands: list[_Command] = [(0, _BREAK, doc)]
    while commands:
        indent, mode, current = commands.pop()
        if isinstance(current, str):
            out.append(current)
            position += len(current)
        elif isinstance(current, Concat):
            commands.extend((indent, mode, part) for part in reversed(current.parts))
        elif isinstance(current, Indent):
            commands.append((indent + current.width, mode, current.contents))
        elif isinstance(current, Group):
            flat = (indent, _FLAT, current.contents)
            if not current.broken and (mode == _FLAT
                                       or _fits(flat, commands, width - position)):
                commands.append(flat)
            else:
                commands.append((indent, _BREAK, current.contents))
        elif isinstance(current, IfBreak):
            commands.append((indent, mode, current.broken if mode == _BREAK else current.flat))
        elif mode == _FLAT and not current.hard:
            if not current.soft:
                out.append(" ")
                position += 1
        else:
            while out and out[-1].endswith(" "):
                out[-1] = out[-1].rstrip(" ")
            out.append("\n" + " " * indent)
            position = indent
    return "".join(out)
