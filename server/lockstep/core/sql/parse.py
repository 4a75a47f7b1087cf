"""Split a migration into statements with libpg_query's scanner, then parse each one.

Statement-by-statement parsing keeps one broken statement from hiding the rest, and lets us
report an unterminated last statement (which pglast's own splitter silently drops). Each
statement is parsed once, to libpg_query's JSON, and turned into the typed IR (`sql/ir.py`);
pglast's Python AST (six times dearer to build) is never built for a whole statement: an
expression's is, on demand (`ir.Expr.node`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pglast.parser import ParseError, parse_sql_json, scan

from lockstep.core.sql import ir
from lockstep.core.sql.ir import Name
from lockstep.core.sql.ir_build import build, relations
from lockstep.core.sql.ir_parts import Builder, Token
from lockstep.core.sql.pgnode import byte_to_char
from lockstep.core.text import LineIndex, Range

_COMMENT_TOKENS = frozenset({"SQL_COMMENT", "C_COMMENT"})
_SEMICOLON = "ASCII_59"


@dataclass(slots=True)
class Statement:
    """One parsed statement: its IR (spans into the file) and its tokens (relative to
    `start`). `search_path` is the one in force when it runs (each file starts at public)."""

    ir: ir.Stmt
    start: int
    end: int  # exclusive, without the terminating semicolon
    tokens: list[Token]
    search_path: tuple[str, ...] = ("public",)
    json: Any = None  # libpg_query's JSON of the statement
    builder: Builder | None = None
    _relations: tuple[Name, ...] | None = None

    def text(self, source: str) -> str:
        return source[self.start : self.end]

    @property
    def kind(self) -> str:
        """libpg_query's node name: `CreateStmt`, `SelectStmt` …"""
        return next(iter(self.json), "") if isinstance(self.json, dict) else ""

    @property
    def relations(self) -> tuple[Name, ...]:
        """Every table or view the statement names anywhere (subqueries too), in order."""
        if self._relations is None:
            self._relations = relations(self.json, self.builder) if self.builder else ()
        return self._relations


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    message: str
    start: int
    end: int


@dataclass(slots=True)
class ParsedSql:
    text: str
    lines: LineIndex
    statements: list[Statement] = field(default_factory=list)
    errors: list[SyntaxProblem] = field(default_factory=list)
    comments: list[Token] = field(default_factory=list)

    def range(self, start: int, end: int) -> Range:
        return self.lines.range(start, end)

    @property
    def starts_with_comment(self) -> bool:
        """True when the first thing in the file is a comment (the what-and-why header)."""
        first_comment = self.comments[0].start if self.comments else None
        first_statement = self.statements[0].start if self.statements else None
        first_error = self.errors[0].start if self.errors else None
        others = [x for x in (first_statement, first_error) if x is not None]
        return first_comment is not None and all(first_comment < other for other in others)


def _scan(text: str) -> tuple[list[Token], SyntaxProblem | None]:
    """Tokenise; an unterminated quote or comment becomes one error spanning the tail."""
    try:
        raw = scan(text)
        problem = None
    except ParseError as error:
        index = _error_index(error, len(text))
        raw = scan(text[:index]) if index > 0 else []
        problem = SyntaxProblem(_error_message(error), index, len(text))
    return [Token(t.start, t.end + 1, t.name) for t in raw], problem


def _error_index(error: ParseError, default: int) -> int:
    if len(error.args) > 1 and isinstance(error.args[1], int):
        return int(error.args[1])
    return default


def _error_message(error: ParseError) -> str:
    message = str(error.args[0]) if error.args else str(error)
    return message[:1].upper() + message[1:]


def parse_migration_sql(text: str) -> ParsedSql:
    tokens, scan_problem = _scan(text)
    result = ParsedSql(text, LineIndex(text))
    chunk: list[Token] = []
    for token in tokens:
        if token.name in _COMMENT_TOKENS:
            result.comments.append(token)
            continue
        if token.name == _SEMICOLON:
            if chunk:
                _parse_chunk(result, chunk)
            chunk = []
            continue
        chunk.append(token)
    if scan_problem is not None:
        # The statement holding the unterminated token is broken as a whole.
        result.errors.append(scan_problem)
    elif chunk:
        _parse_chunk(result, chunk, unterminated=True)
    search_path: tuple[str, ...] = ("public",)
    for statement in result.statements:
        statement.search_path = search_path
        if isinstance(statement.ir, ir.SearchPath):
            search_path = statement.ir.schemas
    return result


def _parse_chunk(result: ParsedSql, chunk: list[Token], unterminated: bool = False) -> None:
    start, end = chunk[0].start, chunk[-1].end
    source = result.text[start:end]
    try:
        parsed = json.loads(parse_sql_json(source))
    except ParseError as error:
        index = _error_index(error, len(source))
        message = _error_message(error)
        if index >= len(source):
            # "at end of input": point at the last token, the place the statement stops.
            error_start, error_end = chunk[-1].start, chunk[-1].end
            if unterminated:
                message += " (the last statement is incomplete)"
        else:
            error_start = start + index
            following = [t for t in chunk if t.start >= error_start]
            error_end = following[0].end if following else end
        result.errors.append(SyntaxProblem(message, error_start, error_end))
        return
    relative = [Token(t.start - start, t.end - start, t.name) for t in chunk]
    builder = Builder(result.text, start, end, relative, byte_to_char(source))
    for raw in parsed.get("stmts", ()):
        statement = Statement(build(raw["stmt"], builder), start, end, relative,
                              json=raw["stmt"], builder=builder)
        result.statements.append(statement)


__all__ = ["ParsedSql", "Statement", "SyntaxProblem", "Token", "parse_migration_sql"]
