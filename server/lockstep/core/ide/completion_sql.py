"""Completion of table and column names in a migration being typed.

The statement under the cursor is usually half-written and does not parse, so the context
comes from libpg_query's scanner over the statement's text up to the cursor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pglast.parser import ParseError, scan

from lockstep.core.ide.completion import Item, column_items, table_items
from lockstep.core.ide.target import table_key
from lockstep.core.text import LineIndex, Position, Range

if TYPE_CHECKING:
    from lockstep.core.workspace import Workspace

_TABLE_AFTER = frozenset(("REFERENCES", "FROM", "JOIN", "INTO", "UPDATE"))
_TABLE_VERBS = frozenset(("ALTER", "DROP", "TRUNCATE", "LOCK"))
_COLUMN_VERBS = frozenset(("ALTER", "DROP", "RENAME"))
_SKIP = frozenset(("IF_P", "EXISTS", "ONLY", "NOT"))
_SEMICOLON = "ASCII_59"


class _Tokens:
    """The current statement's tokens (upper-cased spelling kept for keyword tests)."""

    def __init__(self, text: str, raw: list[tuple[int, int, str]]) -> None:
        self.text = text
        self.items = raw

    def word(self, index: int) -> str:
        start, end, _ = self.items[index]
        return self.text[start:end].upper()

    def name(self, index: int) -> str:
        return self.items[index][2]

    def __len__(self) -> int:
        return len(self.items)


def _statement_tokens(text: str, offset: int) -> _Tokens | None:
    """Tokens of the statement the cursor is in, up to the cursor (None inside a string)."""
    head = text[:offset]
    try:
        raw = scan(head)
    except ParseError:
        return None  # an unterminated string or comment: not a name position
    tokens = [
        (t.start, t.end + 1, t.name) for t in raw if t.name not in ("SQL_COMMENT", "C_COMMENT")
    ]
    if raw and raw[-1].name in ("SQL_COMMENT", "C_COMMENT") and raw[-1].end + 1 >= offset:
        return None
    last = max((i for i, t in enumerate(tokens) if t[2] == _SEMICOLON), default=-1)
    return _Tokens(text, tokens[last + 1 :])


def _is_word(token: tuple[int, int, str], text: str) -> bool:
    spelled = text[token[0] : token[1]]
    return spelled.startswith('"') or spelled.replace("_", "a").isalnum()


def _table_after(tokens: _Tokens, index: int) -> tuple[str, int] | None:
    """`[IF EXISTS] [ONLY] [schema.]name` starting at `index` → (name, index after it)."""
    while index < len(tokens) and tokens.name(index) in _SKIP:
        index += 1
    if index >= len(tokens) or not _is_word(tokens.items[index], tokens.text):
        return None
    parts = [tokens.text[tokens.items[index][0] : tokens.items[index][1]]]
    index += 1
    while index + 1 < len(tokens) and tokens.name(index) == "ASCII_46":
        parts.append(tokens.text[tokens.items[index + 1][0] : tokens.items[index + 1][1]])
        index += 2
    folded = [p[1:-1] if p.startswith('"') else p.lower() for p in parts]
    return ".".join(folded), index


def _altered_table(tokens: _Tokens) -> str | None:
    if len(tokens) >= 3 and tokens.word(0) == "ALTER" and tokens.word(1) == "TABLE":
        found = _table_after(tokens, 2)
        return found[0] if found else None
    return None


def _index_table(tokens: _Tokens) -> str | None:
    """`CREATE [UNIQUE] INDEX … ON [ONLY] name (`: the indexed table."""
    words = [tokens.word(i) for i in range(len(tokens))]
    if not words or words[0] != "CREATE" or "INDEX" not in words[:4] or "ON" not in words:
        return None
    found = _table_after(tokens, words.index("ON") + 1)
    return found[0] if found else None


def _wants_table(tokens: _Tokens, end: int) -> bool:
    """Whether the tokens before `end` (exclusive) leave the cursor where a table name goes."""
    if end <= 0:
        return False
    previous = tokens.word(end - 1)
    if previous in _TABLE_AFTER:
        return True
    if previous == "TABLE":
        return end >= 2 and (tokens.word(end - 2) in _TABLE_VERBS or tokens.word(end - 2) == "ON")
    if previous == "ON":
        head = tokens.word(0) if len(tokens) else ""
        return head in ("CREATE", "GRANT", "REVOKE") and "JOIN" not in {
            tokens.word(i) for i in range(end)
        }
    if previous in ("EXISTS", "ONLY") and end >= 2:
        back = end - 1
        while back > 0 and tokens.name(back) in _SKIP:
            back -= 1
        return tokens.name(back) not in _SKIP and _wants_table(tokens, back + 1)
    return False


def _wants_column(tokens: _Tokens, end: int) -> str | None:
    """The table whose columns go at the cursor, after ALTER/DROP/RENAME [COLUMN] [IF EXISTS]."""
    back = end - 1
    while back >= 0 and tokens.name(back) in _SKIP:
        back -= 1
    if back < 0:
        return None
    word = tokens.word(back)
    if word == "COLUMN" and back >= 1 and tokens.word(back - 1) in (*_COLUMN_VERBS, "ADD"):
        if tokens.word(back - 1) == "ADD":
            return None  # a new column: nothing to offer
        return _altered_table(tokens)
    table = _altered_table(tokens)
    if word in _COLUMN_VERBS and back >= 3 and table is not None:
        found = _table_after(tokens, 2)
        after_name = found[1] if found else 0
        # `ALTER TABLE x ALTER |` (COLUMN is optional) but not `ALTER TABLE |`.
        if back >= after_name or tokens.name(back - 1) == "ASCII_44":
            return table
    if word in ("ASCII_40", "ASCII_44") or tokens.name(back) in ("ASCII_40", "ASCII_44"):
        indexed = _index_table(tokens)
        if indexed is not None and "(" in tokens.text[tokens.items[0][0] : tokens.items[back][1]]:
            return indexed
    return None


def sql_items(workspace: Workspace, text: str, position: Position) -> list[Item]:
    lines = LineIndex(text)
    offset = lines.offset(position)
    tokens = _statement_tokens(text, offset)
    if tokens is None:
        return []
    end = len(tokens)
    start = offset
    prefix = ""
    if end and tokens.items[-1][1] == offset and _is_word(tokens.items[-1], text):
        start = tokens.items[-1][0]
        prefix = text[start:offset].strip('"')
        end -= 1
    qualifier = None
    if end >= 2 and tokens.name(end - 1) == "ASCII_46" and _is_word(tokens.items[end - 2], text):
        qualifier = text[tokens.items[end - 2][0] : tokens.items[end - 2][1]].strip('"').lower()
        end -= 2
    replace = Range(lines.position(start), position)
    if _wants_table(tokens, end):
        items = table_items(workspace, replace, prefix)
        if qualifier is not None:
            dotted = f"{qualifier}."
            items = [
                Item(i.label.removeprefix(dotted), i.kind, i.detail, i.sort_text, i.replace)
                for i in items
                if i.label.startswith(dotted) or (qualifier == "public" and "." not in i.label)
            ]
        return items
    table = _wants_column(tokens, end)
    if table is not None and qualifier is None:
        return column_items(workspace, table_key(table), replace)
    return []
