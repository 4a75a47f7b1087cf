"""Path globs with `**`, for consumer categories and config patterns.

fnmatch lets `*` cross `/` and has no `**`; gitignore-style globs are what people write in
config, so this is the small translation to a regular expression.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == n:
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (close := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : close]
            negate = body.startswith("!")
            body = re.escape(body[1:] if negate else body).replace("\\-", "-")
            out.append(f"[{'^' if negate else ''}{body}]")
            i = close + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """A pattern without `/` matches the file name in any folder, as in .gitignore."""
    pattern = pattern.strip().removeprefix("./")
    if "/" not in pattern:
        pattern = "**/" + pattern
    return re.compile(_translate(pattern.lstrip("/")) + r"\Z", re.DOTALL)


def glob_match(pattern: str, path: str) -> bool:
    """Match a workspace-relative path (with `/` separators) against a glob."""
    return compile_glob(pattern).match(path.replace("\\", "/").removeprefix("./")) is not None
