"""Completion of table and column names in supabase-js chains (SQL lives in nav_completion_sql).

Only the buffer being completed is parsed (it is usually half-typed, so the index may not
hold it); everything offered comes from the replayed schema in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lockstep.core.consumers.clients import is_client
from lockstep.core.model import Key
from lockstep.core.text import LineIndex, Position, Range
from lockstep.core.ts.parse import ParsedFile, parse_source

if TYPE_CHECKING:
    from tree_sitter import Node

    from lockstep.core.workspace import Workspace

TRIGGER_CHARACTERS = ("'", '"', "`", ",", " ", ".", "(")
# fmt: off
FILTERS = frozenset((
    "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "likeAllOf", "likeAnyOf",
    "ilikeAllOf", "ilikeAnyOf", "is", "isDistinct", "in", "contains", "containedBy", "rangeGt",
    "rangeGte", "rangeLt", "rangeLte", "rangeAdjacent", "overlaps", "textSearch", "order",
    "not", "filter", "regexMatch", "regexIMatch",
))
# fmt: on
WRITES = frozenset(("insert", "update", "upsert", "match"))
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    kind: str  # table | column
    detail: str
    sort_text: str
    replace: Range  # the partial word being typed


def table_items(
    workspace: Workspace, replace: Range, prefix: str, sim_context: bool = False
) -> list[Item]:
    """Every table (and view); `sim_` tables after prod tables unless the context is sim_."""
    schema = workspace.replay.schema
    mirror = workspace.config.mirror_prefix
    typed_sim = len(prefix) >= 3 and (mirror.startswith(prefix) or prefix.startswith(mirror))
    sim_first = sim_context or (bool(mirror) and typed_sim)
    items: list[Item] = []
    for (space, name), table in schema.tables.items():
        label = name if space == "public" else f"{space}.{name}"
        is_sim = bool(mirror) and name.startswith(mirror)
        rank = "0" if is_sim == sim_first else "1"
        detail = f"table · {len(table.columns)} columns · {table.defined_in or ''}"
        items.append(Item(label, "table", detail, f"{rank}{label}", replace))
    for space, name in schema.views:
        label = name if space == "public" else f"{space}.{name}"
        items.append(Item(label, "table", "view", f"2{label}", replace))
    return items


def column_items(workspace: Workspace, table: Key, replace: Range) -> list[Item]:
    found = workspace.replay.schema.tables.get(table)
    if found is None:
        return []
    items = []
    for index, column in enumerate(found.columns.values()):
        null = "" if column.nullable else " not null"
        items.append(Item(column.name, "column", f"{column.type}{null}", f"{index:04d}", replace))
    return items


def _word_start(text: str, offset: int) -> int:
    start = offset
    while start > 0 and text[start - 1] in _WORD:
        start -= 1
    return start


def _string_at(parsed: ParsedFile, byte: int) -> Node | None:
    node = parsed.root.descendant_for_byte_range(max(byte - 1, 0), byte)
    while node is not None and node.type not in ("string", "template_string"):
        if node.type in ("arguments", "statement_block", "program"):
            return None
        node = node.parent
    if node is None or not node.start_byte < byte <= node.end_byte:
        return None
    return node


def _call_of(argument: Node) -> tuple[Node, str] | None:
    """(call node, method name) when `argument` is the first argument of `x.name(...)`."""
    args = argument.parent
    if args is None or args.type != "arguments" or not args.named_children:
        return None
    if args.named_children[0] != argument:
        return None
    call = args.parent
    callee = call.child_by_field_name("function") if call is not None else None
    prop = callee.child_by_field_name("property") if callee is not None else None
    if call is None or prop is None or callee is None or callee.type != "member_expression":
        return None
    return call, prop.text.decode("utf-8", "replace") if prop.text else ""


def _chain_table(parsed: ParsedFile, call: Node) -> str | None:
    """The table of the `.from('t')` this call is chained after."""
    node: Node | None = call
    while node is not None:
        if node.type == "call_expression":
            callee = node.child_by_field_name("function")
            prop = callee.child_by_field_name("property") if callee is not None else None
            args = node.child_by_field_name("arguments")
            if prop is not None and parsed.text_of(prop) == "from" and args is not None:
                first = args.named_children[0] if args.named_children else None
                if first is not None and first.type in ("string", "template_string"):
                    return parsed.text_of(first)[1:-1]
                return None
            node = callee.child_by_field_name("object") if callee is not None else None
        elif node.type in (
            "member_expression",
            "parenthesized_expression",
            "non_null_expression",
            "await_expression",
        ):
            inner = node.child_by_field_name("object")
            node = inner if inner is not None else next(iter(node.named_children), None)
        else:
            return None
    return None


def _select_relation(content: str) -> str | None:
    """Inside `a, author:profiles!fk(name, |`: the embedded relation the cursor is in."""
    stack: list[int] = []
    for index, ch in enumerate(content):
        if ch == "(":
            stack.append(index)
        elif ch == ")" and stack:
            stack.pop()
    if not stack:
        return None
    head = content[: stack[-1]]
    start = _word_start(head.replace("!", "_").replace(":", " "), len(head))
    word = head[start:]
    return word.split("!")[0] or None


def _resolve(workspace: Workspace, name: str) -> Key:
    from lockstep.core.ide.target import table_key

    return table_key(name)


def _object_for_keys(node: Node | None) -> Node | None:
    """The object literal whose key the cursor is typing, if it is not inside a value."""
    while node is not None:
        if node.type == "object":
            return node
        parent = node.parent
        if (
            parent is not None
            and parent.type == "pair"
            and parent.child_by_field_name("value") == node
        ):
            return None
        if node.type in ("arguments", "statement_block", "program", "call_expression"):
            return None
        node = parent
    return None


def _closed(text: str, offset: int, lines: LineIndex, position: Position) -> str | None:
    """`.from('wi|` (no closing quote yet): the text with the string and call closed."""
    line = lines.line_text(position.line)[: position.character]
    for quote in ("'", '"', "`"):
        if line.count(quote) % 2 == 1:
            return text[:offset] + quote + ")" + text[offset:]
    return None


def _ts_items(workspace: Workspace, path: str, text: str, position: Position) -> list[Item]:
    lines = LineIndex(text)
    offset = lines.offset(position)
    parsed = parse_source(path, text, lines)
    byte = len(text[:offset].encode("utf-8", "replace"))
    start = _word_start(text, offset)
    replace = Range(lines.position(start), position)
    literal = _string_at(parsed, byte)
    closed = _closed(text, offset, lines, position) if literal is None else None
    if closed is not None:
        parsed = parse_source(path, closed)
        literal = _string_at(parsed, byte)
    if literal is not None:
        found = _call_of(literal)
        if found is None:
            return []
        call, name = found
        callee = call.child_by_field_name("function")
        receiver = callee.child_by_field_name("object") if callee is not None else None
        if name == "from" and (
            receiver is None
            or not is_client(parsed, receiver, (), workspace.config.consumer_clients)
        ):
            return []
        content_start = parsed.lines.offset_from_point(*literal.start_point) + 1
        content = text[content_start:offset]
        if name == "from":
            sim = workspace.config.mirror_prefix
            clone = "clone" in path or content.startswith(sim)
            return table_items(workspace, replace, content, sim_context=clone)
        table = _chain_table(parsed, call)
        if table is None:
            return []
        key = _resolve(workspace, table)
        if name == "select":
            relation = _select_relation(content)
            if relation is not None:
                from lockstep.core.ide.target import embedded_table

                key = embedded_table(workspace, key, relation) or _resolve(workspace, relation)
            return column_items(workspace, key, replace)
        if name in FILTERS:
            return column_items(workspace, key, replace)
        return []
    node = parsed.root.descendant_for_byte_range(max(byte - 1, 0), byte)
    obj = _object_for_keys(node)
    argument = obj.parent if obj is not None and obj.parent is not None else None
    if argument is not None and argument.type == "array":
        obj, argument = argument, argument.parent
    if obj is None or argument is None or argument.type != "arguments":
        return []
    found = _call_of(obj)
    if found is None or found[1] not in WRITES:
        return []
    table = _chain_table(parsed, found[0])
    return column_items(workspace, _resolve(workspace, table), replace) if table else []


def complete(workspace: Workspace, path: str, text: str, position: Position) -> list[Item]:
    """Completion items at `position` in a buffer (`text` is its current contents)."""
    if path.endswith(".sql"):
        from lockstep.core.ide.completion_sql import sql_items

        return sql_items(workspace, text, position)
    if path.endswith((".ts", ".tsx")):
        return _ts_items(workspace, path, text, position)
    return []
