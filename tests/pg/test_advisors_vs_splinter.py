"""Differential test: Lockstep's advisor rules against Supabase's splinter lints.

README
------
What: every fixture repo under `tests/fixtures/advisors/` (and those of
`tests/fixtures/replay/`) is applied (Supabase stubs with Supabase's default privileges and
`pgrst.db_schemas = public`, then its migrations) to a fresh database on the private
PostgreSQL of the other differential tests. The Postgres language server's
`postgres-language-server dblint` (its linux x86_64 binary, pinned in tests/tools/package.json;
it runs splinter's SQL)
lints that database over the private Unix socket; `python -m lockstep check --format json`
lints the same migrations with no database. The findings are compared as sets of
(lint, subject) — schema, object, and the policy, role/action, indexes or column where the
lint names one — for every lint that an advisor rule covers.

Run:   python -m pytest tests/pg/test_advisors_vs_splinter.py -q
Needs: what tests/pg needs, plus `npm ci --ignore-scripts` in tests/tools (scripts/test does
       it; the binary package needs no install script). Linux x86_64 (glibc) only: elsewhere
       npm skips the optional package and the tests skip (fail under LOCKSTEP_REQUIRE_TOOLS).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.tools import missing_tool

from .conftest import FixtureDatabases
from .server import SUPERUSER, PgServer

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted(p for p in [*(ROOT / "tests" / "fixtures" / "advisors").iterdir(),
                              *(ROOT / "tests" / "fixtures" / "replay").iterdir()]
                  if (p / "supabase" / "migrations").is_dir())
DBLINT = (ROOT / "tests" / "tools" / "node_modules" / "@postgres-language-server"
          / "cli-x86_64-linux-gnu" / "postgres-language-server")
TIMEOUT_S = 120

# splinter's lint (dblint's category) → the Lockstep rule that covers it.
LINTS = {
    "authRlsInitplan": "auth-rls-initplan",
    "multiplePermissivePolicies": "multiple-permissive-policies",
    "duplicateIndex": "duplicate-index",
    "securityDefinerView": "security-definer-view",
    "functionSearchPathMutable": "function-search-path-mutable",
    "extensionInPublic": "extension-in-public",
    "rlsReferencesUserMetadata": "rls-references-user-metadata",
    "materializedViewInApi": "materialized-view-in-api",
    "fkeyToAuthUnique": "fkey-to-auth-unique",
    "sensitiveColumnsExposed": "sensitive-columns-exposed",
    "rlsPolicyAlwaysTrue": "rls-policy-always-true",
    "authUsersExposed": "auth-users-exposed",
    "unsupportedRegTypes": "unsupported-reg-types",
    "foreignTableInApi": "foreign-table-in-api",
    "insecureQueueExposedInApi": "insecure-queue-exposed-in-api",
    "rlsDisabledInPublic": "rls-disabled",  # with the grants: sim_ and internal tables too
}
Subject = tuple[str, ...]
# Where Lockstep is deliberately stricter than splinter, and why.
KNOWN_DIFFERENCES: set[Subject] = {
    # splinter looks at plain tables only (relkind 'r'); a query through a partitioned parent
    # is governed by the parent's RLS alone, so a parent without RLS opens every partition.
    ("rls-disabled", "public.events_archive"),
}


def _ticked(message: str) -> list[str]:
    return re.findall(r"`([^`]*)`", message.replace("\\`", "`"))


def splinter_subject(lint: str, message: str) -> Subject:
    """The subject of one dblint finding, read from splinter's message (its only output)."""
    ticked = _ticked(message)
    if lint == "duplicateIndex":
        indexes = re.search(r"identical indexes \{([^}]*)\}", message)
        assert indexes, message
        return (ticked[0], *sorted(indexes.group(1).split(",")))
    if lint == "multiplePermissivePolicies":
        return (ticked[0], ticked[2], ticked[1])  # table, action, role
    if lint in ("authRlsInitplan", "rlsReferencesUserMetadata", "rlsPolicyAlwaysTrue"):
        return (ticked[0], ticked[1])  # table, policy
    if lint == "fkeyToAuthUnique":
        return (f"{ticked[0]}.{ticked[1]}",)
    if lint == "authUsersExposed":
        view = re.search(r'"([^"]*)"', message)
        assert view, message
        return (f"public.{view.group(1)}",)
    if lint == "unsupportedRegTypes":
        return (ticked[0], ticked[1])  # table, column
    return (ticked[0],)


