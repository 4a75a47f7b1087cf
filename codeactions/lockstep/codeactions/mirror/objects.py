"""Mirrors of statements on named objects: indexes, renames and drops."""

from __future__ import annotations

from lockstep.codeactions.mirror.context import (
    _Context,
    _key,
    _mirrored_table,
    _rename_relation,
    sim_object_name,
)
from lockstep.codeactions.sqltokens import Rewriter
from lockstep.core.model import Key
from lockstep.core.sql import ir
from lockstep.core.sql.types import quote_ident


def _index(node: ir.CreateIndex, rw: Rewriter, ctx: _Context) -> tuple[str, str] | None:
    key = _key(node.table)
    if node.name:
        ctx.index_tables[node.name] = key
    if _mirrored_table(node.table, ctx) is None:
        return None
    if node.name:
        on = next((i for i, t in enumerate(rw.tokens) if t.name == "ON"), None)
        if on is not None and on > 0:
            rw.rename_token(on - 1, sim_object_name(node.name, key[1], ctx.prefix))
    _rename_relation(node.table, rw, ctx)
    return key[1], rw.render()


def _rename(node: ir.Rename, rw: Rewriter, ctx: _Context) -> tuple[str, str] | None:
    target = node.target
    if target is None or node.object_kind not in ir.RELATION_KINDS or not node.new_name:
        return None
    last = len(rw.tokens) - 1
    new = node.new_name
    if node.object_kind == "index":
        old = target.name
        table = ctx.index_tables.get(old)
        if table is None or table not in ctx.mirrored or ctx.is_sim(table):
            return None
        ctx.index_tables[new] = table
        at = rw.index_of(target.span)
        if at is not None:
            rw.rename_token(rw.name_end(at), _sim_index(old, table, ctx))
        rw.rename_token(last, sim_object_name(new, table[1], ctx.prefix))
        return table[1], rw.render()
    key = _mirrored_table(target, ctx)
    if key is None:
        return None
    if node.object_kind == "table":
        ctx.mirrored.add((key[0], new))
        ctx.sim_tables.add(ctx.sim((key[0], new)))
        rw.rename_token(last, ctx.prefix + new)
    elif node.object_kind == "constraint" and node.subname:
        at = rw.find_name(node.subname, 2, last - 1)
        if at is not None:
            rw.rename_token(at, sim_object_name(node.subname, key[1], ctx.prefix))
        rw.rename_token(last, sim_object_name(new, key[1], ctx.prefix))
    elif node.object_kind != "column":
        return None
    _rename_relation(target, rw, ctx)
    return key[1], rw.render()


def _sim_index(name: str, table: Key, ctx: _Context) -> str:
    """The sim table's counterpart of a prod index: by name convention, else by columns."""
    wanted = sim_object_name(name, table[1], ctx.prefix)
    known = ctx.sim_indexes.get(ctx.sim(table), [])
    if any(n == wanted for n, _ in known) or not known:
        return wanted
    columns = ctx.prod_indexes.get(name)
    return next((n for n, cols in known if columns and cols == columns), wanted)


def _drop(node: ir.Drop, ctx: _Context) -> tuple[str, str] | None:
    names: list[str] = []
    tables: list[str] = []
    for dropped in node.names:
        key = _key(dropped)
        if node.object_kind == "table":
            if key in ctx.mirrored and not ctx.is_sim(key) and key[1] not in ctx.internal:
                names.append(_qualified(dropped.schema, ctx.prefix + key[1]))
                tables.append(key[1])
        elif node.object_kind == "index":
            table = ctx.index_tables.get(key[1])
            if table is not None and table in ctx.mirrored and not ctx.is_sim(table):
                names.append(_qualified(dropped.schema, _sim_index(key[1], table, ctx)))
                tables.append(table[1])
    if not names:
        return None
    kind = "TABLE" if node.object_kind == "table" else "INDEX"
    words = ["DROP", kind]
    if node.concurrently:
        words.append("CONCURRENTLY")
    if node.missing_ok:
        words.append("IF EXISTS")
    text = " ".join(words) + " " + ", ".join(names)
    if node.cascade:
        text += " CASCADE"
    return tables[0], text


def _qualified(schema: str | None, name: str) -> str:
    return ".".join([*((quote_ident(schema),) if schema else ()), quote_ident(name)])
