"""Differential test: `lockstep-lsp gen types` against Supabase's own generator.

README
------
What: every fixture repo `tests/fixtures/gen-*/` (and those of `tests/fixtures/replay/`) is
applied (Supabase stubs, then its
migrations in Lockstep's order) to a fresh database on the private PostgreSQL of the other
differential tests; `@supabase/postgres-meta` (the generator `supabase gen types typescript`
runs, pinned in tests/tools/package.json) prints the TypeScript for it. The Supabase CLI runs
`node dist/server/server.js` with PG_META_GENERATE_TYPES=typescript, the included schemas and
one-to-one detection on; tests/tools/generate.mjs makes the same calls for every database in
one Node process (one test checks it against server.js). `python -m lockstep gen types
<fixture>` must print the same bytes.

Run:   python -m pytest tests/pg/test_gen_types_vs_postgres_meta.py -q
Needs: what tests/pg needs, plus Node ≥ 20 and `npm ci --ignore-scripts` in tests/tools
       (scripts/test does it). Without them the tests skip (fail under LOCKSTEP_REQUIRE_TOOLS).

Eras: the releases of earlier generator eras are installed beside it under npm aliases
(tests/tools/package.json: postgres-meta-083 …, with the Prettier each release's Docker image
locked: the `prettier` of the release tag's package-lock.json, as an override), and `gen types
--generator-version RELEASE` must print what each prints, fixture by fixture. They are every
release npm has from 0.83 to 0.96.1, so the first and last of each era it has (core/gen/eras.py
lists the eras; those of releases npm lacks were measured once on builds of their tags). Each
release costs about 4 s (35 fixtures, one introspection and one Prettier run each; measured:
this file took 61 s with the four releases before 0.91.5 was added, 79 s with eight).
A file each newer release printed is checked by `generated-types-stale` in its own era.

Adding a fixture: create `tests/fixtures/gen-<name>/supabase/migrations/*.sql` (and a
`supabase/config.toml` with `[api] schemas` to include more schemas than `public`).
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lockstep.cli.gen import exposed_schemas
from lockstep.cli.main import main
from tests.tools import missing_tool

from .conftest import FixtureDatabases
from .server import PgServer

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
# Our own fixtures, and the replay differential test's (every construct they use must match).
FIXTURES = sorted(p for p in [*(ROOT / "tests" / "fixtures").glob("gen-*"),
                              *(ROOT / "tests" / "fixtures" / "replay").iterdir()]
                  if (p / "supabase" / "migrations").is_dir())
TOOLS = ROOT / "tests" / "tools"
SERVER = TOOLS / "node_modules" / "@supabase" / "postgres-meta" / "dist" / "server" / "server.js"
BATCH = TOOLS / "generate.mjs"
POSTGREST_VERSION = "12.2.3 (519615d)"
GRAPHQL_STUB = Path(__file__).resolve().parent / "graphql_public_stub.sql"
TIMEOUT_S = 120
# --generator-version → the npm alias of that release in tests/tools/package.json
ERAS = {"0.83.2": "postgres-meta-083", "0.84.2": "postgres-meta-084",
        "0.91.5": "postgres-meta-0915", "0.91.6": "postgres-meta-0916",
        "0.93.0": "postgres-meta-0930", "0.93.1": "postgres-meta-0931",
        "0.95.2": "postgres-meta-095", "0.96.1": "postgres-meta-096"}


@pytest.fixture(scope="session")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        missing_tool("node is not installed (needed to run @supabase/postgres-meta)")
    if not SERVER.is_file():
        missing_tool("@supabase/postgres-meta is not installed: "
                     "(cd tests/tools && npm ci --ignore-scripts)")
    return found


def _url(server: PgServer, database: str) -> str:
    return f"postgresql://postgres@localhost/{database}?host={server.socket_dir}"


def _schemas(repo: Path) -> list[str]:
    return exposed_schemas(repo, ("supabase/migrations",))


@pytest.fixture(scope="session")
def supabase_types(
    node: str, pg_server: PgServer, fixture_dbs: FixtureDatabases
) -> dict[str, str]:
    """Every fixture's types from Supabase's generator, in one Node process (generate.mjs)."""
    jobs: list[Path] = []
    for repo in FIXTURES:
        applied = fixture_dbs.get(repo)
        assert not applied.errors, "\n".join(applied.errors)
        if "graphql_public" in _schemas(repo):
            stub = pg_server.psql_file(applied.database, GRAPHQL_STUB)
            assert stub.returncode == 0, stub.stderr
        jobs.append(repo)
    request = [{"url": _url(pg_server, fixture_dbs.get(r).database), "schemas": _schemas(r)}
               for r in jobs]
    rich = fixture_dbs.get(ROOT / "tests" / "fixtures" / "gen-rich").database
    request.append({"url": _url(pg_server, rich), "schemas": ["public"],
                    "postgrestVersion": POSTGREST_VERSION})
    request += [{**job, "generator": generator} for generator in ERAS.values()
                for job in request[:len(jobs)]]
    proc = subprocess.run([node, str(BATCH)], input=json.dumps(request), capture_output=True,
                          text=True, timeout=TIMEOUT_S * 4, check=False, cwd=BATCH.parent)
    assert proc.returncode == 0, f"generate.mjs failed:\n{proc.stderr}"
    results = json.loads(proc.stdout)
    assert all("types" in r for r in results), results
    found = {str(repo): r["types"] for repo, r in zip(jobs, results, strict=False)}
    found["postgrest-version"] = results[len(jobs)]["types"]
    for index, release in enumerate(ERAS):
        start = len(jobs) + 1 + index * len(jobs)
        found.update({f"{release}:{repo}": r["types"]
                      for repo, r in zip(jobs, results[start:start + len(jobs)], strict=True)})
    return found


def lockstep_gen(repo: Path, *options: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "lockstep", "gen", "types", str(repo), *options],
                          capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_there_are_fixtures() -> None:
    assert len([p for p in FIXTURES if p.name.startswith("gen-")]) >= 4, FIXTURES


def _cli_environment(pg_server: PgServer, fixture_dbs: FixtureDatabases,
                     repo: Path) -> dict[str, str]:
    """The environment the Supabase CLI runs postgres-meta's server.js with."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PG_META_DB_URL": _url(pg_server, fixture_dbs.get(repo).database),
        "PG_META_GENERATE_TYPES": "typescript",
        "PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS": ",".join(_schemas(repo)),
        "PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS": "true",
    }


