"""What a statement does to which table, as a comparable key: how a mirror the SQL already
contains is recognised (so it is never generated twice)."""

from __future__ import annotations

from typing import Any

from pglast import ast


def _rel(rangevar: Any) -> tuple[str, str]:
    return (rangevar.schemaname or "public", rangevar.relname)


def _command_key(command: ast.AlterTableCmd) -> tuple[Any, ...]:
    definition = command.def_
    detail: Any = command.name
    if isinstance(definition, ast.ColumnDef):
        detail = definition.colname
    elif isinstance(definition, ast.Constraint):
        columns = tuple(s.sval for s in definition.fk_attrs or definition.keys or ())
        detail = definition.conname or (str(definition.contype), columns)
    return (str(command.subtype), detail)


def statement_keys(node: Any) -> set[tuple[Any, ...]]:
    """Keys of a statement; two statements with the same keys make the same change."""
    if isinstance(node, ast.CreateStmt) and node.relation is not None:
        return {("create", _rel(node.relation))}
    if isinstance(node, ast.AlterTableStmt) and node.relation is not None:
        return {("alter", _rel(node.relation), *_command_key(c)) for c in node.cmds or ()}
    if isinstance(node, ast.IndexStmt) and node.relation is not None:
        columns = tuple(str(e.name) for e in node.indexParams or () if isinstance(e, ast.IndexElem))
        return {("index", _rel(node.relation), columns)}
    if isinstance(node, ast.RenameStmt) and node.relation is not None:
        return {("rename", _rel(node.relation), str(node.renameType), node.subname, node.newname)}
    if isinstance(node, ast.DropStmt):
        return {
            ("drop", str(node.removeType), tuple(p.sval for p in obj))
            for obj in node.objects or ()
            if isinstance(obj, tuple)
        }
    return set()
