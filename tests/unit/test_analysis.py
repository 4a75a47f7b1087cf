"""The analysis database (core/analysis.py) and the server's analysis loop (protocol/scheduler.py):
what an edit invalidates, that a fork leaves its parent alone, that a newer revision
supersedes an analysis and that only the newest one is published."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lockstep.core.analysis import Derived, Edits, Superseded, analyse
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.sql.sites import sql_index
from lockstep.core.workspace import Workspace
from lockstep.protocol.scheduler import Scheduler
from tests.repos import fixture

MIGRATION = "supabase/migrations/002_wins.sql"
TS = "apps/web/src/app/api/wins/route.ts"
UNKNOWN = "\nALTER TABLE storm_nope ADD COLUMN x text;\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    loaded = Workspace(fixture("nav", tmp_path))
    loaded.load()
    return loaded


def test_derived_drops_only_what_reads_the_changed_input() -> None:
    derived = Derived()
    calls: list[str] = []
    derived.get("a", frozenset({"migrations"}), lambda: calls.append("a"))
    derived.get("b", frozenset({"types"}), lambda: calls.append("b"))
    derived.invalidate("types")
    derived.get("a", frozenset({"migrations"}), lambda: calls.append("a"))
    derived.get("b", frozenset({"types"}), lambda: calls.append("b"))
    assert calls == ["a", "b", "b"]


def test_ts_edit_keeps_the_replay_and_site_index(workspace: Workspace) -> None:
    replay, sites = workspace.replay, sql_index(workspace)
    text = workspace.read(TS)
    assert text is not None
    workspace.set_overlay(TS, text + "\nexport const more = 1;\n")
    assert workspace.replay is replay and sql_index(workspace) is sites


def test_migration_edit_on_a_fork_leaves_the_parent(workspace: Workspace) -> None:
    replay = workspace.replay
    fork = workspace.fork()
    text = workspace.read(MIGRATION)
    assert text is not None
    fork.set_overlay(MIGRATION, text + "\nALTER TABLE wins ADD COLUMN forked text;\n")
    assert fork.replay is not replay
    assert ("public", "wins") in fork.replay.schema.tables
    assert "forked" in fork.replay.schema.tables[("public", "wins")].columns
    assert workspace.replay is replay
    assert "forked" not in replay.schema.tables[("public", "wins")].columns
    assert MIGRATION not in workspace.overlay


def test_analysis_is_superseded_by_a_newer_revision(workspace: Workspace) -> None:
    ready: list[Workspace] = []
    with pytest.raises(Superseded):
        analyse(workspace, Edits({MIGRATION: UNKNOWN}), 1, lambda: 2, ready.append, True)
    assert ready == []


def _server(workspace: Workspace) -> tuple[Any, list[dict[str, list[Diagnostic]]]]:
    published: list[dict[str, list[Diagnostic]]] = []
    server = SimpleNamespace(index=workspace)
    server.scheduler = Scheduler(server, published.append, server)  # type: ignore[arg-type]
    return server, published


def test_a_burst_of_edits_publishes_the_last_text_only(workspace: Workspace) -> None:
    original = workspace.read(MIGRATION)
    assert original is not None
    server, published = _server(workspace)

    async def burst() -> None:
        for number in range(200):
            server.scheduler.set_text(MIGRATION, original + f"\n-- edit {number}\n" + (
                UNKNOWN if number == 199 else ""))
        await server.scheduler.diagnostics_for_now()

    asyncio.run(burst())
    assert len(published) == 1
    codes = {d.code for d in published[0].get(MIGRATION, [])}
    assert "unknown-table" in codes
    assert server.index.overlay[MIGRATION].endswith(UNKNOWN)
    assert workspace.overlay.get(MIGRATION) is None  # the old snapshot was never touched


def test_an_edit_during_the_work_between_edits_is_analysed_at_once(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit that arrives while the scheduler prepares for the next one (scheduler.py,
    `prepare_replay`) must not wait for the warm-up's pause: a pause of an hour would hang here."""
    from lockstep.protocol import scheduler as scheduler_module

    original = workspace.read(MIGRATION)
    assert original is not None
    server, published = _server(workspace)
    monkeypatch.setattr(scheduler_module, "WARM_AFTER_SECONDS", 3600)
    real_prepare = scheduler_module.prepare_replay

    async def two_edits() -> None:
        loop = asyncio.get_running_loop()
        edited = asyncio.Event()

        def edit() -> None:
            server.scheduler.set_text(MIGRATION, original + UNKNOWN)
            edited.set()

        def prepare_then_edit(snapshot: Workspace) -> None:  # in the worker thread
            real_prepare(snapshot)
            if not edited.is_set():  # the typist's next keystroke lands meanwhile
                loop.call_soon_threadsafe(edit)

        monkeypatch.setattr(scheduler_module, "prepare_replay", prepare_then_edit)
        server.scheduler.set_text(MIGRATION, original + "\n-- first\n")
        await edited.wait()
        await asyncio.wait_for(server.scheduler.diagnostics_for_now(), 20)

    asyncio.run(two_edits())
    assert "unknown-table" in {d.code for d in published[-1].get(MIGRATION, [])}


def test_a_failure_while_preparing_is_reported_and_the_loop_goes_on(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from lockstep.protocol import scheduler as scheduler_module

    original = workspace.read(MIGRATION)
    assert original is not None
    server, published = _server(workspace)
    logged: list[str] = []
    server.log = lambda message, *kind: logged.append(message)
    server.own_process = False

    async def two_edits() -> None:
        loop = asyncio.get_running_loop()
        tried = asyncio.Event()

        def broken(snapshot: Workspace) -> None:  # in the worker thread
            loop.call_soon_threadsafe(tried.set)
            raise RuntimeError("prepare broke")

        monkeypatch.setattr(scheduler_module, "prepare_replay", broken)
        server.scheduler.set_text(MIGRATION, original + "\n-- first\n")
        await tried.wait()  # no edit came for a moment: it prepared, and failed
        server.scheduler.set_text(MIGRATION, original + UNKNOWN)
        await asyncio.wait_for(server.scheduler.diagnostics_for_now(), 20)

    asyncio.run(two_edits())
    assert "unknown-table" in {d.code for d in published[-1].get(MIGRATION, [])}
    assert any("Preparing for the next edit failed" in m and "prepare broke" in m
               for m in logged)
