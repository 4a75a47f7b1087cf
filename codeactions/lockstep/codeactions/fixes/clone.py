"""Quick fixes for the simulator clone route (`clone-missing-column`).

A column missing from the source SELECT is appended to the select string. A column missing
from the `sim_` INSERT is added to the inserted object literal: copied from the row variable
(`mood: w.mood`) when the source table has it; for a `NOT NULL` column only the twin has
(`sim_wins.content`), copied from a source column of the same type, the closest by name or
else the first (`content: w.text`): a guess the person confirms, never a made-up value.
"""

from __future__ import annotations

from tree_sitter import Node

from lockstep.codeactions.edits import (
    Applicability,
    Edit,
    TextEdit,
    insert,
    newline_of,
    quick_fix,
    replace,
)
from lockstep.codeactions.fixes.registry import fixes
from lockstep.core.consumers.index import ChainCall
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.model import Column, Table
from lockstep.core.rules.payloads import CloneColumn
from lockstep.core.rules.registry.consumers import CLONE_MISSING_COLUMN
from lockstep.core.spelling import closest
from lockstep.core.text import LineIndex
from lockstep.core.ts.parse import ParsedFile, parse_source
from lockstep.core.workspace import Workspace


def _call(workspace: Workspace, diagnostic: Diagnostic) -> ChainCall | None:
    for use in workspace.consumer_files.get(diagnostic.path, ()):
        for call in use.chain:
            if call.name_range == diagnostic.range and call.name in ("insert", "upsert"):
                return call
    return None


def _copied_from(source: Table, column: Column) -> str | None:
    """The source column a sim_-only column most plausibly copies: of the same type, the
    closest by name, else the first (NOT NULL ones first, as the target is NOT NULL)."""
    same_type = [c for c in source.columns.values() if c.type == column.type]
    same_type.sort(key=lambda c: c.nullable)
    by_name = closest(column.name, [c.name for c in same_type])
    return by_name or (same_type[0].name if same_type else None)


def _entry(workspace: Workspace, data: CloneColumn, call: ChainCall) -> tuple[str, bool] | None:
    """The property to add, and whether it copies a column of the same name (else a guess)."""
    name, suggestion = data.column, data.suggestion
    if suggestion is not None and suggestion.strip():
        return suggestion.strip().rstrip(",").rstrip(), True
    schema = workspace.replay.schema
    mirror = schema.table(data.table)
    source = schema.table(data.source) if data.source else None
    row = call.row_variable
    if mirror is None or source is None or not row:
        return None
    column = mirror.columns.get(name)
    origin = _copied_from(source, column) if column is not None else None
    return (f"{name}: {row}.{origin}", origin == name) if origin else None


def _object(parsed: ParsedFile, call: ChainCall) -> Node | None:
    """The one object literal the insert's keys are written in."""
    keys = {c.range for c in call.columns if c.relation is None}
    found = []
    for node in parsed.captures("(object) @object", "object"):
        names = {
            parsed.range_of(k)
            for child in node.named_children
            if (k := child.child_by_field_name("key") if child.type == "pair" else child)
            is not None
        }
        if keys & names:
            found.append(node)
    return found[0] if len(found) == 1 and keys else None


def _insert_entry(path: str, text: str, parsed: ParsedFile, node: Node, entry: str) -> TextEdit:
    """After the last property, as the object is written: one per line or all on one."""
    lines, newline = LineIndex(text), newline_of(text)
    properties = [c for c in node.named_children if c.type != "comment"]
    last = properties[-1]
    end = parsed.offset_after(last)
    after = end + len(text[end:]) - len(text[end:].lstrip(" \t"))
    comma = text[after : after + 1] == ","
    if last.start_point[0] == node.start_point[0]:  # `{ id: w.id, text: w.text }`
        if comma:
            return insert(path, lines, after + 1, f" {entry},")
        return insert(path, lines, end, f", {entry}")
    line = lines.line_text(last.start_point[0])
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if not comma:
        return insert(path, lines, end, f",{newline}{indent}{entry}")
    rest_start = after + 1
    line_end = text.find("\n", rest_start)
    line_end = len(text) if line_end < 0 else line_end
    line_end -= 1 if text[line_end - 1 : line_end] == "\r" else 0
    rest = text[rest_start:line_end].strip()
    at = line_end if not rest or rest.startswith("//") else rest_start
    return insert(path, lines, at, f"{newline}{indent}{entry},")


def _fix_insert(workspace: Workspace, diagnostic: Diagnostic, data: CloneColumn) -> list[Edit]:
    call = _call(workspace, diagnostic)
    text = workspace.ts_texts.get(diagnostic.path) or workspace.read(diagnostic.path)
    if call is None or text is None or call.unknown_columns:
        return []
    found = _entry(workspace, data, call)
    parsed = parse_source(diagnostic.path, text)
    node = _object(parsed, call)
    if found is None or node is None:
        return []
    entry, same_name = found
    edit = _insert_entry(diagnostic.path, text, parsed, node, entry)
    sure = Applicability.SAFE if same_name else Applicability.UNSAFE
    return [quick_fix(diagnostic.code, f"Add `{entry}` to the insert", (edit,), applicability=sure)]


def _fix_select(workspace: Workspace, diagnostic: Diagnostic, data: CloneColumn) -> list[Edit]:
    column = data.column
    text = workspace.ts_texts.get(diagnostic.path) or workspace.read(diagnostic.path)
    if not column or text is None:
        return []
    lines = LineIndex(text)
    start, end = lines.offset(diagnostic.range.start), lines.offset(diagnostic.range.end)
    current = text[start:end].rstrip()
    if not current or current.endswith(","):
        return []
    new = f"{current}, {column}"
    return [
        quick_fix(
            diagnostic.code,
            f"Add `{column}` to the select",
            (replace(diagnostic.path, lines, start, start + len(current), new),),
            applicability=Applicability.SAFE,
        )
    ]


@fixes(CLONE_MISSING_COLUMN)
def fix_clone_missing_column(
    workspace: Workspace, diagnostic: Diagnostic, data: CloneColumn
) -> list[Edit]:
    if data.part == "select":
        return _fix_select(workspace, diagnostic, data)
    if data.part == "insert":
        return _fix_insert(workspace, diagnostic, data)
    return []
