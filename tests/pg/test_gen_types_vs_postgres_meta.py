"""Differential test: `lockstep-lsp gen types` against Supabase's own generator.

README
------
What: every fixture repo `tests/fixtures/gen-*/` is applied (Supabase stubs, then its
migrations in Lockstep's order) to a fresh database on the private PostgreSQL of the other
differential tests; `@supabase/postgres-meta` (the generator `supabase gen types typescript`
runs, pinned in tests/tools/package.json) prints the TypeScript for it, exactly as the
Supabase CLI invokes it (`node dist/server/server.js` with PG_META_GENERATE_TYPES=typescript,
the included schemas, one-to-one detection on). `python -m lockstep gen types <fixture>` must
print the same bytes.

Run:   python -m pytest tests/pg/test_gen_types_vs_postgres_meta.py -q
Needs: what tests/pg needs, plus Node ≥ 20 and `npm ci --ignore-scripts` in tests/tools
       (scripts/test does it). Without them the tests skip (fail under LOCKSTEP_REQUIRE_TOOLS).

Adding a fixture: create `tests/fixtures/gen-<name>/supabase/migrations/*.sql` (and a
`supabase/config.toml` with `[api] schemas` to include more schemas than `public`).
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lockstep.cli.gen import exposed_schemas
from tests.tools import missing_tool

from .conftest import FixtureDatabases
from .server import PgServer

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted(p for p in (ROOT / "tests" / "fixtures").glob("gen-*")
                  if (p / "supabase" / "migrations").is_dir())
GENERATOR = (ROOT / "tests" / "tools" / "node_modules" / "@supabase" / "postgres-meta" / "dist"
             / "server" / "server.js")
TIMEOUT_S = 120


@pytest.fixture(scope="session")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        missing_tool("node is not installed (needed to run @supabase/postgres-meta)")
    if not GENERATOR.is_file():
        missing_tool("@supabase/postgres-meta is not installed: "
                     "(cd tests/tools && npm ci --ignore-scripts)")
    return found


def supabase_generator(node: str, server: PgServer, database: str, schemas: list[str]) -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PG_META_DB_URL": f"postgresql://postgres@localhost/{database}?host={server.socket_dir}",
        "PG_META_GENERATE_TYPES": "typescript",
        "PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS": ",".join(schemas),
        "PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS": "true",
    }
    proc = subprocess.run([node, str(GENERATOR)], capture_output=True, text=True, env=env,
                          timeout=TIMEOUT_S, check=False)
    assert proc.returncode == 0, f"postgres-meta failed:\n{proc.stderr}"
    return proc.stdout


def lockstep_gen(repo: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "lockstep", "gen", "types", str(repo)],
                          capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_there_are_fixtures() -> None:
    assert len(FIXTURES) >= 2, [p.name for p in FIXTURES]


@pytest.mark.parametrize("repo", FIXTURES, ids=[p.name for p in FIXTURES])
def test_gen_types_matches_supabase(
    node: str, pg_server: PgServer, fixture_dbs: FixtureDatabases, repo: Path
) -> None:
    applied = fixture_dbs.get(repo)
    assert not applied.errors, "\n".join(applied.errors)
    schemas = exposed_schemas(repo, ("supabase/migrations",))
    expected = supabase_generator(node, pg_server, applied.database, schemas)
    assert expected.startswith("export type Json"), expected[:500]
    actual = lockstep_gen(repo)
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                    "postgres-meta", "lockstep gen types", lineterm="")
        pytest.fail("gen types differs from Supabase's generator:\n" + "\n".join(diff))
