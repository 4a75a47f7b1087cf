"""The replay driver: resume from the first migration an edit changed, observe each once.

A `Journal` remembers what the last replay read (each file's path and text, in order) and a
few snapshots of the replay state between migrations (`checkpoints`, copied with
`copy_state`, never mutated afterwards). The next replay keeps the longest unchanged prefix,
restores the nearest snapshot inside it and replays only from there: an edit to the newest
migration replays one file. Observers (the mirror-drift history) see the schema after every
migration during that one replay; what they saw of the prefix is kept too.

Anything that makes the prefix replay differently invalidates it whole: the relation names
any migration creates (the placeholders of replay/external.py depend on them), the generated
`Database` types, and the observers' keys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from lockstep.core.model import Schema
from lockstep.core.replay.context import Event, ReplayState
from lockstep.core.replay.engine import ReplayResult, replay_file
from lockstep.core.replay.external import complete_placeholders, created_relations, externals_for
from lockstep.core.sql.parse import ParsedSql

if TYPE_CHECKING:
    from lockstep.core.ts.database import DatabaseType

MAX_CHECKPOINTS = 6  # each holds a copy of the schema: memory is the bound


class Observer(Protocol):
    """Sees the live schema after each migration; returns what it keeps (never the live
    objects: they change with the next migration). `previous` is what it returned for the
    file before (None for the first)."""

    @property
    def key(self) -> Hashable: ...  # who it is and what it reads besides the replay

    def observe(self, path: str, schema: Schema, events: list[Event], previous: object) -> object:
        ...


@dataclass(frozen=True, slots=True)
class Journal:
    inputs: tuple[tuple[str, str], ...]  # (path, text) of each replayed file, in order
    context: Hashable  # what every statement's replay may depend on besides its file
    checkpoints: Mapping[int, ReplayState]  # i → the state after inputs[:i]
    observations: tuple[tuple[object, ...], ...]  # per file: what each observer kept
    created: Mapping[str, frozenset[str]]  # text → relation names it creates
    names: frozenset[str]  # relation names any file creates
    asked: tuple[frozenset[str], ...]  # per file: the names it asked `names` about
    edited: int = 0  # the first file that changed: the next keystroke likely resumes there


class _Created(set[str]):
    """`Externals.created` recording which names a file's replay asked about: a name that
    some migration starts or stops creating changes the replay of the files that asked."""

    asked: set[str]

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.asked.add(name)
        return super().__contains__(name)


def resume(
    journal: Journal | None,
    files: Sequence[tuple[str, ParsedSql]],
    databases: Iterable[DatabaseType] = (),
    observers: Sequence[Observer] = (),
    spares: dict[int, ReplayState] | None = None,
) -> tuple[ReplayResult, Journal]:
    """The replay of `files` (as `engine.replay` gives it), reusing `journal`'s prefix, and
    the journal to resume the next one from. `spares`: copies of `journal`'s checkpoints
    made ahead (`spare`); the one used is taken out."""
    inputs = tuple((path, parsed.text) for path, parsed in files)
    known = journal.created if journal is not None else {}
    created = {text: known[text] if text in known
               else frozenset(created_relations([(path, parsed)]))
               for (path, text), (_, parsed) in zip(inputs, files, strict=True)}
    names = frozenset[str]().union(*created.values())
    databases = tuple(databases)
    context = (databases, tuple(o.key for o in observers))
    edited = _common_prefix(journal, inputs)  # the first file that changed
    reusable = _reusable(journal, edited, context, names)
    kept = {i: s for i, s in journal.checkpoints.items() if i <= reusable} if journal else {}
    start = max(kept, default=0)
    spare = spares.pop(start, None) if spares is not None and start else None
    state = spare if spare is not None else copy_state(kept[start]) if start else \
        ReplayState(externals=externals_for([], databases))
    state.externals.created = recorder = _Created(names)
    seen = list(journal.observations[:start]) if journal else []
    asked = list(journal.asked[:start]) if journal else []
    last = len(files) - 1
    for index in range(start, len(files)):
        # Checkpoints: before the edited file (the next keystroke is likely there), and before
        # the last file on a first replay or an edit of the last file (the newest migration is
        # the one usually written). Each copy costs a fifth of an edit on 300 migrations.
        if index and index not in kept and \
                (index == edited or (index == last and (journal is None or edited >= last))):
            kept[index] = copy_state(state)
        path, parsed = files[index]
        recorder.asked = set()
        replay_file(state, path, parsed)
        asked.append(frozenset(recorder.asked))
        events = state.events.get(path, [])
        before = seen[-1] if seen else (None,) * len(observers)
        seen.append(tuple(o.observe(path, state.schema, events, prior)
                          for o, prior in zip(observers, before, strict=True)))
    complete_placeholders(state.schema, state.externals)
    observations = {o.key: [s[n] for s in seen] for n, o in enumerate(observers)}
    result = ReplayResult(state.schema, state.issues, state.events, observations)
    newest = dict(sorted(kept.items())[-MAX_CHECKPOINTS:])
    return result, Journal(inputs, context, newest, tuple(seen), created, names, tuple(asked),
                           edited)


def spare(journal: Journal) -> dict[int, ReplayState]:
    """A copy of the checkpoint that the next edit of the same file resumes from, made while
    nothing waits: restoring it is a fifth of an edit's replay on 300 migrations."""
    checkpoint = journal.checkpoints.get(journal.edited)
    return {journal.edited: copy_state(checkpoint)} if checkpoint is not None else {}


