"""Python's cyclic garbage collector paused while an analysis builds its objects.

Loading a workspace or replaying after an edit allocates hundreds of thousands of objects
and frees few cycles; the collector, triggered by allocation counts, walked them again and
again (8–20% of a load). Paused for the analysis and resumed after it, the collector runs
once the burst is over. Nested and concurrent pauses (one analysis per project, each in its
own thread) resume it only when the last one ends, and only if it was running before.

A server goes further (`collect_when_idle`): once indexed, automatic collections stay off
and the scheduler collects after a pause in typing (`gc.collect`), so the collection an edit's
garbage would trigger (8–9 ms of a migration edit on 300 migrations) never sits between a
keystroke and its diagnostics. Reference counting still frees everything acyclic at once;
`overdue` bounds what waits for a pause that never comes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False
_idle_only = False
OVERDUE = 200_000  # container objects allocated and alive since the last collection


@contextmanager
def collector_paused() -> Iterator[None]:
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume and not _idle_only:
                gc.enable()


def collect_when_idle() -> None:
    """From now on the collector runs only when `gc.collect` is called (a server, once it has
    indexed and frozen what it keeps)."""
    global _idle_only
    with _lock:
        _idle_only = True
        gc.disable()


def overdue() -> bool:
    """Whether enough may be waiting that a collection should not wait for a pause."""
    return _idle_only and gc.get_count()[0] > OVERDUE
