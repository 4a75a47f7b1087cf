"""The analysis database: revisioned inputs, memoised derived values, one place to invalidate.

Inputs are the workspace's files (buffers over disk) and its config; each kind of input has a
name below. Every derived value (the replay, the type index, the SQL site index, a staleness
verdict per types file...) is memoised in `Derived` together with the inputs it reads, and an
edit drops exactly the values that read the kind of input that changed: a TS edit never drops
the replay. `Workspace.fork()` copies the memo, so an analysis works on its own snapshot while
requests keep reading the previous one.

Rule checks are memoised the same way (`run_rules`): each check runs on a `Reads` view of the
workspace that notes which input kinds it touched (`ATTRIBUTE_READS`), and its findings are
kept with those kinds. A TS consumer edit re-runs only the checks that read consumers; a
migration edit re-runs those that read the replay or the migrations, never the TS-only ones.

`analyse` runs one revision's phases (apply edits → replay → indexes → rules) off the event
loop, asking `current()` between phases: a newer revision supersedes it (`Superseded`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from lockstep.core.gcpause import collector_paused

if TYPE_CHECKING:
    from lockstep.core.diagnostics import Diagnostic
    from lockstep.core.workspace import Workspace

T = TypeVar("T")

# The kinds of input a derived value may read.
MIGRATIONS = "migrations"
TYPES = "types"
CONSUMERS = "consumers"
CONFIG = "config"
# Derived, for early cutoff: the replayed schema alone. A migration edit drops what reads the
# migrations (their texts, the replay's events and issues); what reads only the schema is
# dropped when the new replay's schema differs from the last one (`Workspace._replay`), so an
# unfinished statement or a comment at the end of a migration re-runs none of those checks.
SCHEMA = "schema"
EVERYTHING = frozenset({MIGRATIONS, TYPES, CONSUMERS, CONFIG, SCHEMA})

# What reading a Workspace attribute depends on; any other attribute (`read`, `skipped`,
# `boundary` …) counts as reading everything.
ATTRIBUTE_READS: dict[str, frozenset[str]] = {
    "root": frozenset(),
    "derived": frozenset(),  # its values add the kinds they read (`_DerivedReads`)
    "replay": frozenset({MIGRATIONS}),
    "schema": frozenset({SCHEMA}),
    "replayed_digest": frozenset({MIGRATIONS, TYPES}),
    "migrations": frozenset({MIGRATIONS}),
    "baselines": frozenset({MIGRATIONS}),
    "ordered_migrations": frozenset({MIGRATIONS}),
    "replayed_files": frozenset({MIGRATIONS}),
    "schema_files": frozenset({CONFIG}),
    "types_files": frozenset({TYPES}),
    "type_index": frozenset({TYPES, CONFIG}),
    "consumer_files": frozenset({CONSUMERS}),
    "ts_texts": frozenset({TYPES, CONSUMERS}),
    "config": frozenset({CONFIG}),
    "config_problems": frozenset({CONFIG}),
    "project": frozenset({CONFIG}),
    "settings": frozenset({CONFIG}),
}


class Derived:
    """Memoised values, each with the input kinds it reads. Values are replaced, never mutated,
    so a forked snapshot and its parent may share them across threads."""

    def __init__(self, values: dict[Hashable, tuple[frozenset[str], object]] | None = None):
        self._values = values if values is not None else {}

    def get(self, key: Hashable, reads: frozenset[str], compute: Callable[[], T]) -> T:
        """The memoised value for `key`, computed (and kept) when missing."""
        known = self._values.get(key)
        if known is not None:
            return known[1]  # type: ignore[return-value]
        value = compute()
        self._values[key] = (reads, value)
        return value

    def put(self, key: Hashable, reads: frozenset[str], value: object) -> None:
        self._values[key] = (reads, value)

    def peek(self, key: Hashable) -> object | None:
        known = self._values.get(key)
        return known[1] if known is not None else None

    def invalidate(self, *inputs: str) -> None:
        """Drop every value that reads one of `inputs`."""
        changed = set(inputs)
        for key in [k for k, (reads, _) in self._values.items() if reads & changed]:
            del self._values[key]

    def fork(self) -> Derived:
        return Derived(dict(self._values))


class Reads:
    """A workspace as one rule check sees it: every attribute read adds the input kinds it
    depends on to `kinds` (memoised values through `derived` add the kinds they read)."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self.kinds: frozenset[str] = frozenset()

    def __getattr__(self, name: str) -> object:
        self.kinds |= ATTRIBUTE_READS.get(name, EVERYTHING)
        value = getattr(self._workspace, name)
        return _DerivedReads(value, self) if name == "derived" else value


