"""The collector is paused for an analysis and resumed after the last of several."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from lockstep.core import gcpause
from lockstep.core.gcpause import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_nested_pauses_resume_after_the_last() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failing_analysis_resumes_it() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_a_collector_turned_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


@pytest.fixture
def idle_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server's mode for this test only (the module flag is restored after it)."""
    monkeypatch.setattr(gcpause, "_idle_only", False)
    gcpause.collect_when_idle()


@pytest.mark.usefixtures("idle_only")
def test_a_server_collects_only_when_asked() -> None:
    assert not gc.isenabled()
    with collector_paused():
        pass
    assert not gc.isenabled()  # an analysis no longer resumes it

    class Node:
        other: object

    first, second = Node(), Node()
    first.other, second.other = second, first
    del first, second
    assert gc.collect() >= 2  # the cycle waited for the explicit collection


@pytest.mark.usefixtures("idle_only")
def test_overdue_after_many_live_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    gc.collect()
    assert not gcpause.overdue()
    monkeypatch.setattr(gcpause, "OVERDUE", 1_000)
    kept = [[] for _ in range(2_000)]
    assert gcpause.overdue()
    gc.collect()
    assert not gcpause.overdue()
    assert len(kept) == 2_000


def test_outside_a_server_nothing_is_overdue() -> None:
    assert not gcpause.overdue()
