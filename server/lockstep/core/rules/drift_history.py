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
        """`(path, pairs, how many tables the replay had removed, the keys looked at again)`
        after one migration (None: every key, the first time)."""
        if not isinstance(previous, tuple):
            return (path, self._all_pairs(schema), schema.removed_tables, None)
        before: Pairs = previous[1]
        prefix = self.config.mirror_prefix
        # Only pairs a migration touched change; a pair whose table or twin is gone (a
        # rename, a drop) is looked at again too. Walking every table after every migration
        # was a third of an edit's replay on 300 migrations.
        again: set[Key] = set()
        for event in events:
            if event.table is not None:
                schema_name, name = event.table
                again.add((schema_name, name[len(prefix):] if name.startswith(prefix) else name))
        tables = schema.tables
        if schema.removed_tables != previous[2]:  # some table went: was it one of a pair?
            again.update(key for key, pair in before.items()
                         if key not in tables or pair.twin_key not in tables)
        if not again:
            return (path, before, previous[2], frozenset())
        pairs = dict(before)
        for key in again:
            pair = self._pair(schema, key)
            if pair is None:
                pairs.pop(key, None)
            else:
                pairs[key] = pair
        return (path, pairs, schema.removed_tables, frozenset(again))

    def _all_pairs(self, schema: Schema) -> Pairs:
        return {(table.schema, table.name): Pair(shape(table), shape(twin),
                                                 (twin.schema, twin.name))
                for table, twin in mirrored(schema, self.config)}

    def _pair(self, schema: Schema, key: Key) -> Pair | None:
        """The pair of table `key` (never a `sim_` one) and its twin, when both exist."""
        table = schema.tables.get(key)
        if table is None or is_sim(table, self.config) or is_internal(table, self.config) \
                or is_platform(table):
            return None
        twin_key = (key[0], self.config.mirror_prefix + key[1])
        twin = schema.tables.get(twin_key)
        return None if twin is None else Pair(shape(table), shape(twin), twin_key)


def observed_pairs(observations: dict[Hashable, list[object]],
                   config: Config) -> list[tuple[str, Pairs]]:
    """What a `DriftObserver` kept during the replay, typed again."""
    return [(path, pairs) for path, pairs, _ in observed_changes(observations, config)]


def observed_changes(observations: dict[Hashable, list[object]], config: Config,
                     ) -> list[tuple[str, Pairs, frozenset[Key] | None]]:
    """Each migration's pairs and the keys that may differ from the migration before (None:
    any), so that a reader follows the changes, not every pair after every migration."""
    kept = observations.get(DriftObserver(config).key, [])
    return [(item[0], item[1], item[3]) for item in kept if isinstance(item, tuple)]
