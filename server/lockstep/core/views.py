"""The workspace's views derived from its files, memoised in its analysis database
(core/analysis.py): the replay, resumed from its journal (or from the disk cache on a first
replay), with early cutoff for what reads only the schema; the digest of what the replay
reads; the type index. `Workspace` exposes each as a property."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from lockstep.core.analysis import CONFIG, MIGRATIONS, SCHEMA, TYPES
from lockstep.core.replay.engine import ReplayResult
from lockstep.core.replay.journal import Journal, resume, spare

if TYPE_CHECKING:
    from lockstep.core.ts.index import TypeIndex
    from lockstep.core.ts.sqlts import LocalAliases
    from lockstep.core.workspace import Workspace

JOURNAL = "replay journal"  # a Derived key: what the next replay resumes from
SPARES = "replay spares"  # a Derived key: (journal, its checkpoints copied ahead), shared
LAST_SCHEMA = "last replayed schema"  # a Derived key: what SCHEMA readers were judged on


def replay(workspace: Workspace) -> ReplayResult:
    # MIGRATIONS stands for every input of the replay: baselines, migrations, and the
    # generated `Database` types that shape tables no migration creates.
    return workspace.derived.get("replay", frozenset({MIGRATIONS}), lambda: _replay(workspace))


def _replay(workspace: Workspace) -> ReplayResult:
    """Resumed from the first file that changed since the last replay (replay/journal.py);
    the mirror-drift history is observed during it."""
    from lockstep.core.rules.drift_history import DriftObserver

    derived = workspace.derived
    databases = [f.database for f in workspace.types_files.values() if f.database is not None]
    journal = derived.peek(JOURNAL)
    observers = [DriftObserver(workspace.config)]
    files = workspace.replayed_files()
    if isinstance(journal, Journal):
        made = derived.peek(SPARES)
        # Shared by every fork of the snapshot: a copy is taken out once, never used twice.
        spares = made[1] if isinstance(made, tuple) and made[0] is journal else None
        result, journal = resume(journal, files, databases, observers, spares)
    else:  # a first replay: from the disk cache when the files are as loaded
        result, journal = workspace.cached_derived(
            ("replay", replayed_digest(workspace), repr([o.key for o in observers])),
            lambda: resume(None, files, databases, observers), tuple)
    derived.put(JOURNAL, frozenset(), journal)  # checks its own inputs: reads none
    if derived.peek(LAST_SCHEMA) != result.schema:  # early cutoff (analysis.SCHEMA)
        derived.invalidate(SCHEMA)
    derived.put(LAST_SCHEMA, frozenset(), result.schema)
    return result


def prepare_replay(workspace: Workspace) -> None:
    """Between edits: copy the checkpoint the next edit will likely resume from (journal.py,
    `spare`), so that edit does not wait for the copy."""
    derived = workspace.derived
    journal = derived.peek(JOURNAL)
    made = derived.peek(SPARES)
    if isinstance(journal, Journal) and not (isinstance(made, tuple) and made[0] is journal):
        derived.put(SPARES, frozenset(), (journal, spare(journal)))


def replayed_digest(workspace: Workspace) -> str:
    """What the replay reads, hashed: every replayed file, and the generated types files
    that shape tables no migration creates."""
    def compute() -> str:
        digest = hashlib.sha256()
        for path, parsed in workspace.replayed_files():
            digest.update(f"{len(path)}:{path}{len(parsed.text)}:".encode())
            digest.update(parsed.text.encode("utf-8", "surrogatepass"))
        for path, types_file in sorted(workspace.types_files.items()):
            if types_file.database is not None:
                text = workspace.ts_texts.get(path, "")
                digest.update(f"{len(path)}:{path}{len(text)}:".encode())
                digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    return workspace.derived.get("replayed digest", frozenset({MIGRATIONS, TYPES}), compute)


def type_index(workspace: Workspace) -> TypeIndex:
    from lockstep.core.ts.index import build_type_index

    config = workspace.config
    return workspace.derived.get("type index", frozenset({TYPES, CONFIG}), lambda: (
        build_type_index(workspace.types_files, config.types_index, dict(config.types_map))))


def local_aliases(workspace: Workspace) -> LocalAliases:
    """The types files' aliases, kept (with the expansions they remember) while the types
    files are unchanged."""
    from lockstep.core.ts.sqlts import aliases_of

    files = workspace.types_files
    return workspace.derived.get("local aliases", frozenset({TYPES}),
                                 lambda: aliases_of(files.values()))
