"""Loud failures: an exception in a rule check, a replay handler or a fix builder fails the
test in strict mode (on for the whole suite, tests/conftest.py) and is otherwise shown as an
`internal-error` diagnostic on the file it happened in, with a log entry; never silence."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from rule_helpers import build_workspace, codes, diagnostics_for, migration

from lockstep.codeactions.fixes.registry import fixes_for
from lockstep.core.diagnostics import STRICT_ENV, Diagnostic, strict_mode
from lockstep.core.replay import engine as replay_engine
from lockstep.core.rules import engine
from lockstep.core.rules.engine import Findings, run_rules
from lockstep.core.rules.registry.security import UNINDEXED_FOREIGN_KEY
from lockstep.core.sql import ir
from lockstep.core.workspace import Workspace

FILES = {
    migration("001_init.sql"): "-- Goals.\nCREATE TABLE goals (id UUID PRIMARY KEY);\n"
    "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n",
    migration("002_notes.sql"): "-- Notes.\nCREATE TABLE notes (id UUID PRIMARY KEY,\n"
    "  goal_id UUID REFERENCES goals(id) ON DELETE CASCADE);\n"
    "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n",
}


class Boom(RuntimeError):
    pass


def _raise(*_: object) -> None:
    raise Boom("deliberately broken")


@pytest.fixture
def lenient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production behaviour: strict mode off for this test only."""
    monkeypatch.delenv(STRICT_ENV)


@pytest.fixture
def broken_check() -> Iterator[None]:
    def broken_rule(workspace: Workspace, findings: Findings) -> None:
        _raise()

    engine.CHECKS.append(broken_rule)
    try:
        yield
    finally:
        engine.CHECKS.remove(broken_rule)


def _internal(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == "internal-error"]


def test_the_suite_runs_in_strict_mode() -> None:
    assert strict_mode()


def test_a_raising_rule_fails_under_strict_mode(tmp_path: Path, broken_check: None) -> None:
    with pytest.raises(Boom):
        diagnostics_for(tmp_path, FILES)


def test_a_raising_rule_is_an_internal_error_without_it(
    tmp_path: Path, broken_check: None, lenient: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, "lockstep.rules"):
        diagnostics = diagnostics_for(tmp_path, FILES)
    [error] = _internal(diagnostics)
    assert error.path == migration("001_init.sql") and error.severity == "error"
    assert "broken_rule" in error.message and "Boom: deliberately broken" in error.message
    assert "rls-enabled-no-policy" in codes(diagnostics)  # the other rules still ran
    assert any("broken_rule" in r.getMessage() for r in caplog.records)


@pytest.fixture
def broken_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(replay_engine._HANDLERS, ir.AlterTable, _raise)


def test_a_raising_replay_handler_fails_under_strict_mode(
    tmp_path: Path, broken_handler: None
) -> None:
    with pytest.raises(Boom):
        diagnostics_for(tmp_path, FILES)


def test_a_raising_replay_handler_is_an_internal_error_without_it(
    tmp_path: Path, broken_handler: None, lenient: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, "lockstep.replay"):
        diagnostics = diagnostics_for(tmp_path, FILES)
    errors = _internal(diagnostics)
    # One per ALTER TABLE, on that statement's own file and line.
    assert [(d.path, d.range.start.line) for d in errors] == [
        (migration("001_init.sql"), 2), (migration("002_notes.sql"), 3)]
    assert all("could not replay" in d.message for d in errors)
    assert caplog.records


@pytest.fixture
def broken_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UNINDEXED_FOREIGN_KEY, "fix", _raise)


def _unindexed(workspace: Workspace) -> Diagnostic:
    [found] = [d for items in run_rules(workspace).values() for d in items
               if d.code == UNINDEXED_FOREIGN_KEY.name]
    return found


def test_a_raising_fix_builder_fails_under_strict_mode(
    tmp_path: Path, broken_fix: None
) -> None:
    workspace = build_workspace(tmp_path, FILES)
    with pytest.raises(Boom):
        fixes_for(workspace, _unindexed(workspace))


def test_a_raising_fix_builder_is_an_internal_error_without_it(
    tmp_path: Path, broken_fix: None, lenient: None
) -> None:
    workspace = build_workspace(tmp_path, FILES)
    diagnostic = _unindexed(workspace)
    assert fixes_for(workspace, diagnostic) == []
    [error] = _internal([d for items in run_rules(workspace).values() for d in items])
    assert (error.path, error.range) == (diagnostic.path, diagnostic.range)
    assert "quick fix for `unindexed-foreign-key`" in error.message
    # Shown until the file changes.
    workspace.set_overlay(diagnostic.path, FILES[diagnostic.path] + "-- edited\n")
    assert not _internal([d for items in run_rules(workspace).values() for d in items])


def test_a_failing_handler_ends_the_server_process_in_strict_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The e2e tests start the server in strict mode: a handler's exception ends the process
    (pytest-lsp then fails the test) instead of a neutral answer that may pass it."""
    from lockstep.protocol import server as protocol

    exits: list[int] = []
    logged: list[str] = []
    monkeypatch.setattr(protocol.os, "_exit", exits.append)
    ls = protocol.LockstepServer()
    ls.own_process = True
    monkeypatch.setattr(ls, "log", lambda message, kind=None: logged.append(message))

    @protocol.safe([])
    def handler(server: protocol.LockstepServer, params: object) -> list[str]:
        _raise()
        return ["unreachable"]

    assert handler(ls, None) == []
    assert exits == [protocol.STRICT_EXIT] and "Boom: deliberately broken" in logged[0]
    monkeypatch.delenv(STRICT_ENV)
    assert handler(ls, None) == [] and exits == [protocol.STRICT_EXIT] and len(logged) == 2
