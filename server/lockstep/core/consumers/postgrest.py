"""The PostgREST mini-languages used by supabase-js: select strings and `or()` filter strings.

supabase-js sends these strings to PostgREST untouched, so a wrong column only shows up at
runtime. Parsing them lets rules check every referenced column against the schema. The parser
is forgiving: malformed input yields whatever was understood, never an exception.
Offsets are character offsets inside the string.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_PUNCTUATION = ("...", "->>", "->", "::", ":", ",", "(", ")", "!", ".", "*")
_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """A column of the table the selection applies to."""

    name: str
    start: int
    end: int
    alias: str | None = None
    json_path: tuple[str, ...] = ()
    cast: str | None = None
    aggregate: str | None = None  # `amount.sum()` → "sum"
    relation: str | None = None  # the innermost embedded resource of a filter: `profiles.name`
    path: tuple[str, ...] = ()  # every embed on the way: `a.b.col` → ("a", "b")


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A column-less aggregate such as `count()`."""

    function: str
    start: int
    end: int
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class Embed:
    """An embedded resource `alias:relation!hint(...)` or a spread `...relation(...)`."""

    relation: str
    start: int
    end: int
    alias: str | None
    hints: tuple[str, ...]
    spread: bool
    selection: Selection


@dataclass(frozen=True, slots=True)
class Selection:
    columns: tuple[ColumnRef, ...] = ()
    embeds: tuple[Embed, ...] = ()
    aggregates: tuple[Aggregate, ...] = ()
    star: bool = False


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "ident", "quoted" or the punctuation itself
    text: str
    start: int
    end: int


def _is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':
            close = text.find('"', i + 1)
            close = n if close == -1 else close
            tokens.append(_Token("quoted", text[i + 1 : close], i + 1, close))
            i = close + 1
            continue
        if _is_ident_char(ch):
            j = i
            while j < n and _is_ident_char(text[j]):
                j += 1
            tokens.append(_Token("ident", text[i:j], i, j))
            i = j
            continue
        for punct in _PUNCTUATION:
            if text.startswith(punct, i):
                tokens.append(_Token(punct, punct, i, i + len(punct)))
                i += len(punct)
                break
        else:
            i += 1  # a character PostgREST would reject: skip it
    return tokens


