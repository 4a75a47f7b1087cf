"""Mirrors of statements on named objects: indexes, renames and drops."""

from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType

from lockstep.codeactions.mirror.context import (
    _Context,
    _key,
    _mirrored_table,
    _rename_relation,
    sim_object_name,
)
from lockstep.codeactions.sqltokens import Rewriter
from lockstep.core.model import Key
from lockstep.core.sql.types import quote_ident


def _index(node: ast.IndexStmt, rw: Rewriter, ctx: _Context) -> tuple[str, str] | None:
    if node.relation is None:
        return None
    key = _key(node.relation)
    if node.idxname:
        ctx.index_tables[node.idxname] = key
    if _mirrored_table(node.relation, ctx) is None:
        return None
    if node.idxname:
        on = next((i for i, t in enumerate(rw.tokens) if t.name == "ON"), None)
        if on is not None and on > 0:
            rw.rename_token(on - 1, sim_object_name(node.idxname, key[1], ctx.prefix))
    _rename_relation(node.relation, rw, ctx)
    return key[1], rw.render()


def _rename(node: ast.RenameStmt, rw: Rewriter, ctx: _Context) -> tuple[str, str] | None:
    if node.relation is None or not node.newname:
        return None
    last = len(rw.tokens) - 1
    if node.renameType == ObjectType.OBJECT_INDEX:
        old = str(node.relation.relname)
        table = ctx.index_tables.get(old)
        if table is None or table not in ctx.mirrored or ctx.is_sim(table):
            return None
        ctx.index_tables[node.newname] = table
        at = rw.index_at(node.relation.location)
        if at is not None:
            rw.rename_token(rw.name_end(at), _sim_index(old, table, ctx))
        rw.rename_token(last, sim_object_name(node.newname, table[1], ctx.prefix))
        return table[1], rw.render()
    key = _mirrored_table(node.relation, ctx)
    if key is None:
        return None
    if node.renameType == ObjectType.OBJECT_TABLE:
        ctx.mirrored.add((key[0], node.newname))
        ctx.sim_tables.add(ctx.sim((key[0], node.newname)))
        rw.rename_token(last, ctx.prefix + node.newname)
    elif node.renameType == ObjectType.OBJECT_TABCONSTRAINT and node.subname:
        at = rw.find_name(node.subname, 2, last - 1)
        if at is not None:
            rw.rename_token(at, sim_object_name(node.subname, key[1], ctx.prefix))
        rw.rename_token(last, sim_object_name(node.newname, key[1], ctx.prefix))
    elif node.renameType != ObjectType.OBJECT_COLUMN:
        return None
    _rename_relation(node.relation, rw, ctx)
    return key[1], rw.render()


def _sim_index(name: str, table: Key, ctx: _Context) -> str:
    """The sim table's counterpart of a prod index: by name convention, else by columns."""
    wanted = sim_object_name(name, table[1], ctx.prefix)
    known = ctx.sim_indexes.get(ctx.sim(table), [])
    if any(n == wanted for n, _ in known) or not known:
        return wanted
    columns = ctx.prod_indexes.get(name)
    return next((n for n, cols in known if columns and cols == columns), wanted)


def _drop(node: ast.DropStmt, ctx: _Context) -> tuple[str, str] | None:
    names: list[str] = []
    tables: list[str] = []
    for obj in node.objects or ():
        parts = [p.sval for p in obj] if isinstance(obj, tuple) else []
        if not parts:
            continue
        key: Key = (parts[-2] if len(parts) > 1 else "public", parts[-1])
        if node.removeType == ObjectType.OBJECT_TABLE:
            if key in ctx.mirrored and not ctx.is_sim(key) and key[1] not in ctx.internal:
                names.append(_qualified(parts[:-1], ctx.prefix + key[1]))
                tables.append(key[1])
        elif node.removeType == ObjectType.OBJECT_INDEX:
            table = ctx.index_tables.get(key[1])
            if table is not None and table in ctx.mirrored and not ctx.is_sim(table):
                names.append(_qualified(parts[:-1], _sim_index(key[1], table, ctx)))
                tables.append(table[1])
    if not names:
        return None
    kind = "TABLE" if node.removeType == ObjectType.OBJECT_TABLE else "INDEX"
    words = ["DROP", kind]
    if node.concurrent:
        words.append("CONCURRENTLY")
    if node.missing_ok:
        words.append("IF EXISTS")
    text = " ".join(words) + " " + ", ".join(names)
    if node.behavior is not None and node.behavior.name == "DROP_CASCADE":
        text += " CASCADE"
    return tables[0], text


def _qualified(schema_parts: list[str], name: str) -> str:
    return ".".join([*(quote_ident(p) for p in schema_parts), quote_ident(name)])
