"""Function bodies that spell a renamed name: PostgreSQL follows a rename in views, policies,
foreign keys and indexes (they hold the object, not its name), but not inside a function's
body, which is text until it runs. Found with the real lexer (libpg_query's scanner), the
body lexed again, since PL/pgSQL shares SQL's tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pglast.parser import scan

from lockstep.core.model import Location

if TYPE_CHECKING:
    from lockstep.core.workspace import Workspace

_MAX_DEPTH = 3


def _names(sql: str, depth: int = 0) -> set[str]:
    """Every identifier and keyword in `sql`, folded as PostgreSQL folds them; string
    constants (a `$$ … $$` body) are lexed in turn."""
    found: set[str] = set()
    try:
        tokens = scan(sql)
    except Exception:  # noqa: BLE001 - an unlexable body names nothing we can see
        return found
    for token in tokens:
        text = sql[token.start : token.end + 1]
        if token.name == "SCONST" and depth < _MAX_DEPTH:
            found |= _names(_unquote(text), depth + 1)
        elif token.name == "IDENT" or token.kind != "NO_KEYWORD":
            found.add(text[1:-1] if text.startswith('"') else text.lower())
    return found


def _unquote(text: str) -> str:
    if text.startswith("$"):
        tag_end = text.find("$", 1)
        tag = text[: tag_end + 1]
        return text[len(tag) : len(text) - len(tag)] if text.endswith(tag) else text
    return text.strip("'").replace("''", "'")


def routine_mentions(workspace: Workspace, name: str) -> list[Location]:
    """Functions and procedures whose definition spells `name`."""
    found: list[Location] = []
    for routine in workspace.replay.schema.routines.values():
        where = routine.location
        migration = workspace.migrations.get(where.path) if where else None
        if where is None or migration is None or routine.kind == "trigger":
            continue
        lines = migration.parsed.lines
        text = migration.text[lines.offset(where.range.start) : lines.offset(where.range.end)]
        if name in text and name in _names(text):
            found.append(where)
    return found
