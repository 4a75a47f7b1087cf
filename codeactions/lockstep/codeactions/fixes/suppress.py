"""The fixes every rule offers: "Suppress `rule` on this line" and "… in this file".

They write the comments the engine reads (`-- lockstep-ignore rule` on the line before,
`-- lockstep-ignore-file rule` at the top; `//` in TypeScript, `#` in TOML), extending a
directive that is already there instead of stacking a second one. Display-only: `check --fix`
never silences a finding.
"""

from __future__ import annotations

from lockstep.codeactions.edits import Applicability, Edit, TextEdit, insert, newline_of
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import IGNORE, IGNORE_FILE
from lockstep.core.text import LineIndex, Position, Range
from lockstep.core.workspace import Workspace

_MARKERS = {".sql": "--", ".ts": "//", ".tsx": "//", ".toml": "#"}


def _marker(path: str) -> str | None:
    return next((m for ext, m in _MARKERS.items() if path.endswith(ext)), None)


def _text(workspace: Workspace, path: str) -> str | None:
    doc = workspace.migrations.get(path)
    if doc is not None:
        return doc.text
    return workspace.ts_texts.get(path) or workspace.read(path)


def _inside_token(workspace: Workspace, path: str, offset: int) -> bool:
    """Whether `offset` (a line start) falls inside a multi-line SQL string or comment, where
    a new comment line would change the text of a literal."""
    doc = workspace.migrations.get(path)
    if doc is None:
        return False
    for statement in doc.parsed.statements:
        if statement.start < offset < statement.end:
            return any(statement.start + t.start < offset < statement.start + t.end
                       for t in statement.tokens)
    return False


def _directive_end(lines: LineIndex, line: int, marker: str, word: str) -> int | None:
    """Where to append a rule name when `line` already is a `word` directive."""
    text = lines.line_text(line)
    body = text.strip()
    if body.startswith(marker) and body[len(marker):].strip().split(" ", 1)[0] == word:
        return lines.line_start(line) + len(text.rstrip())
    return None


def _edit(code: str, title: str, edit: TextEdit) -> Edit:
    return Edit(title, "suppress", (edit,), diagnostic_code=code,
                applicability=Applicability.DISPLAY_ONLY)


def suppress_line(workspace: Workspace, diagnostic: Diagnostic) -> Edit | None:
    path, code = diagnostic.path, diagnostic.code
    marker, text = _marker(path), _text(workspace, path)
    if marker is None or text is None:
        return None
    lines, line = LineIndex(text), diagnostic.range.start.line
    if line >= lines.line_count:
        return None
    title = f"Suppress `{code}` on this line"
    if line > 0 and (end := _directive_end(lines, line - 1, marker, IGNORE)) is not None:
        return _edit(code, title, insert(path, lines, end, f" {code}"))
    start = lines.line_start(line)
    if _inside_token(workspace, path, start):
        return None
    current = lines.line_text(line)
    indent = current[: len(current) - len(current.lstrip(" \t"))]
    comment = f"{indent}{marker} {IGNORE} {code}{newline_of(text)}"
    return _edit(code, title, TextEdit(path, Range(Position(line, 0), Position(line, 0)), comment))


def suppress_file(workspace: Workspace, diagnostic: Diagnostic) -> Edit | None:
    path, code = diagnostic.path, diagnostic.code
    marker, text = _marker(path), _text(workspace, path)
    if marker is None or text is None:
        return None
    lines = LineIndex(text)
    title = f"Suppress `{code}` in this file"
    for line in range(lines.line_count):
        end = _directive_end(lines, line, marker, IGNORE_FILE)
        if end is not None:
            return _edit(code, title, insert(path, lines, end, f" {code}"))
    return _edit(code, title, insert(path, lines, 0,
                                     f"{marker} {IGNORE_FILE} {code}{newline_of(text)}"))


def suppressions(workspace: Workspace, diagnostic: Diagnostic) -> list[Edit]:
    found = (suppress_line(workspace, diagnostic), suppress_file(workspace, diagnostic))
    return [edit for edit in found if edit is not None]
