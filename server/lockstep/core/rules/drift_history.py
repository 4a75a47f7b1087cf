"""What `sim-mirror-drift` needs from the replay: each mirrored pair's columns after every
migration, observed during the workspace's one replay (replay/journal.py) rather than a
replay of its own. Only pairs a migration touched are copied; the others keep the previous
snapshot (the same object), so the cost follows the changes, not the history.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from lockstep.core.config import Config
from lockstep.core.model import Key, Location, Schema, Table
from lockstep.core.replay.context import Event
from lockstep.core.rules.facts import is_internal, is_platform, is_sim

ColumnShape = tuple[str, bool, Location | None]  # type, nullable, where it was defined


@dataclass(slots=True)
class Pair:
    table: dict[str, ColumnShape]
    twin: dict[str, ColumnShape]
    twin_key: Key


Pairs = dict[Key, Pair]  # mirrored table → its pair, after one migration


def mirrored(schema: Schema, config: Config) -> Iterator[tuple[Table, Table]]:
    """(X, sim_X) pairs; internal, platform and `sim_` tables are never mirrored."""
    for (schema_name, name), table in schema.tables.items():
        if is_sim(table, config) or is_internal(table, config) or is_platform(table):
            continue
        twin = schema.tables.get((schema_name, config.mirror_prefix + name))
        if twin is not None:
            yield table, twin


def shape(table: Table) -> dict[str, ColumnShape]:
    return {n: (c.type, c.nullable, c.location) for n, c in table.columns.items()}


class DriftObserver:
    """Keeps `(path, Pairs)` after each replayed file."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @property
    def key(self) -> Hashable:
        return ("mirror pairs", self.config.mirror_prefix, tuple(self.config.internal_tables))

    def observe(self, path: str, schema: Schema, events: list[Event], previous: object) -> object:
        before: Pairs = previous[1] if isinstance(previous, tuple) else {}
        touched = {e.table for e in events if e.table is not None}
        pairs: Pairs = {}
        for table, twin in mirrored(schema, self.config):
            key, twin_key = (table.schema, table.name), (twin.schema, twin.name)
            kept = before.get(key)
            if kept is None or key in touched or twin_key in touched:
                pairs[key] = Pair(shape(table), shape(twin), twin_key)
            else:
                pairs[key] = kept
        return (path, pairs)


def observed_pairs(observations: dict[Hashable, list[object]],
                   config: Config) -> list[tuple[str, Pairs]]:
    """What a `DriftObserver` kept during the replay, typed again."""
    kept = observations.get(DriftObserver(config).key, [])
    return [item for item in kept if isinstance(item, tuple)]
