"""Splinter's newest lints (0026–0029), which the pinned dblint (0.25.5) does not run yet,
checked against PostgreSQL's own privilege functions.

README
------
What: each fixture of tests/pg/test_advisors_vs_splinter.py is applied as there; then
PostgreSQL answers what those lints ask — which SECURITY DEFINER functions `anon` and
`authenticated` may execute (`has_function_privilege`), and which relations they may SELECT
(`has_table_privilege` for anon: tables, partitioned tables, views and materialized views;
any column by `has_column_privilege` for authenticated: tables, views, materialized views and
foreign tables), outside the schemas splinter skips. Lockstep's `security-definer-function-
executable` and `graphql-table-exposed` findings on the same migrations must be the same set.

Trigger functions are left out of 0028/0029 (PostgreSQL calls them only as triggers, so
`/rest/v1/rpc` cannot), and 0026/0027 are judged in the schemas whose comment opts into
pg_graphql's introspection (`@graphql({"introspection": true})`, off by default since
pg_graphql 1.6.0): Lockstep's documented choices. pg_graphql itself is not packaged for
Debian, so the database is not asked whether it is installed.

Run:   python -m pytest tests/pg/test_advisors_vs_catalog.py -q
Needs: what tests/pg needs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lockstep.core.rules.checks.advisors_exposure import SPLINTER_SKIPS

from .conftest import FixtureDatabases
from .server import PgServer
from .test_advisors_vs_splinter import FIXTURES, TIMEOUT_S

pytestmark = pytest.mark.postgres

Subject = tuple[str, str, str]  # (rule, object, role)
FUNCTIONS = "security-definer-function-executable"
GRAPHQL = "graphql-table-exposed"

_EXECUTABLE = """
SELECT n.nspname || '.' || p.proname || '(' || coalesce((
         SELECT string_agg(format_type(a.t, NULL), ', ' ORDER BY a.o)
         FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, o)), '') || ')', r.role
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
CROSS JOIN (VALUES ('anon'), ('authenticated')) AS r(role)
WHERE p.prosecdef AND has_function_privilege(r.role, p.oid, 'EXECUTE')
  AND n.nspname <> ALL(%(skips)s)
  AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
"""
# Schemas whose comment opts into pg_graphql's introspection: `@graphql({...})` in it.
_OPTED = r"""(substring(obj_description(n.oid, 'pg_namespace') FROM '@graphql\((\{.*\})\)')
             )::jsonb ->> 'introspection' = 'true'"""
_SELECTABLE = """
SELECT n.nspname || '.' || c.relname, 'anon'
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm') AND has_table_privilege('anon', c.oid, 'SELECT')
  AND n.nspname <> ALL(%(skips)s) AND """ + _OPTED + """
UNION
SELECT n.nspname || '.' || c.relname, 'authenticated'
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'f') AND n.nspname <> ALL(%(skips)s) AND """ + _OPTED + """
  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
              AND NOT a.attisdropped
              AND has_column_privilege('authenticated', c.oid, a.attnum, 'SELECT'))
"""


def catalog_subjects(server: PgServer, database: str) -> set[Subject]:
    skips = {"skips": sorted(SPLINTER_SKIPS)}
    with server.connect(database) as conn:
        found = {(FUNCTIONS, name, role) for name, role in conn.execute(_EXECUTABLE, skips)}
        found |= {(GRAPHQL, name, role) for name, role in conn.execute(_SELECTABLE, skips)}
    return found


def lockstep_subjects(repo: Path) -> set[Subject]:
    proc = subprocess.run(
        [sys.executable, "-m", "lockstep", "check", str(repo), "--format", "json"],
        capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert proc.stdout, proc.stderr
    found: set[Subject] = set()
    for item in json.loads(proc.stdout)["diagnostics"]:
        data = item.get("data") or {}
        name = f"{data.get('schema')}.{data.get('table')}"
        if item["code"] == FUNCTIONS:
            name += f"({data['columns'][0]})"
        if item["code"] in (FUNCTIONS, GRAPHQL):
            found |= {(item["code"], name, role) for role in data["detail"]}
    return found


@pytest.mark.parametrize("repo", FIXTURES, ids=[p.name for p in FIXTURES])
def test_exposure_matches_catalog(repo: Path, pg_server: PgServer,
                                  fixture_dbs: FixtureDatabases) -> None:
    applied = fixture_dbs.get(repo)
    assert not applied.errors, "\n".join(applied.errors)
    expected = catalog_subjects(pg_server, applied.database)
    actual = lockstep_subjects(repo)
    assert sorted(actual - expected) == [], "Lockstep only"
    assert sorted(expected - actual) == [], "PostgreSQL only"


def test_each_lint_fires_for_each_role(pg_server: PgServer,
                                       fixture_dbs: FixtureDatabases) -> None:
    fired: set[tuple[str, str]] = set()
    for repo in FIXTURES:
        applied = fixture_dbs.get(repo)
        subjects = catalog_subjects(pg_server, applied.database)
        fired |= {(rule, role) for rule, _, role in subjects}
    assert fired == {(rule, role) for rule in (FUNCTIONS, GRAPHQL)
                     for role in ("anon", "authenticated")}
