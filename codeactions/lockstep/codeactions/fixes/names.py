""" "Did you mean" fixes for misspelt names in migrations (`unknown-table`, `unknown-column`).

The candidates are the names that exist at that point of the history: the migrations before
this one are replayed, then this one up to and including the statement. A suggestion is
offered only when replaying the corrected statement clears the problem, so a guess that would
not work (a column of another table, a name the statement itself drops) is never offered.
"""

from __future__ import annotations

from collections.abc import Sequence

from lockstep.codeactions.edits import Edit, quick_fix, replace
from lockstep.codeactions.fixes.registry import fixes
from lockstep.codeactions.fixes.sql import diagnostic_statement, migration_doc
from lockstep.codeactions.sqltokens import CLOSE, DOT, OPEN, requote, unquote
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.model import Schema, Table
from lockstep.core.replay.engine import replay
from lockstep.core.rules.registry.migrations import UNKNOWN_COLUMN, UNKNOWN_TABLE
from lockstep.core.spelling import closest
from lockstep.core.sql import ir
from lockstep.core.sql.parse import ParsedSql, Statement, Token, parse_migration_sql
from lockstep.core.text import LineIndex
from lockstep.core.workspace import MigrationDoc, Workspace

_NOT_WORDS = frozenset({"SCONST", "ICONST", "FCONST", "BCONST", "XCONST", "Op", "PARAM"})


def _is_word(token: Token) -> bool:
    return not token.name.startswith("ASCII_") and token.name not in _NOT_WORDS


class _History:
    """The history replayed up to one statement, as written and with one name rewritten."""

    def __init__(self, workspace: Workspace, doc: MigrationDoc, statement: Statement) -> None:
        self.doc, self.statement = doc, statement
        self.prior: list[tuple[str, ParsedSql]] = []
        for earlier in workspace.ordered_migrations():
            if earlier.path == doc.path:
                break
            self.prior.append((earlier.path, earlier.parsed))
        self.schema, self.problems = self._replay(doc.text, 0)

    def _replay(self, text: str, delta: int) -> tuple[Schema, list[tuple[str, int]]]:
        """The schema after the statement, and its problems as (code, offset) in it."""
        end = self.statement.end + delta
        end += 1 if text[end : end + 1] == ";" else 0
        result = replay([*self.prior, (self.doc.path, parse_migration_sql(text[:end]))])
        lines = LineIndex(text)
        problems = []
        for issue in result.issues:
            if issue.location.path != self.doc.path:
                continue
            offset = lines.offset(issue.location.range.start)
            if self.statement.start <= offset <= end:
                problems.append((issue.code, offset))
        return result.schema, problems

    def fixes(self, code: str, start: int, end: int, new: str) -> bool:
        """Whether writing `new` over [start, end) leaves fewer `code` problems here."""
        text = self.doc.text[:start] + new + self.doc.text[end:]
        _, after = self._replay(text, len(new) - (end - start))
        count = sum(1 for c, _ in self.problems if c == code)
        return sum(1 for c, _ in after if c == code) < count


def _table_of(schema: Schema, relation: ir.Name) -> Table | None:
    return schema.table(relation.name, relation.schema or "public")


def _first(statement: Statement, name: ir.Name) -> int:
    """Where a (possibly dotted) name starts: its first identifier, before `schema.`."""
    start = name.span.start
    tokens = {statement.start + t.start: i for i, t in enumerate(statement.tokens)}
    index = tokens.get(start)
    while index is not None and index >= 2 and statement.tokens[index - 1].name == DOT:
        index -= 2
        start = statement.start + statement.tokens[index].start
    return start


def _tokens_in(statement: Statement, start: int, end: int) -> list[tuple[int, Token]]:
    """(index, token) of the statement's tokens inside [start, end) (file offsets)."""
    return [
        (i, t)
        for i, t in enumerate(statement.tokens)
        if start <= statement.start + t.start and statement.start + t.end <= end
    ]


def _edit(
    history: _History, diagnostic: Diagnostic, token: Token, name: str, candidates: Sequence[str]
) -> list[Edit]:
    doc, statement = history.doc, history.statement
    suggestion = closest(name, [c for c in candidates if c != name])
    if suggestion is None:
        return []
    start, end = statement.start + token.start, statement.start + token.end
    new = requote(doc.text[start:end], suggestion)
    if not history.fixes(diagnostic.code, start, end, new):
        return []
    return [
        quick_fix(
            diagnostic.code,
            f"Did you mean `{suggestion}`?",
            (replace(doc.path, doc.parsed.lines, start, end, new),),
        )
    ]


def _span(doc: MigrationDoc, diagnostic: Diagnostic) -> tuple[int, int]:
    lines = doc.parsed.lines
    return lines.offset(diagnostic.range.start), lines.offset(diagnostic.range.end)


@fixes(UNKNOWN_TABLE)
def fix_unknown_table(workspace: Workspace, diagnostic: Diagnostic, data: None) -> list[Edit]:
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    if doc is None or statement is None:
        return []
    words = [t for _, t in _tokens_in(statement, *_span(doc, diagnostic)) if _is_word(t)]
    if len(words) != 1:
        return []
    token = words[0]
    name = unquote(doc.text[statement.start + token.start : statement.start + token.end])
    relation = next((r for r in statement.relations if r.name == name), None)
    where = relation.schema or "public" if relation is not None else "public"
    history = _History(workspace, doc, statement)
    schema = history.schema
    names = [n for s, n in (*schema.tables, *schema.views) if s == where]
    return _edit(history, diagnostic, token, name, names)


def _column_owners(
    statement: Statement, schema: Schema, tokens: list[tuple[int, Token]]
) -> list[tuple[Token, Table]]:
    """Each word token of the range with the table its column belongs to.

    A one-token range names a column of the statement's table. A clause range (a FOREIGN
    KEY, PRIMARY KEY or REFERENCES clause) holds column lists in parentheses: those after a
    table name inside the clause belong to that table, the others to the statement's table.
    """
    base = statement.start
    relations = {_first(statement, r) - base: r for r in statement.relations}
    main = ir.relation(statement.ir)
    owner = _table_of(schema, main) if main is not None else None
    if len(tokens) == 1:
        return [(tokens[0][1], owner)] if owner is not None and _is_word(tokens[0][1]) else []
    found: list[tuple[Token, Table]] = []
    depth, current = 0, owner
    for _, token in tokens:
        if token.start in relations:
            current = _table_of(schema, relations[token.start])
        if token.name == OPEN:
            depth += 1
        elif token.name == CLOSE:
            depth -= 1
        elif depth > 0 and token.name != DOT and _is_word(token) and current is not None:
            found.append((token, current))
    return found


@fixes(UNKNOWN_COLUMN)
def fix_unknown_column(workspace: Workspace, diagnostic: Diagnostic, data: None) -> list[Edit]:
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    if doc is None or statement is None:
        return []
    history = _History(workspace, doc, statement)
    tokens = _tokens_in(statement, *_span(doc, diagnostic))
    unknown = []
    for token, table in _column_owners(statement, history.schema, tokens):
        name = unquote(doc.text[statement.start + token.start : statement.start + token.end])
        if name not in table.columns:
            unknown.append((token, name, table))
    if len(unknown) != 1:
        return []
    token, name, table = unknown[0]
    return _edit(history, diagnostic, token, name, list(table.columns))
