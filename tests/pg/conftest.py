"""Fixtures for the differential tests: one private PostgreSQL per session, one database
per fixture repo, the Supabase stubs, migrations applied in Lockstep's order."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.tools import missing_tool

from .catalog import CatalogSnapshot, list_schemas, read_catalog
from .server import PgServer, PgUnavailable, find_bindir

HERE = Path(__file__).resolve().parent
STUBS = HERE / "supabase_stubs.sql"
# Extensions Debian does not package, stubbed for the fixtures whose migrations call them.
EXTENSION_STUBS = {"pgmq.": HERE / "pgmq_stub.sql"}
FIXTURES = HERE.parent / "fixtures" / "replay"
CLI_TIMEOUT_S = 120


def fixture_dirs() -> list[Path]:
    """Every fixture repo (a directory with supabase/migrations/) under tests/fixtures/replay."""
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.iterdir() if (p / "supabase" / "migrations").is_dir())


def migration_key(path: Path) -> tuple[int, int, str]:
    """Lockstep's order: version = digits before the first `_`, numeric; ties by name."""
    version = path.name.split("_", 1)[0]
    if version.isdigit():
        return (0, int(version), path.name)
    return (1, 0, path.name)  # not a migration name: last, by name


def ordered_migrations(repo: Path) -> list[Path]:
    return sorted((repo / "supabase" / "migrations").glob("*.sql"), key=migration_key)


@dataclass
class Applied:
    """A fixture after its migrations ran on a fresh database."""

    name: str
    database: str
    migrations: list[Path]
    errors: list[str] = field(default_factory=list)
    snapshot: CatalogSnapshot | None = None
    schemas: set[str] = field(default_factory=set)  # the schemas compared (public + new ones)
    stub_schemas: set[str] = field(default_factory=set)  # auth, storage, extensions, …


class FixtureDatabases:
    """Applies each fixture once per session (memoised) and reads its catalog."""

    def __init__(self, server: PgServer) -> None:
        self.server = server
        self._cache: dict[Path, Applied] = {}

    def get(self, repo: Path) -> Applied:
        if repo not in self._cache:
            self._cache[repo] = self._apply(repo)
        return self._cache[repo]

    def _apply(self, repo: Path) -> Applied:
        db = "fx_" + re.sub(r"[^a-z0-9_]", "_", repo.name.lower())[:50]
        applied = Applied(repo.name, db, ordered_migrations(repo))
        self.server.create_database(db)
        stub = self.server.psql_file(db, STUBS)
        if stub.returncode != 0:
            raise RuntimeError(f"Supabase stubs failed on {db}:\n{stub.stderr}")
        sql = "".join(p.read_text(encoding="utf-8") for p in applied.migrations)
        for used, path in EXTENSION_STUBS.items():
            if used in sql and (stub := self.server.psql_file(db, path)).returncode != 0:
                raise RuntimeError(f"{path.name} failed on {db}:\n{stub.stderr}")
        with self.server.connect(db) as conn:
            baseline = list_schemas(conn)
        applied.stub_schemas = baseline - {"public"}
        for path in applied.migrations:
            proc = self.server.psql_file(db, path)
            if proc.returncode != 0:
                rel = path.relative_to(repo).as_posix()
                applied.errors.append(f"{rel}:\n{proc.stderr.strip()}")
                return applied  # later files would only fail in cascade
        with self.server.connect(db) as conn:
            applied.schemas = (list_schemas(conn) - baseline) | {"public"}
            applied.snapshot = read_catalog(conn, applied.schemas)
        return applied


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    pytest.importorskip("psycopg", reason="psycopg 3 is a test dependency (psycopg[binary])")
    try:
        bindir = find_bindir()
    except PgUnavailable as exc:
        missing_tool(str(exc))
    server = PgServer(bindir)
    try:
        server.start()
    except PgUnavailable as exc:
        server.stop()
        missing_tool(str(exc))
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fixture_dbs(pg_server: PgServer) -> FixtureDatabases:
    return FixtureDatabases(pg_server)


@dataclass
class ReplayCli:
    """`python -m lockstep schema ROOT --format json`, the replay under test."""

    def run(self, repo: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lockstep", "schema", str(repo), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )


@pytest.fixture(scope="session")
def replay_cli() -> ReplayCli:
    probe = subprocess.run(
        [sys.executable, "-m", "lockstep", "schema", "--help"],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    if probe.returncode != 0:
        tail = (probe.stderr or probe.stdout).strip().splitlines()[-1:] or ["no output"]
        missing_tool(f"`python -m lockstep schema` not available yet: {tail[0]}")
    return ReplayCli()
