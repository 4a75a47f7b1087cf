"""Quick fixes for migration diagnostics: the `sim_` mirror, and the statement helpers
every SQL fix builder shares (the foreign-key fixes are in `foreign_keys`).

Each builder takes (workspace, diagnostic, payload) and recomputes what it needs from the
parsed migration (token spans, the AST) and the diagnostic's typed payload. Inserted lines
copy the statement's indentation and the file's line ending.
"""

from __future__ import annotations

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
from lockstep.codeactions.mirror.generate import mirror_statements
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.payloads import (
    MirrorDrift,
    MirrorMissing,
    SimRls,
)
from lockstep.core.rules.registry.mirror import (
    SIM_MIRROR_DRIFT,
    SIM_MIRROR_MISSING,
    SIM_TABLE_RLS,
)
from lockstep.core.sql import ir
from lockstep.core.sql.parse import Statement
from lockstep.core.workspace import MigrationDoc, Workspace

SAFE = Applicability.SAFE


def migration_doc(workspace: Workspace, diagnostic: Diagnostic) -> MigrationDoc | None:
    return workspace.migrations.get(diagnostic.path)


def statement_at(doc: MigrationDoc, offset: int) -> Statement | None:
    for statement in doc.parsed.statements:
        if statement.start <= offset <= statement.end:
            return statement
    return None


def diagnostic_statement(doc: MigrationDoc, diagnostic: Diagnostic) -> Statement | None:
    return statement_at(doc, doc.parsed.lines.offset(diagnostic.range.start))


def _indent(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset) + 1
    prefix = text[line_start:offset]
    return prefix[: len(prefix) - len(prefix.lstrip(" \t"))]


def insert_after(doc: MigrationDoc, statement: Statement, sql: str) -> TextEdit:
    """New lines after a statement (after its `;`, at the end of its line when nothing else
    starts there), indented like it, with the file's line ending."""
    text, newline = doc.text, newline_of(doc.text)
    end = statement.end + 1 if text[statement.end : statement.end + 1] == ";" else statement.end
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    if line_end > end and text[line_end - 1] == "\r":
        line_end -= 1
    others = any(end <= s.start < line_end for s in doc.parsed.statements)
    at = end if others else line_end
    indent = _indent(text, statement.start)
    sql = sql.replace("\r\n", "\n")  # generated from a CRLF file's own text
    body = newline.join(indent + line if line else line for line in sql.split("\n"))
    return insert(doc.path, doc.parsed.lines, at, newline + body)


def remove_statement(doc: MigrationDoc, statement: Statement) -> TextEdit:
    """Cut a statement with its `;` and, when it had the line(s) to itself, those lines."""
    text = doc.text
    start = statement.start
    end = statement.end + 1 if text[statement.end : statement.end + 1] == ";" else statement.end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end + 1
    if not text[line_start:start].strip() and not text[end:line_end].strip():
        start, end = line_start, line_end
    return replace(doc.path, doc.parsed.lines, start, end, "")


# -- sim_ mirror ---------------------------------------------------------------------------
@fixes(SIM_MIRROR_DRIFT, SIM_MIRROR_MISSING)
def fix_mirror(
    workspace: Workspace, diagnostic: Diagnostic, data: MirrorDrift | MirrorMissing
) -> list[Edit]:
    """The mirror of the diagnostic's statement, right after it. A missing twin comes after
    its CREATE TABLE (workflow step 3: same migration) with the mirrors of the table's CREATE
    INDEX statements that follow in that migration; drift with no generated mirror falls back
    to the payload's statement."""
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    if doc is None or statement is None:
        return []
    if isinstance(data, MirrorMissing) and not isinstance(statement.ir, ir.CreateTable):
        return []
    config = workspace.config
    mirrors = mirror_statements(
        doc.text, workspace.replay.schema, config.mirror_prefix, config.internal_tables
    )
    chosen = [m for m in mirrors if m.source_start == statement.start]
    if isinstance(data, MirrorDrift):
        title, fallback = f"Add the mirror statement for `{data.sim_table}`", data.fix
    elif chosen:
        table = chosen[0].table
        starts = {s.start: s for s in doc.parsed.statements}
        chosen += [
            m
            for m in mirrors
            if m.table == table
            and m.source_start > statement.start
            and isinstance(getattr(starts.get(m.source_start), "ir", None), ir.CreateIndex)
        ]
        title, fallback = f"Add the `{config.mirror_prefix}{table}` mirror", ""
    else:
        return []
    sql = "\n".join(m.text.strip() + ";" for m in chosen) or fallback
    return [
        quick_fix(diagnostic.code, title, (insert_after(doc, statement, sql),), applicability=SAFE)
    ]


@fixes(SIM_TABLE_RLS)
def fix_sim_table_rls(workspace: Workspace, diagnostic: Diagnostic, data: SimRls) -> list[Edit]:
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    if doc is None or statement is None:
        return []
    if not isinstance(statement.ir, ir.Policy) or not statement.ir.create:
        return []
    return [
        quick_fix(
            diagnostic.code,
            "Remove this policy (sim_ tables are service role only)",
            (remove_statement(doc, statement),),
        )
    ]
