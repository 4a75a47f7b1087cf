"""Token-level rewriting of one SQL statement, so a generated mirror keeps the author's layout.

The IR gives spans (into the file: `base` is the statement's start) and libpg_query's scanner
gives tokens (relative to the statement); renaming a table is replacing one token, dropping a
clause is cutting a token span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lockstep.core.sql.ir import Span
from lockstep.core.sql.parse import Token
from lockstep.core.sql.types import quote_ident

COMMA, DOT, OPEN, CLOSE = "ASCII_44", "ASCII_46", "ASCII_40", "ASCII_41"

def requote(original: str, name: str) -> str:
    """Spell `name` the way the original token was spelled (quoted stays quoted)."""
    if original.startswith('"'):
        return '"' + name.replace('"', '""') + '"'
    return quote_ident(name)


def unquote(token_text: str) -> str:
    if token_text.startswith('"') and token_text.endswith('"') and len(token_text) >= 2:
        return token_text[1:-1].replace('""', '"')
    return token_text.lower()


@dataclass(slots=True)
class Rewriter:
    text: str  # the statement's text
    tokens: Sequence[Token]  # relative to the statement
    base: int = 0  # where the statement starts in the file (IR spans count from there)
    changes: list[tuple[int, int, str]] = field(default_factory=list)

    def token_text(self, index: int) -> str:
        token = self.tokens[index]
        return self.text[token.start : token.end]

    def index_at(self, offset: int) -> int | None:
        for index, token in enumerate(self.tokens):
            if token.end > offset:
                return index
        return None

    def index_of(self, span: Span) -> int | None:
        """The token at an IR span's start (None for a span the statement does not have)."""
        return self.index_at(span.start - self.base) if span.start >= 0 else None

    def replace(self, start: int, end: int, new_text: str) -> None:
        self.changes.append((start, end, new_text))

    def rename_token(self, index: int, name: str) -> None:
        token = self.tokens[index]
        self.replace(token.start, token.end, requote(self.token_text(index), name))

    def render(self, start: int = 0, end: int | None = None) -> str:
        end = len(self.text) if end is None else end
        out, cursor = [], start
        for c_start, c_end, new_text in sorted(self.changes):
            if c_start < start or c_end > end or c_start < cursor:
                continue
            out.append(self.text[cursor:c_start])
            out.append(new_text)
            cursor = c_end
        out.append(self.text[cursor:end])
        return "".join(out)

    # -- token walks --------------------------------------------------------------------
    def name_end(self, index: int) -> int:
        """Index of the last part of a dotted name starting at `index` (`auth.users` → users)."""
        while index + 2 < len(self.tokens) and self.tokens[index + 1].name == DOT:
            index += 2
        return index

    def clause_last(self, index: int, stop_offset: int | None = None) -> int:
        """Last token of a clause: before a depth-0 `,`/`)`, the next clause, or the end."""
        depth, last = 0, index
        for position in range(index, len(self.tokens)):
            token = self.tokens[position]
            if stop_offset is not None and token.start >= stop_offset and position > index:
                break
            if token.name == OPEN:
                depth += 1
            elif token.name == CLOSE:
                if depth == 0:
                    break
                depth -= 1
            elif token.name == COMMA and depth == 0:
                break
            last = position
        return last

    def top_level_spans(self, first: int) -> list[tuple[int, int]]:
        """Token index spans from `first`, split at commas outside parentheses."""
        spans, depth, start = [], 0, first
        for position in range(first, len(self.tokens)):
            name = self.tokens[position].name
            if name == OPEN:
                depth += 1
            elif name == CLOSE:
                depth -= 1
            elif name == COMMA and depth == 0:
                spans.append((start, position - 1))
                start = position + 1
        if start < len(self.tokens):
            spans.append((start, len(self.tokens) - 1))
        return spans

    def find_name(self, name: str, first: int = 0, last: int | None = None) -> int | None:
        last = len(self.tokens) - 1 if last is None else last
        for position in range(first, last + 1):
            token_name = self.tokens[position].name
            is_word = token_name == "IDENT" or token_name.isupper()
            if is_word and unquote(self.token_text(position)) == name:
                return position
        return None

    def remove_tokens(self, first: int, last: int) -> None:
        """Cut tokens first..last with the whitespace before them (`x UUID NOT NULL[ REF…]`)."""
        start = self.tokens[first - 1].end if first > 0 else self.tokens[first].start
        self.replace(start, self.tokens[last].end, "")