class _DerivedReads:
    def __init__(self, derived: Derived, reads: Reads) -> None:
        self._derived, self._reads = derived, reads

    def get(self, key: Hashable, reads: frozenset[str], compute: Callable[[], T]) -> T:
        self._reads.kinds |= reads
        return self._derived.get(key, reads, compute)

    def peek(self, key: Hashable) -> object | None:
        return self._derived.peek(key)  # what it was computed from is put() again below

    def put(self, key: Hashable, reads: frozenset[str], value: object) -> None:
        self._reads.kinds |= reads
        self._derived.put(key, reads, value)


class Superseded(Exception):
    """A newer revision arrived: this analysis's results would be outdated. `workspace` is
    its snapshot with the edits applied, for the next analysis to start from."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__("superseded")
        self.workspace = workspace


Edit = Callable[["Workspace"], object]  # an update applied to the snapshot; truthy: changed


@dataclass(slots=True)
class Edits:
    """What arrived since the last analysis: buffer texts (newest wins; None = closed) and
    other updates in order (file events, rescans, settings)."""

    texts: dict[str, str | None] = field(default_factory=dict)
    updates: list[Edit] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.texts or self.updates)

    def under(self, newer: Edits) -> Edits:
        """These edits followed by `newer` ones (a superseded analysis gives its edits back)."""
        return Edits({**self.texts, **newer.texts}, [*self.updates, *newer.updates])


@dataclass(slots=True)
class Analysis:
    """One revision's snapshot, and its diagnostics (None: no input changed, keep the last)."""

    revision: int
    workspace: Workspace
    diagnostics: dict[str, list[Diagnostic]] | None


def analyse(
    base: Workspace,
    edits: Edits,
    revision: int,
    current: Callable[[], int],
    ready: Callable[[Workspace], None],
    rules: bool,
    urgent: Callable[[], bool] = lambda: True,
) -> Analysis:
    """Apply `edits` to a fork of `base` (re-parsing only the changed files), derive what
    requests need, hand that snapshot to `ready`, then run the rules (when `rules`, or when an
    input changed). Raises `Superseded` when `current()` moves past `revision`. The SQL site
    index (navigation) is built before `ready` only when a request waits (`urgent()`): else
    after the rules (`warm`), so diagnostics come first."""
    with collector_paused():
        return _analyse(base, edits, revision, current, ready, rules, urgent)


def _analyse(base: Workspace, edits: Edits, revision: int, current: Callable[[], int],
             ready: Callable[[Workspace], None], rules: bool, urgent: Callable[[], bool],
             ) -> Analysis:
    from lockstep.core.rules.engine import run_rules
    from lockstep.core.sql.sites import sql_index

    workspace = base.fork()

    def checkpoint() -> None:
        if current() != revision:
            raise Superseded(workspace)

    changed = False
    for update in edits.updates:
        changed = bool(update(workspace)) or changed
    for relative, text in edits.texts.items():
        changed = workspace.set_overlay(relative, text) or changed
    checkpoint()
    _ = workspace.replay
    _ = workspace.type_index
    if urgent():
        checkpoint()
        sql_index(workspace)
    ready(workspace)
    if not (changed or rules):
        return Analysis(revision, workspace, None)
    return Analysis(revision, workspace, run_rules(workspace, checkpoint))


def warm(workspace: Workspace) -> None:
    """What requests will need next, built ahead (after the diagnostics are out)."""
    from lockstep.core.sql.sites import sql_index

    sql_index(workspace)