@dataclass(slots=True)
class _Builder:
    columns: list[ColumnRef] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    aggregates: list[Aggregate] = field(default_factory=list)
    star: bool = False

    def build(self) -> Selection:
        return Selection(tuple(self.columns), tuple(self.embeds), tuple(self.aggregates), self.star)


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self, ahead: int = 0) -> _Token | None:
        index = self.i + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def at(self, kind: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.kind == kind

    def at_name(self, ahead: int = 0) -> bool:
        return self.at("ident", ahead) or self.at("quoted", ahead)

    def at_plain_end(self) -> bool:
        """Nothing but an optional cast follows: no json path and no aggregate."""
        return not (self.at("->") or self.at("->>") or self.at("."))

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def skip_item(self) -> None:
        """Error recovery: drop tokens up to the next `,` or `)` of this level."""
        depth = 0
        while (token := self.peek()) is not None:
            if token.kind in (",", ")") and depth == 0:
                return
            depth += {"(": 1, ")": -1}.get(token.kind, 0)
            self.i += 1

    def selection(self, depth: int) -> Selection:
        out = _Builder()
        while (token := self.peek()) is not None:
            if token.kind == ")":
                if depth > 0:
                    break
                self.i += 1  # stray `)` at the top level
                continue
            if token.kind == ",":
                self.i += 1
                continue
            self.item(out, depth)
            self.skip_item()
        return out.build()

    def item(self, out: _Builder, depth: int) -> None:
        if self.at("*"):
            self.take()
            out.star = True
            return
        spread = self.at("...")
        if spread:
            self.take()
        if not self.at_name():
            return
        name = self.take()
        alias: str | None = None
        if self.at(":") and self.at_name(1):
            self.take()
            alias = name.text
            name = self.take()
        hints: list[str] = []
        while self.at("!"):
            self.take()
            if self.at_name():
                hints.append(self.take().text)
        if self.at("("):
            self.embed(out, depth, name, alias, tuple(hints), spread)
            return
        self.column(out, name, alias)

    def embed(
        self,
        out: _Builder,
        depth: int,
        name: _Token,
        alias: str | None,
        hints: tuple[str, ...],
        spread: bool,
    ) -> None:
        self.take()  # (
        if name.kind == "ident" and name.text == "count" and self.at(")") and not (hints or spread):
            self.take()
            self.cast()
            out.aggregates.append(Aggregate("count", name.start, name.end, alias))
            return
        if depth >= _MAX_DEPTH:
            self.i -= 1
            self.skip_item()
            return
        inner = self.selection(depth + 1)
        if self.at(")"):
            self.take()
        out.embeds.append(Embed(name.text, name.start, name.end, alias, hints, spread, inner))

    def column(self, out: _Builder, name: _Token, alias: str | None) -> None:
        if name.kind == "ident" and name.text == "count" and self.at_plain_end():
            # `comments(count)`, `select('count')`: PostgREST's legacy count, not a column
            self.cast()
            out.aggregates.append(Aggregate("count", name.start, name.end, alias))
            return
        path: list[str] = []
        while self.at("->") or self.at("->>"):
            self.take()
            if self.at_name():
                path.append(self.take().text)
        cast = self.cast()  # `amount::int.sum()` casts before aggregating
        aggregate: str | None = None
        if self.at(".") and self.at_name(1) and self.at("(", 2):
            self.take()
            aggregate = self.take().text
            self.take()
            if self.at(")"):
                self.take()
        cast = self.cast() or cast
        out.columns.append(
            ColumnRef(name.text, name.start, name.end, alias, tuple(path), cast, aggregate)
        )

    def cast(self) -> str | None:
        if not self.at("::"):
            return None
        self.take()
        return self.take().text if self.at_name() else None


def parse_select(text: str) -> Selection:
    """Parse a supabase-js `.select()` string into the columns and embeddings it names."""
    try:
        return _Parser(_tokenize(text)).selection(0)
    except (IndexError, RecursionError):  # defensive: the parser is meant to be total
        return Selection()


def parse_column(text: str, offset: int = 0) -> ColumnRef | None:
    """A filter/order column: `mood`, `data->>key`, `"odd col"`, a column of an embedded
    resource `profiles.name` or `identities.notifications.read`, and `.order()`'s
    `workout(date_completed)` form."""
    tokens = _tokenize(text)
    names = [0] if tokens and tokens[0].kind in ("ident", "quoted") else []
    if not names:
        return None
    index = 1
    while _kind(tokens, index) == "." and _kind(tokens, index + 1) in ("ident", "quoted"):
        names.append(index + 1)
        index += 2
    if _kind(tokens, index) == "(" and _kind(tokens, index + 1) in ("ident", "quoted"):
        names.append(index + 1)  # `relation(column)`: order by a column of an embed
        index += 3 if _kind(tokens, index + 2) == ")" else 2
    *path, last = (tokens[i] for i in names)
    json_path = tuple(token.text for token in tokens[index:] if token.kind in ("ident", "quoted"))
    embeds = tuple(token.text for token in path)
    return ColumnRef(
        last.text,
        last.start + offset,
        last.end + offset,
        json_path=json_path,
        relation=embeds[-1] if embeds else None,
        path=embeds,
    )


def _kind(tokens: list[_Token], index: int) -> str | None:
    return tokens[index].kind if index < len(tokens) else None


def _split_top_level(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] at commas outside parentheses and double quotes."""
    parts: list[tuple[int, int]] = []
    depth, quoted, begin = 0, False, start
    for i in range(start, end):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == "," and depth == 0:
            parts.append((begin, i))
            begin = i + 1
    parts.append((begin, end))
    return parts


def parse_logic_filter(text: str) -> list[ColumnRef]:
    """Columns in an `.or()` string: `a.eq.1,and(b.gt.2,c.is.null),d->>k.eq.x`."""
    found: list[ColumnRef] = []
    stack = [(0, len(text), 0)]
    while stack:
        start, end, depth = stack.pop()
        for begin, stop in _split_top_level(text, start, end):
            while begin < stop and text[begin].isspace():
                begin += 1
            part = text[begin:stop]
            head = part[4:] if part.startswith("not.") else part
            skip = len(part) - len(head)
            for logic in ("and(", "or("):
                if head.startswith(logic) and depth < _MAX_DEPTH:
                    inner = begin + skip + len(logic)
                    close = stop - 1 if part.endswith(")") else stop
                    stack.append((inner, close, depth + 1))
                    break
            else:
                column = _condition_column(part, begin)
                if column is not None:
                    found.append(column)
    found.sort(key=lambda column: column.start)
    return found


def _condition_column(part: str, offset: int) -> ColumnRef | None:
    """`col->>k.eq.1` → col; the column ends at the first `.` that is not inside quotes."""
    if part.startswith('"'):
        close = part.find('"', 1)
        head = part if close == -1 else part[: close + 1]
    else:
        dot = part.find(".")
        head = part if dot == -1 else part[:dot]
    if not head.strip():
        return None
    return parse_column(head, offset)