def test_batch_equals_the_supabase_cli_invocation(
    node: str, pg_server: PgServer, fixture_dbs: FixtureDatabases,
    supabase_types: dict[str, str],
) -> None:
    """generate.mjs prints what `node dist/server/server.js` prints for the Supabase CLI."""
    repo = next(p for p in FIXTURES if p.name == "gen-rich")
    env = _cli_environment(pg_server, fixture_dbs, repo)
    proc = subprocess.run([node, str(SERVER)], capture_output=True, text=True, env=env,
                          timeout=TIMEOUT_S, check=False)
    assert proc.returncode == 0, f"postgres-meta failed:\n{proc.stderr}"
    assert proc.stdout == supabase_types[str(repo)]


@pytest.mark.parametrize("repo", FIXTURES, ids=[p.name for p in FIXTURES])
def test_gen_types_matches_supabase(supabase_types: dict[str, str], repo: Path) -> None:
    expected = supabase_types[str(repo)]
    assert expected.startswith("export type Json"), expected[:500]
    actual = lockstep_gen(repo)
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                    "postgres-meta", "lockstep gen types", lineterm="")
        pytest.fail("gen types differs from Supabase's generator:\n" + "\n".join(diff))


@pytest.mark.parametrize("release", ERAS)
@pytest.mark.parametrize("repo", FIXTURES, ids=[p.name for p in FIXTURES])
def test_gen_types_matches_each_generator_era(supabase_types: dict[str, str], repo: Path,
                                              release: str) -> None:
    """--generator-version prints what that release of the generator printed."""
    expected = supabase_types[f"{release}:{repo}"]
    assert expected.startswith("export type Json"), expected[:500]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # in-process: 4 eras × every fixture
        assert main(["gen", "types", str(repo), "--generator-version", release]) == 0
    actual = out.getvalue()
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                    f"postgres-meta {release}", "lockstep gen types",
                                    lineterm="")
        pytest.fail(f"gen types differs from postgres-meta {release}:\n" + "\n".join(diff))


def test_older_batch_equals_that_release_server(
    node: str, pg_server: PgServer, fixture_dbs: FixtureDatabases,
    supabase_types: dict[str, str],
) -> None:
    """generate.mjs runs an older release as its own server.js does (0.84.2 here)."""
    repo = next(p for p in FIXTURES if p.name == "gen-rich")
    server = TOOLS / "node_modules" / ERAS["0.84.2"] / "dist" / "server" / "server.js"
    env = _cli_environment(pg_server, fixture_dbs, repo)
    proc = subprocess.run([node, str(server)], capture_output=True, text=True, env=env,
                          timeout=TIMEOUT_S, check=False)
    assert proc.returncode == 0, f"postgres-meta 0.84.2 failed:\n{proc.stderr}"
    assert proc.stdout == supabase_types[f"0.84.2:{repo}"]


def test_postgrest_version_block(supabase_types: dict[str, str]) -> None:
    """`--linked` types carry `__InternalSupabase`; --postgrest-version prints it the same."""
    repo = ROOT / "tests" / "fixtures" / "gen-rich"
    actual = lockstep_gen(repo, "--schema", "public", "--postgrest-version", POSTGREST_VERSION)
    assert actual == supabase_types["postgrest-version"]


def _stale_messages(root: Path) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", str(root), "--format", "json"])
    return [d["message"] for d in json.loads(out.getvalue())["diagnostics"]
            if d["code"] == "generated-types-stale"]


@pytest.mark.parametrize("release", ["0.91.6", "0.93.0", "0.93.1"])
@pytest.mark.parametrize("fixture", ["gen-basic", "gen-changes"])
def test_a_file_of_a_newer_era_is_judged_in_its_era(
    supabase_types: dict[str, str], tmp_path: Path, fixture: str, release: str
) -> None:
    """generated-types-stale on the file that release printed (written here, from the run
    above): fresh with no CLI pinned and with a CLI of another era pinned (its `interval`,
    `unknown | null` and overloads are that era's), stale once a migration adds a column."""
    repo = tmp_path / fixture
    shutil.copytree(ROOT / "tests" / "fixtures" / fixture, repo)
    (repo / "src").mkdir()
    (repo / "src" / "database.types.ts").write_text(
        supabase_types[f"{release}:{ROOT / 'tests' / 'fixtures' / fixture}"])
    assert _stale_messages(repo) == []
    (repo / "package.json").write_text(json.dumps({"devDependencies": {"supabase": "2.80.0"}}))
    assert _stale_messages(repo) == []  # the pinned CLI prints 0.96.1: another era
    migrations = repo / "supabase" / "migrations"
    table = "orders" if fixture == "gen-basic" else "devices"
    (migrations / "99999999999999_more.sql").write_text(
        f"alter table public.{table} add column extra int;\n")
    (stale,) = _stale_messages(repo)
    assert f"`public.Tables.{table}.Row.extra` is missing" in stale
