"""Python's cyclic garbage collector paused while an analysis builds its objects.

Loading a workspace or replaying after an edit allocates hundreds of thousands of objects
and frees few cycles; the collector, triggered by allocation counts, walked them again and
again (8–20% of a load). Paused for the analysis and resumed after it, the collector runs
once the burst is over. Nested and concurrent pauses (one analysis per project, each in its
own thread) resume it only when the last one ends, and only if it was running before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False


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
            if _depth == 0 and _resume:
                gc.enable()
