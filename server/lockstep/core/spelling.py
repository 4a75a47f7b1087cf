"""Near misses: the one "did you mean" for config keys, rule names, tables and columns.

A leaf module (it imports nothing of Lockstep), so config parsing and rules share it without
an import cycle.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`. Did you mean `paths`?` for a near miss, else nothing."""
    found = closest(word, candidates)
    return f". Did you mean `{found}`?" if found else ""
