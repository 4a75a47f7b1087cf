"""The server's analysis loop: the event loop only records edits; a worker thread analyses.

Each edit bumps `revision`. One analysis runs at a time, in a thread, on a fork of the current
snapshot (core/analysis.py); a newer revision supersedes it at its next checkpoint, and its
edits are handed to the next run. A finished run installs its snapshot for requests as soon as
the replay and indexes are ready (before the rules), and publishes diagnostics only when no
newer edit arrived meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import importlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from lockstep.core.analysis import (
    Analysis,
    Edit,
    Edits,
    Superseded,
    analyse,
    warm,
)
from lockstep.core.gcpause import overdue
from lockstep.core.views import prepare_replay

if TYPE_CHECKING:
    from lockstep.core.diagnostics import Diagnostic
    from lockstep.core.workspace import Workspace
    from lockstep.protocol.server import LockstepServer

DEBOUNCE_SECONDS = 0.005  # a burst of messages (a paste, a storm) starts one analysis
WARM_AFTER_SECONDS = 0.3  # indexes for requests are built after a pause in typing
PREPARE_AFTER_SECONDS = 0.01  # the next edit's checkpoint is copied if no edit came by then
FIXES = "lockstep.codeactions.fixes.registry"  # imported in the warm-up, not at start


class Snapshots(Protocol):
    """What holds the snapshot requests read (a project: protocol/projects.py)."""

    index: Workspace | None


class Scheduler:
    def __init__(self, server: LockstepServer,
                 publish: Callable[[dict[str, list[Diagnostic]]], None],
                 state: Snapshots) -> None:
        self.server = server
        self.state = state  # the project whose snapshot (`index`) this scheduler advances
        self.publish = publish
        self.revision = 1  # the first analysis (after indexing) includes revision 1
        self.snapshot_revision = 0  # what `state.index` includes
        self.analysed_revision = 0  # what the published diagnostics include
        self.file_revisions: dict[str, int] = {}
        self.edits = Edits()
        self.rules_wanted = False
        self.task: asyncio.Task[None] | None = None
        self._progress = asyncio.Event()
        self._last_edit = 0.0
        self._waiting = 0  # requests waiting for a snapshot: skip the debounce
        self._hurry = asyncio.Event()
        self._edited = asyncio.Event()
        self._carry: tuple[Workspace, int, Workspace, Edits] | None = None

    # -- recording (event loop, cheap) ----------------------------------------------------
    def set_text(self, relative: str, text: str | None) -> None:
        """A buffer's newest text (None: closed). Nothing is parsed here."""
        self.edits.texts[relative] = text
        self.revision += 1
        self.file_revisions[relative] = self.revision
        self.kick()

    def update(self, edit: Edit) -> None:
        """Any other update of the workspace (file events, rescans, settings)."""
        self.edits.updates.append(edit)
        self.revision += 1
        self.kick()

    def reanalyse(self) -> None:
        """The index changed in place (a command wrote a file), or rules must run again."""
        self.rules_wanted = True
        self.revision += 1
        self.kick()

    def kick(self) -> None:
        self._last_edit = time.monotonic()
        self._edited.set()
        if self.task is not None and not self.task.done():
            return
        try:
            self.task = asyncio.get_running_loop().create_task(self._run())
        except RuntimeError:  # no running loop (tests calling handlers directly)
            self._run_here()

    # -- waiting (requests) -----------------------------------------------------------------
    async def snapshot_for(self, relative: str | None) -> None:
        """Until the snapshot includes the newest text of `relative` (its parse and replay,
        not the rules); at once for a file with no pending edit."""
        wanted = self.file_revisions.get(relative, 0) if relative is not None else 0
        await self._until(lambda: self.snapshot_revision >= wanted)

    async def snapshot_at(self, revision: int, *, request: bool = True) -> None:
        """Until the snapshot includes `revision` (its replay and indexes). Not a `request`
        (indexing's progress report): the navigation index is left for after the
        diagnostics, as when nothing waits."""
        if request:
            await self._until(lambda: self.snapshot_revision >= revision)
            return
        while self.snapshot_revision < revision:
            await self._progress.wait()

    async def diagnostics_for_now(self) -> None:
        """Until the published diagnostics include every edit received so far."""
        wanted = self.revision
        await self._until(lambda: self.analysed_revision >= wanted)

    async def _until(self, done: Callable[[], bool]) -> None:
        self._waiting += 1
        self._hurry.set()
        try:
            while not done():
                await self._progress.wait()
        finally:
            self._waiting -= 1

    def _notify(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()

    # -- the loop ---------------------------------------------------------------------------
    async def _quiet(self) -> None:
        """Debounce: until no edit came for DEBOUNCE_SECONDS (a storm of keystrokes starts
        no analysis), or at once when a request waits."""
        while not self._waiting:
            wait = self._last_edit + DEBOUNCE_SECONDS - time.monotonic()
            if wait <= 0:
                return
            self._hurry.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hurry.wait(), wait)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        await self._quiet()
        while self.state.index is not None and (self.edits or self.rules_wanted):
            origin, start, edits, rules, revision = self._take()
            generation = origin.generation

            def ready(workspace: Workspace, revision: int = revision,
                      origin: Workspace = origin, generation: int = generation) -> None:
                loop.call_soon_threadsafe(self._install, workspace, revision, origin, generation)

            try:
                result = await asyncio.to_thread(
                    analyse, start, edits, revision, lambda: self.revision, ready, rules,
                    lambda: self._waiting > 0)
            except Superseded as superseded:
                # Keep what was applied (a re-parse, a reload) for the next run.
                self._carry = (origin, generation, superseded.workspace, edits)
                self.rules_wanted = True
                await self._quiet()
                continue
            except Exception:  # noqa: BLE001 - a rule bug must not stop the analysis loop
                if origin.generation != generation:  # updated in place under it: again
                    self._give_back(edits)
                    continue
                from lockstep.protocol.server import report_failure

                report_failure(self.server, "Analysis")
                self._finish(revision)
                continue
            if self.state.index is not result.workspace:
                self._give_back(edits)  # its snapshot was refused: analyse again
            elif revision != self.revision:
                self.rules_wanted = True  # outdated diagnostics are never published
            else:
                self._complete(result)
                self._edited.clear()  # what `_warm` waits for: an edit from now on
                cache = result.workspace.cache
                if cache is not None and cache.unsaved:  # what the first load parsed
                    await asyncio.to_thread(cache.save)
                await self._between_edits(result.workspace)
                if overdue():  # typing never paused long enough (core/gcpause.py)
                    await asyncio.to_thread(gc.collect)
                await self._warm(result.workspace)
        if self.state.index is None:
            self._finish(self.revision)

    async def _between_edits(self, workspace: Workspace) -> None:
        """What the next edit would otherwise wait for (core/views.py, `prepare_replay`), unless
        it came already: then it does that work itself rather than wait behind it."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._edited.wait(), PREPARE_AFTER_SECONDS)
        if not self.edits and self.state.index is workspace:
            await self._ahead("Preparing for the next edit", prepare_replay, workspace)

    async def _warm(self, workspace: Workspace) -> None:
        """Build what requests need next once edits pause (a typist's next keystroke must
        not wait behind it), then collect garbage."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._edited.wait(), WARM_AFTER_SECONDS)
        if not self.edits and not self._waiting and self.state.index is workspace:
            await self._ahead("The warm-up", warm, workspace)
            await self._ahead("The warm-up", importlib.import_module, FIXES)  # first quick fix
            await asyncio.to_thread(gc.collect)  # the edits' cyclic garbage (core/gcpause.py)

    async def _ahead(self, what: str, work: Callable[[Any], object], argument: Any) -> None:
        """Work done ahead of need, in a thread: a failure is reported, and never stops the
        analysis loop (what was not built ahead is built when asked for)."""
        try:
            await asyncio.to_thread(work, argument)
        except Exception:  # noqa: BLE001 - an optimisation failed, not the analysis
            from lockstep.protocol.server import report_failure

            report_failure(self.server, what)

    def _take(self) -> tuple[Workspace, Workspace, Edits, bool, int]:
        """The snapshot to install over (`origin`), the one to start from (a superseded
        run's, with its edits applied, while `origin` is unchanged), the edits, whether to
        run the rules, and the revision."""
        origin = self.state.index
        assert origin is not None
        edits, self.edits = self.edits, Edits()
        rules, self.rules_wanted = self.rules_wanted, False
        start = origin
        if self._carry is not None:
            carried_origin, generation, applied, carried = self._carry
            self._carry = None
            if applied is not origin:
                if carried_origin is origin and origin.generation == generation:
                    start = applied
                else:
                    edits = carried.under(edits)
        return origin, start, edits, rules, self.revision

    def _give_back(self, edits: Edits) -> None:
        """A refused run's edits go first in the next one (newer texts win); its
        diagnostics were never published, so the next run must run the rules."""
        self.edits = edits.under(self.edits)
        self.rules_wanted = True

    def _install(self, workspace: Workspace, revision: int, origin: Workspace,
                 generation: int) -> None:
        if self.state.index is origin and origin.generation == generation \
                and revision > self.snapshot_revision:
            self.state.index = workspace
            self.snapshot_revision = revision
            self._notify()

    def _complete(self, result: Analysis) -> None:
        if result.diagnostics is not None:
            self.publish(result.diagnostics)
        self._finish(result.revision)

    def _finish(self, revision: int) -> None:
        self.snapshot_revision = max(self.snapshot_revision, revision)
        self.analysed_revision = max(self.analysed_revision, revision)
        self._notify()

    def _run_here(self) -> None:
        """Without an event loop: analyse synchronously."""
        while self.state.index is not None and (self.edits or self.rules_wanted):
            _, start, edits, rules, revision = self._take()
            result = analyse(start, edits, revision, functools.partial(int, revision),
                             functools.partial(setattr, self.state, "index"), rules)
            self._complete(result)
