"""Quick fixes for row types and consumers: fields, type files, exports, misspelt names.

Field edits follow the file's own separator (`;`, `,` or none), indentation and line ending;
the field text itself comes from the type rules' `suggestion` (built with `sqlts`).
"""

from __future__ import annotations

import posixpath
from typing import Any

from lockstep.codeactions.edits import (
    Applicability,
    CreateFile,
    Edit,
    TextEdit,
    insert,
    newline_of,
    quick_fix,
    replace,
)
from lockstep.codeactions.fixes.registry import fixes
from lockstep.codeactions.migration.extract import column_spec_for
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.payloads import (
    FieldFinding,
    MissingType,
    NotExported,
    StaleEnum,
    UnknownColumnRef,
    UnknownField,
    UnknownTableRef,
)
from lockstep.core.rules.registry.consumers import (
    UNKNOWN_COLUMN_REFERENCE,
    UNKNOWN_TABLE_REFERENCE,
)
from lockstep.core.rules.registry.types import (
    TABLE_MISSING_TYPE,
    TYPE_MISMATCH,
    TYPE_MISSING_FIELD,
    TYPE_NOT_EXPORTED,
    TYPE_NULLABILITY,
    TYPE_OPTIONALITY,
    TYPE_UNKNOWN_FIELD,
)
from lockstep.core.text import LineIndex, Position, Range
from lockstep.core.ts.index import RowType, TypeField
from lockstep.core.workspace import Workspace

ADD_COLUMN = "lockstep.addColumn"  # migration + mirror + clone keys (the field exists)
SAFE = Applicability.SAFE


