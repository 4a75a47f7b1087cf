"""Shared helpers for rule tests: build a workspace from a dict of files, run the rules.

API (kept stable; other rule tests import it with `from rule_helpers import ...`):
    diagnostics_for(tmp_path, files, config=None) -> list[Diagnostic]
    codes(diags) -> list[str]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import run_rules
from lockstep.core.workspace import Workspace

MIGRATIONS = "supabase/migrations"


def build_workspace(tmp_path: Path, files: dict[str, str], config: str | None = None) -> Workspace:
    """Write `files` (relative path → text) and `lockstep.toml` under tmp_path; load it."""
    (tmp_path / "supabase").mkdir(exist_ok=True)
    for relative, text in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")
    if config is not None:
        (tmp_path / "lockstep.toml").write_text(config, encoding="utf-8")
    workspace = Workspace(tmp_path)
    workspace.load()
    return workspace


def diagnostics_for(
    tmp_path: Path, files: dict[str, str], config: str | None = None
) -> list[Diagnostic]:
    """Every diagnostic of a workspace made of `files`, sorted by path and position."""
    workspace = build_workspace(tmp_path, files, config)
    found = [d for items in run_rules(workspace).values() for d in items]
    found.sort(key=Diagnostic.sort_key)
    return found


def codes(diags: Iterable[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def migration(name: str) -> str:
    """`"001_x.sql"` → `"supabase/migrations/001_x.sql"`."""
    return f"{MIGRATIONS}/{name}"
