"""Expressions the replay printed, read again: which columns they use, and printing them anew
after a column is renamed or retyped (PostgreSQL keeps expressions by column number, so its
catalog shows the new name and re-resolved casts)."""

from __future__ import annotations

from typing import Any

from pglast import ast, parse_sql

from lockstep.core.model import Index, Table
from lockstep.core.replay.context import deparse
from lockstep.core.replay.exprtext import column_types, index_element, predicate


def reparse(text: str) -> Any:
    """An expression printed by this module, parsed again (to rename or retype it)."""
    return parse_sql(f"SELECT {text}")[0].stmt.targetList[0].val


def column_refs(node: Any) -> set[str]:
    """Column names an expression reads."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, ast.ColumnRef):
            last = value.fields[-1]
            if hasattr(last, "sval"):
                found.add(last.sval)
        elif isinstance(value, ast.Node):
            for attr in value:
                walk(getattr(value, attr))
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    walk(node)
    return found


def rename_refs(node: Any, old: str, new: str) -> None:
    """Rename a column in an expression tree, in place."""
    if isinstance(node, ast.ColumnRef):
        last = node.fields[-1]
        if getattr(last, "sval", None) == old:
            node.fields = (*node.fields[:-1], ast.String(new))
    elif isinstance(node, ast.Node):
        for attr in node:
            rename_refs(getattr(node, attr), old, new)
    elif isinstance(node, tuple | list):
        for item in node:
            rename_refs(item, old, new)


def retype_index(index: Index, table: Table, renamed: tuple[str, str] | None = None) -> None:
    """Print an index's expressions again after a column was renamed (`renamed` = old, new;
    the table already has the new name) or retyped, as PostgreSQL's catalog shows them."""
    types = column_types(table)
    entries: list[str] = []
    for entry in index.columns:
        if renamed and entry == renamed[0]:
            entries.append(renamed[1])
        elif entry in table.columns:
            entries.append(entry)
        else:
            entries.append(_reprint(entry, types, renamed, index_element))
    index.columns = entries
    if renamed:
        index.include = [renamed[1] if c == renamed[0] else c for c in index.include]
    if index.where:
        index.where = _reprint(index.where, types, renamed, predicate)


def _reprint(text: str, types: dict[str, str], renamed: tuple[str, str] | None,
             printer: Any) -> str:
    try:
        node = reparse(text)
    except Exception:  # noqa: BLE001 - not text we printed: leave it
        return text
    if renamed:
        rename_refs(node, *renamed)
    return str(printer(node, types))


def renamed_in(text: str, old: str, new: str) -> str:
    """An expression (as pglast deparses it) with a column renamed."""
    try:
        node = reparse(text)
    except Exception:  # noqa: BLE001 - not text we printed: leave it
        return text
    rename_refs(node, old, new)
    return deparse(node)
