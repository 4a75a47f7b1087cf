"""The advisors judge the schemas PostgREST serves: config.toml's `[api] schemas`."""

from __future__ import annotations

from pathlib import Path

from lockstep.core.rules.engine import run_rules
from lockstep.core.rules.registry.security import RLS_DISABLED
from lockstep.core.workspace import Workspace

SQL = ("create schema temporal;\n"
       "grant usage on schema temporal to anon, authenticated;\n"
       "create table temporal.events (id uuid primary key);\n"
       "grant select on temporal.events to anon, authenticated;\n")


def _rls_disabled(root: Path, schemas: str) -> list[str]:
    (root / "supabase/migrations").mkdir(parents=True, exist_ok=True)
    (root / "supabase/config.toml").write_text(f"[api]\nschemas = {schemas}\n")
    (root / "supabase/migrations/20240101000000_events.sql").write_text(SQL)
    workspace = Workspace(root)
    workspace.load()
    return [d.message for items in run_rules(workspace).values() for d in items
            if d.code == RLS_DISABLED.name]


def test_a_table_in_an_exposed_schema_without_rls_is_flagged(tmp_path: Path) -> None:
    assert _rls_disabled(tmp_path, '["public", "temporal"]')


def test_a_schema_postgrest_does_not_serve_is_not(tmp_path: Path) -> None:
    assert _rls_disabled(tmp_path, '["public"]') == []