def _common_prefix(journal: Journal | None, inputs: tuple[tuple[str, str], ...]) -> int:
    if journal is None:
        return 0
    count = 0
    for before, now in zip(journal.inputs, inputs, strict=False):
        if before != now:
            break
        count += 1
    return count


def _reusable(journal: Journal | None, edited: int, context: Hashable,
              names: frozenset[str]) -> int:
    """How many leading files replay as before: unchanged, in the same context, and none
    asked about a name some file started or stopped creating."""
    if journal is None or journal.context != context:
        return 0
    differ = names ^ journal.names
    if differ:
        for index, asked in enumerate(journal.asked[:edited]):
            if asked & differ:
                return index
    return edited


# -- copying the state ------------------------------------------------------------------------
Copier = Callable[[Any, dict[int, Any]], Any]


def _share(value: Any, memo: dict[int, Any]) -> Any:
    return value


# Classes shared, not copied: immutable (frozen dataclasses join as they are met).
_SHARED: set[type] = {str, int, float, bool, type(None), tuple, frozenset, bytes}


def _copy_list(value: list[Any], memo: dict[int, Any]) -> list[Any]:
    for item in value:
        if type(item) not in _SHARED:
            return [_copier(type(v))(v, memo) for v in value]
    return value[:]  # histories, events, issues, names: immutable items


def _copy_dict(value: dict[Any, Any], memo: dict[int, Any]) -> dict[Any, Any]:
    return {k: v if type(v) in _SHARED else _copier(type(v))(v, memo)
            for k, v in value.items()}


def _copy_set(value: set[Any], memo: dict[int, Any]) -> set[Any]:
    return set(value)  # members are hashable, so immutable


_COPIERS: dict[type, Copier] = {list: _copy_list, dict: _copy_dict, set: _copy_set}


def _copier(cls: type) -> Copier:
    """How to copy one class: a mutable dataclass field by field; anything else is shared, as
    immutable (str, tuple, frozen dataclasses: Location, Touch, Event, ranges)."""
    known = _COPIERS.get(cls)
    if known is not None:
        return known
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or params.frozen:
        _SHARED.add(cls)
        _COPIERS[cls] = _share
        return _share
    names = tuple(f.name for f in dataclasses.fields(cls))

    def copy(value: Any, memo: dict[int, Any]) -> Any:
        done = memo.get(id(value))
        if done is not None:
            return done
        result: Any = object.__new__(cls)
        memo[id(value)] = result
        for name in names:
            item = getattr(value, name)
            setattr(result, name,
                    item if type(item) in _SHARED else _copier(type(item))(item, memo))
        return result

    _COPIERS[cls] = copy
    return copy


def copy_state(value: Any) -> Any:
    """A deep copy of the replay state that shares every immutable object (several times
    faster than `copy.deepcopy`, which copies each location). Objects referenced twice stay
    shared (a foreign key's `ref_index` is an index of another table)."""
    return _copier(type(value))(value, {})
