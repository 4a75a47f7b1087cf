"""Shared state of one mirror generation: which tables are mirrored, index owners, names."""

from __future__ import annotations

from dataclasses import dataclass, field

from lockstep.codeactions.sqltokens import Rewriter
from lockstep.core.model import Key
from lockstep.core.sql import ir


@dataclass(slots=True)
class _Context:
    prefix: str
    internal: frozenset[str]
    sim_tables: set[Key] = field(default_factory=set)
    mirrored: set[Key] = field(default_factory=set)
    index_tables: dict[str, Key] = field(default_factory=dict)
    sim_indexes: dict[Key, list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)
    prod_indexes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def is_sim(self, key: Key) -> bool:
        return key[1].startswith(self.prefix)

    def sim(self, key: Key) -> Key:
        return (key[0], self.prefix + key[1])

    def mark_sim(self, key: Key) -> None:
        self.sim_tables.add(key)
        base = (key[0], key[1][len(self.prefix) :])
        if base[1] not in self.internal:
            self.mirrored.add(base)


def sim_object_name(name: str, table: str, prefix: str = "sim_") -> str:
    """`idx_wins_user_id` → `idx_sim_wins_user_id`, `wins_pkey` → `sim_wins_pkey`."""
    if name.startswith(prefix) or f"_{prefix}" in name:
        return name
    if name == table or name.startswith(table + "_"):
        return prefix + name
    marker = "_" + table
    at = name.find(marker)
    while at >= 0:
        after = at + len(marker)
        if after == len(name) or name[after] == "_":
            return name[: at + 1] + prefix + name[at + 1 :]
        at = name.find(marker, at + 1)
    return prefix + name


def _key(name: ir.Name) -> Key:
    return (name.schema or "public", name.name)


def _mirrored_table(name: ir.Name, ctx: _Context) -> Key | None:
    key = _key(name)
    if ctx.is_sim(key) or key[1] in ctx.internal or key not in ctx.mirrored:
        return None
    return key


def _rename_relation(name: ir.Name, rw: Rewriter, ctx: _Context) -> None:
    index = rw.index_of(name.span)
    if index is not None:
        rw.rename_token(rw.name_end(index), ctx.prefix + name.name)