def lockstep_subjects(rule: str, data: dict[str, Any]) -> list[Subject]:
    """The same subjects from the `data` Lockstep's finding carries."""
    name = f"{data['schema']}.{data['table']}"
    if rule == "duplicate-index":
        return [(name, *data["detail"])]
    if rule == "multiple-permissive-policies":
        action, *roles = data["detail"]
        return [(name, action, role) for role in roles]
    if rule in ("auth-rls-initplan", "rls-references-user-metadata", "rls-policy-always-true"):
        return [(name, data["policy"])]
    if rule == "extension-in-public":
        return [(data["table"],)]
    if rule == "unsupported-reg-types":
        return [(name, column) for column in data["columns"]]
    return [(name,)]


@pytest.fixture(scope="session")
def dblint() -> Path:
    if not DBLINT.is_file():
        missing_tool("@postgres-language-server/cli-x86_64-linux-gnu is not installed: "
                     "(cd tests/tools && npm ci --ignore-scripts)")
    return DBLINT


def api_schemas(repo: Path) -> list[str]:
    """config.toml's `[api] schemas` (PostgREST's exposed schemas), `public` without it."""
    config = repo / "supabase" / "config.toml"
    if not config.is_file():
        return ["public"]
    schemas = tomllib.loads(config.read_text(encoding="utf-8")).get("api", {}).get("schemas")
    return list(schemas) if schemas else ["public"]


def expose(server: PgServer, database: str, repo: Path) -> None:
    """What PostgREST serves, where splinter reads it: `pgrst.db_schemas`."""
    with server.connect(database) as conn:
        conn.execute(f"ALTER DATABASE {database} SET pgrst.db_schemas = "
                     f"'{', '.join(api_schemas(repo))}'")


def run_dblint(tool: Path, server: PgServer, database: str, workdir: Path) -> set[Subject]:
    socket = urllib.parse.quote(str(server.socket_dir), safe="")
    url = f"postgresql://{SUPERUSER}@{socket}/{database}"  # the private Unix socket only
    proc = subprocess.run(
        [str(tool), "dblint", f"--connection-string={url}", "--reporter=json",
         "--max-diagnostics=none", "--colors=off"],
        capture_output=True, text=True, timeout=TIMEOUT_S, check=False, cwd=workdir)
    # 1 = "some findings are errors"; anything else (or no JSON) is a failure of the tool
    assert proc.returncode in (0, 1) and proc.stdout.startswith("{"), proc.stderr or proc.stdout
    found: set[Subject] = set()
    for item in json.loads(proc.stdout)["diagnostics"]:
        lint = item["category"].rsplit("/", 1)[-1]
        if lint in LINTS:
            found.add((LINTS[lint], *splinter_subject(lint, item["message"])))
    return found


def run_lockstep(repo: Path) -> set[Subject]:
    proc = subprocess.run(
        [sys.executable, "-m", "lockstep", "check", str(repo), "--format", "json"],
        capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert proc.stdout, proc.stderr
    rules = set(LINTS.values())
    found: set[Subject] = set()
    for item in json.loads(proc.stdout)["diagnostics"]:
        if item["code"] in rules:
            found |= {(item["code"], *s) for s in lockstep_subjects(item["code"], item["data"])}
        elif item["code"] == "policy-rls-disabled":
            # One finding where splinter has two (0007 and 0013): the more specific one.
            found.add(("rls-disabled", f"{item['data']['schema']}.{item['data']['table']}"))
    return found


@pytest.mark.parametrize("repo", FIXTURES, ids=[p.name for p in FIXTURES])
def test_advisors_match_splinter(repo: Path, dblint: Path, pg_server: PgServer,
                                 fixture_dbs: FixtureDatabases, tmp_path: Path) -> None:
    applied = fixture_dbs.get(repo)
    assert not applied.errors, "\n".join(applied.errors)
    expose(pg_server, applied.database, repo)
    expected = run_dblint(dblint, pg_server, applied.database, tmp_path) - KNOWN_DIFFERENCES
    actual = run_lockstep(repo) - KNOWN_DIFFERENCES
    assert sorted(actual - expected) == [], "Lockstep only"
    assert sorted(expected - actual) == [], "splinter only"


def test_every_rule_fires_and_is_quiet_somewhere(dblint: Path, pg_server: PgServer,
                                                 fixture_dbs: FixtureDatabases,
                                                 tmp_path: Path) -> None:
    """The advisors fixtures make each covered lint fire at least once (quiet cases sit next
    to them, and the replay fixtures are mostly quiet)."""
    fired: set[str] = set()
    for repo in FIXTURES:
        applied = fixture_dbs.get(repo)
        expose(pg_server, applied.database, repo)
        fired |= {s[0] for s in run_dblint(dblint, pg_server, applied.database, tmp_path)}
    assert sorted(set(LINTS.values()) - fired) == []