def _range(value: Any) -> Range | None:
    try:
        start, end = value["start"], value["end"]
        return Range(
            Position(int(start["line"]), int(start["character"])),
            Position(int(end["line"]), int(end["character"])),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _row_at(workspace: Workspace, path: str, where: Range) -> RowType | None:
    types_file = workspace.types_files.get(path)
    for row in types_file.types if types_file else ():
        if row.range.contains(where.start):
            return row
    return None


def _field_at(row: RowType | None, where: Range) -> TypeField | None:
    for field in row.fields if row else ():
        if field.range.contains(where.start) or field.name_range == where:
            return field
    return None


def _text(workspace: Workspace, path: str) -> str | None:
    return workspace.ts_texts.get(path) or workspace.read(path)


def _separator(text: str, lines: LineIndex, row: RowType) -> str:
    """`;` or `,` as the type's fields are written (`;` when nothing says)."""
    for field in row.fields:
        end = lines.offset(field.range.end)
        after = text[end : end + 1]
        if after and after in ";,":
            return after
    return ";"


def _with_separator(suggestion: str, separator: str) -> str:
    return suggestion.rstrip(";,").rstrip() + separator


def _indent_of(lines: LineIndex, line: int) -> str:
    text = lines.line_text(line)
    return text[: len(text) - len(text.lstrip(" \t"))]


@fixes(TYPE_MISSING_FIELD)
def fix_missing_field(
    workspace: Workspace, diagnostic: Diagnostic, data: FieldFinding
) -> list[Edit]:
    suggestion, path = data.suggestion, data.type_path or diagnostic.path
    text = _text(workspace, path)
    row = _row_at(workspace, path, diagnostic.range)
    if text is None or row is None or data.generated:
        return []
    lines, newline = LineIndex(text), newline_of(text)
    separator = _separator(text, lines, row)
    edits: list[TextEdit] = []
    if row.fields:
        last = row.fields[-1]
        end = lines.offset(last.range.end)
        if not text[end : end + 1] or text[end : end + 1] not in ";,":
            edits.append(insert(path, lines, end, separator))
        line_end = lines.offset(Position(last.range.end.line, 10**9))
        indent = _indent_of(lines, last.range.start.line)
        edits.append(
            insert(path, lines, line_end, newline + indent + _with_separator(suggestion, separator))
        )
    else:
        brace = text.find("{", lines.offset(row.name_range.end))
        if brace < 0:
            return []
        indent = _indent_of(lines, row.range.start.line) + "  "
        edits.append(
            insert(
                path, lines, brace + 1, newline + indent + _with_separator(suggestion, separator)
            )
        )
    return [
        quick_fix(diagnostic.code, f"Add `{suggestion.rstrip(';')}` to {row.name}", tuple(edits),
                  applicability=SAFE)
    ]


def _remove_field(path: str, text: str, field: TypeField) -> TextEdit:
    lines = LineIndex(text)
    start, end = lines.offset(field.range.start), lines.offset(field.range.end)
    if text[end : end + 1] in (";", ","):
        end += 1
    line_start = lines.line_start(field.range.start.line)
    line_end = lines.offset(Position(field.range.end.line, 10**9))
    if not text[line_start:start].strip() and not text[end:line_end].strip():
        # The field has its line(s) to itself: take the whole lines with their ending.
        after = text.find("\n", line_end)
        return replace(path, lines, line_start, len(text) if after < 0 else after + 1, "")
    while end < len(text) and text[end] in " \t":
        end += 1
    return replace(path, lines, start, end, "")


@fixes(TYPE_UNKNOWN_FIELD)
def fix_unknown_field(
    workspace: Workspace, diagnostic: Diagnostic, data: UnknownField
) -> list[Edit]:
    """Removing the field is unsafe (code may read it), a rename a guess, the migration a
    command to run by hand."""
    path = data.type_path or diagnostic.path
    text = _text(workspace, path)
    field = _field_at(_row_at(workspace, path, diagnostic.range), diagnostic.range)
    if text is None or field is None:
        return []
    edits = [
        quick_fix(
            diagnostic.code,
            f"Remove field `{field.name}`",
            (_remove_field(path, text, field),),
            preferred=False,
        )
    ]
    suggestion = data.suggestion
    if suggestion:
        lines = LineIndex(text)
        rename = replace(
            path,
            lines,
            lines.offset(field.name_range.start),
            lines.offset(field.name_range.end),
            suggestion,
        )
        edits.insert(
            0,
            quick_fix(diagnostic.code, f"Did you mean `{suggestion}`?", (rename,)),
        )
    table = data.table
    if not data.generated:
        ts_type = field.type.text if field.type is not None else "unknown"
        title = f"Create migration adding column {table}.{field.name}"
        arguments = (column_spec_for(table, field.name, ts_type, field.optional),)
        edits.append(
            Edit(
                title, "source", diagnostic_code=diagnostic.code,
                command=(ADD_COLUMN, arguments), applicability=Applicability.DISPLAY_ONLY,
            )
        )
    return edits


@fixes(TYPE_NULLABILITY, TYPE_OPTIONALITY, TYPE_MISMATCH)
def fix_field(
    workspace: Workspace, diagnostic: Diagnostic, data: FieldFinding | StaleEnum
) -> list[Edit]:
    """type-nullability / type-optionality / type-mismatch: rewrite the field as it should be
    (a stale generated enum is regenerated, not edited)."""
    if isinstance(data, StaleEnum) or data.generated:
        return []
    suggestion, path = data.suggestion, data.type_path or diagnostic.path
    text = _text(workspace, path)
    row = _row_at(workspace, path, diagnostic.range)
    field = _field_at(row, diagnostic.range)
    if text is None or row is None or field is None:
        return []
    lines = LineIndex(text)
    start, end = lines.offset(field.range.start), lines.offset(field.range.end)
    old = text[start:end]
    separator = ""
    name_text = text[lines.offset(field.name_range.start) : lines.offset(field.name_range.end)]
    _, _, rest = suggestion.partition(":")
    optional = "?" if suggestion.split(":", 1)[0].rstrip().endswith("?") else ""
    readonly = "readonly " if field.readonly else ""
    new = f"{readonly}{name_text}{optional}:{_with_separator(rest, separator)}"
    if new == old:
        return []
    return [
        quick_fix(
            diagnostic.code,
            f"Change to `{new.rstrip(';,')}`",
            (replace(path, lines, start, end, new),),
            applicability=SAFE,
        )
    ]


def _quote(text: str) -> str:
    """The quote the file's existing imports/exports use."""
    single, double = text.count("from '"), text.count('from "')
    return '"' if double > single else "'"


def _export_line(index_path: str, type_path: str, index_text: str) -> str:
    module = posixpath.relpath(type_path, posixpath.dirname(index_path))
    module = module.rsplit(".", 1)[0].removesuffix("/index")
    if not module.startswith("."):
        module = "./" + module
    quote = _quote(index_text)
    semicolon = ";" if ";" in index_text or not index_text.strip() else ""
    return f"export * from {quote}{module}{quote}{semicolon}"


def _append_line(path: str, text: str, line: str) -> TextEdit:
    lines, newline = LineIndex(text), newline_of(text)
    if not text or text.endswith("\n"):
        return insert(path, lines, len(text), line + newline)
    return insert(path, lines, len(text), newline + line + newline)


@fixes(TABLE_MISSING_TYPE)
def fix_missing_type(workspace: Workspace, diagnostic: Diagnostic, data: MissingType) -> list[Edit]:
    table, name, fields = data.table, data.type_name, data.fields
    if data.generated:
        return []
    types_path = (data.types_path or workspace.config.types_path).rstrip("/")
    index_path = data.types_index or workspace.config.types_index
    path = f"{types_path}/{table}.ts"
    body = "".join(f"  {f}\n" for f in fields)
    declaration = f"export type {name} = {{\n{body}}};\n"
    existing = workspace.read(path)
    edits: list[TextEdit] = []
    creates: tuple[CreateFile, ...] = ()
    if existing is None:
        creates = (CreateFile(path, declaration),)
    else:
        newline = newline_of(existing)
        edits.append(_append_line(path, existing, declaration.rstrip("\n").replace("\n", newline)))
    index_text = workspace.read(index_path) or ""
    line = _export_line(index_path, path, index_text)
    if line.rstrip(";") not in index_text:
        edits.append(_append_line(index_path, index_text, line))
    return [
        Edit(
            f"Create type {name} in {path}",
            "quickfix",
            tuple(edits),
            creates,
            diagnostic_code=diagnostic.code,
            is_preferred=True,
            applicability=SAFE,
        )
    ]


@fixes(TYPE_NOT_EXPORTED)
def fix_not_exported(workspace: Workspace, diagnostic: Diagnostic, data: NotExported) -> list[Edit]:
    type_path = data.type_path or diagnostic.path
    index_path = data.types_index or workspace.config.types_index
    text = _text(workspace, type_path)
    if text is None:
        return []
    edits: list[TextEdit] = []
    if not data.exported:
        lines = LineIndex(text)
        line = lines.line_text(diagnostic.range.start.line)
        stripped = line.lstrip()
        if stripped.startswith(("type ", "interface ")):
            at = lines.line_start(diagnostic.range.start.line) + len(line) - len(stripped)
            edits.append(insert(type_path, lines, at, "export "))
    if type_path != index_path:
        index_text = workspace.read(index_path) or ""
        line_text = _export_line(index_path, type_path, index_text)
        if line_text.rstrip(";") not in index_text:
            edits.append(_append_line(index_path, index_text, line_text))
    if not edits:
        return []
    return [
        quick_fix(
            diagnostic.code,
            f"Export `{data.type_name}` from {index_path}",
            tuple(edits),
            applicability=SAFE,
        )
    ]


@fixes(UNKNOWN_TABLE_REFERENCE, UNKNOWN_COLUMN_REFERENCE)
def fix_did_you_mean(
    workspace: Workspace, diagnostic: Diagnostic, data: UnknownTableRef | UnknownColumnRef
) -> list[Edit]:
    suggestion = data.suggestion
    text = _text(workspace, diagnostic.path)
    if not suggestion or text is None:
        return []
    lines = LineIndex(text)
    start, end = lines.offset(diagnostic.range.start), lines.offset(diagnostic.range.end)
    old = text[start:end]
    new = suggestion
    if len(old) >= 2 and old[0] == old[-1] and old[0] in "'\"`":
        new = old[0] + suggestion + old[0]
    return [
        quick_fix(
            diagnostic.code,
            f"Did you mean `{suggestion}`?",
            (replace(diagnostic.path, lines, start, end, new),),
        )
    ]
