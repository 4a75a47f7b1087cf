"""What a statement does to which table, as a comparable key: how a mirror the SQL already
contains is recognised (so it is never generated twice). Names are resolved through the
search_path in force, as the replay resolves them."""

from __future__ import annotations

from typing import Any

from lockstep.core.sql import ir

SearchPath = tuple[str, ...]


def _command_key(command: ir.AlterCommand) -> tuple[Any, ...]:
    detail: Any = command.name
    if command.column is not None:
        detail = command.column.name
    elif command.constraint is not None:
        constraint = command.constraint
        detail = constraint.name or (constraint.kind, constraint.columns)
    return (command.op, detail)


def statement_keys(node: ir.Stmt, search_path: SearchPath = ("public",)) -> set[tuple[Any, ...]]:
    """Keys of a statement; two statements with the same keys make the same change."""
    if isinstance(node, ir.CreateTable):
        return {("create", node.name.resolved(search_path))}
    if isinstance(node, ir.AlterTable):
        key = node.name.resolved(search_path)
        return {("alter", key, *_command_key(c)) for c in node.commands}
    if isinstance(node, ir.CreateIndex):
        columns = tuple(str(c.name) for c in node.columns)
        return {("index", node.table.resolved(search_path), columns)}
    if isinstance(node, ir.Rename) and node.target is not None:
        return {("rename", node.target.resolved(search_path), node.object_kind, node.subname,
                 node.new_name)}
    if isinstance(node, ir.Drop):
        return {("drop", node.object_kind, name.resolved(search_path)) for name in node.names}
    return set()
