"""Differential tests: Lockstep's schema replay against a real PostgreSQL server.

README
------
What: every fixture repo under `tests/fixtures/replay/<name>/` (a mini monorepo with
`supabase/migrations/*.sql`) is applied, in Lockstep's migration order, to a fresh database
on a private PostgreSQL server (with Supabase's `auth`/`storage`/`extensions` schemas and
roles stubbed by `supabase_stubs.sql`); the catalog is read back into the
`schema --format json` shape (`catalog.py`) and compared with the output of
`python -m lockstep schema <fixture> --format json` (`compare.py` documents the rules).

Run:   python -m pytest tests/pg -q            (or `-m postgres` from the top)
Needs: PostgreSQL server binaries (Debian: `apt-get install -y postgresql-15`; found on PATH
       or in /usr/lib/postgresql/*/bin, or set LOCKSTEP_PG_BINDIR) and psycopg 3. Without
       them every test here skips with the reason. As root the server runs as the `postgres`
       user (else `nobody`; override with LOCKSTEP_PG_USER). No TCP port is opened.

Tests:
- test_fixture_applies_cleanly[<fixture>]: the fixture is valid SQL for PostgreSQL and the
  catalog reader returns exactly the DESIGN.md shape (runs without the replay).
- test_catalog_reader_known_schema: the oracle itself, against a hand-checked expectation.
- test_replay_matches_postgres[<fixture>]: the differential test proper (skips until the
  `schema` CLI exists). A failure lists every difference, one per line.

Adding a fixture: create `tests/fixtures/replay/<name>/supabase/migrations/NNN_x.sql` (or
`YYYYMMDDHHMMSS_x.sql`); it is picked up automatically. A fixture that exposes a replay bug
stays as it is; the replay gets fixed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .catalog import list_schemas, read_catalog
from .compare import diff, shape_problems
from .conftest import STUBS, FixtureDatabases, ReplayCli, fixture_dirs, ordered_migrations
from .server import PgServer

pytestmark = pytest.mark.postgres

FIXTURE_DIRS = fixture_dirs()
IDS = [p.name for p in FIXTURE_DIRS]


def test_fixture_set_is_there() -> None:
    assert len(FIXTURE_DIRS) >= 8, f"expected the replay fixtures, found {IDS}"


def test_migration_order_is_numeric() -> None:
    repo = next(p for p in FIXTURE_DIRS if (p / "supabase/migrations/1000_b.sql").exists())
    names = [p.name for p in ordered_migrations(repo)]
    assert names.index("999_a.sql") < names.index("1000_b.sql")


@pytest.mark.parametrize("repo", FIXTURE_DIRS, ids=IDS)
def test_fixture_applies_cleanly(fixture_dbs: FixtureDatabases, repo: Path) -> None:
    applied = fixture_dbs.get(repo)
    assert not applied.errors, f"{repo.name} does not apply on PostgreSQL:\n" + "\n".join(
        applied.errors
    )
    assert applied.snapshot is not None
    doc = applied.snapshot.schema
    problems = shape_problems(doc, exact=True)
    assert not problems, "catalog output is not the DESIGN.md shape:\n" + "\n".join(problems)
    assert doc["tables"], f"{repo.name}: no tables in {sorted(applied.schemas)}"
    json.dumps(doc)  # must be plain JSON data


@pytest.mark.parametrize("repo", FIXTURE_DIRS, ids=IDS)
def test_replay_matches_postgres(
    fixture_dbs: FixtureDatabases, replay_cli: ReplayCli, repo: Path
) -> None:
    applied = fixture_dbs.get(repo)
    if applied.errors or applied.snapshot is None:
        pytest.fail(f"fixture {repo.name} does not apply on PostgreSQL (see the apply test)")
    proc = replay_cli.run(repo)
    assert proc.returncode == 0, f"schema CLI exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        pytest.fail(f"schema CLI printed invalid JSON ({exc}):\n{proc.stdout[:2000]}")
    problems = shape_problems(doc, exact=False)
    diffs = diff(doc, applied.snapshot, applied.schemas)
    report = [f"shape: {p}" for p in problems] + diffs
    if report:
        pytest.fail(
            f"replay of {repo.name} disagrees with PostgreSQL ({len(report)} differences):\n  "
            + "\n  ".join(report),
            pytrace=False,
        )


KNOWN_SQL = """
CREATE TYPE mood AS ENUM ('sad', 'happy');
ALTER TYPE mood ADD VALUE 'meh' BEFORE 'happy';
CREATE TABLE parents (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code varchar(10) UNIQUE);
CREATE TABLE kids (
  parent_id bigint REFERENCES parents ON DELETE SET NULL,
  seq int NOT NULL DEFAULT 1,
  email text,
  m mood[],
  price numeric(5,2),
  at timestamptz(0),
  PRIMARY KEY (parent_id, seq)
);
ALTER TABLE kids ADD FOREIGN KEY (seq) REFERENCES parents (id);
CREATE UNIQUE INDEX kids_email_lower ON kids (lower(email)) WHERE email IS NOT NULL;
ALTER TABLE kids ENABLE ROW LEVEL SECURITY;
CREATE POLICY "read" ON kids FOR SELECT USING (true);
CREATE POLICY "everything" ON kids TO authenticated USING (true);
CREATE MATERIALIZED VIEW kid_count AS SELECT count(*) FROM kids;
CREATE SCHEMA app;
CREATE VIEW app.v AS SELECT 1 AS one;
"""


def test_catalog_reader_known_schema(pg_server: PgServer, tmp_path: Path) -> None:
    sql = tmp_path / "known.sql"
    sql.write_text(KNOWN_SQL)
    pg_server.create_database("known")
    for path in (STUBS, sql):
        proc = pg_server.psql_file("known", path)
        assert proc.returncode == 0, proc.stderr
    with pg_server.connect("known") as conn:
        schemas = list_schemas(conn) - {"auth", "storage", "extensions"}
        snap = read_catalog(conn, schemas)
    assert schemas == {"public", "app"}
    doc = snap.schema
    assert doc["enums"] == [{"schema": "public", "name": "mood", "values": ["sad", "meh", "happy"]}]
    assert doc["views"] == [
        {"schema": "app", "name": "v"},
        {"schema": "public", "name": "kid_count"},
    ]
    kids, parents = doc["tables"]
    assert parents["columns"] == [
        {"name": "id", "type": "bigint", "nullable": False, "default": None, "primary_key": True},
        {"name": "code", "type": "character varying(10)", "nullable": True, "default": None,
         "primary_key": False},
    ]  # fmt: skip
    assert [(c["name"], c["type"], c["nullable"], c["primary_key"]) for c in kids["columns"]] == [
        ("parent_id", "bigint", False, True),
        ("seq", "integer", False, True),
        ("email", "text", True, False),
        ("m", "mood[]", True, False),
        ("price", "numeric(5,2)", True, False),
        ("at", "timestamp(0) with time zone", True, False),
    ]
    assert kids["columns"][1]["default"] == "1"
    assert kids["rls_enabled"] is True and parents["rls_enabled"] is False
    assert kids["foreign_keys"] == [
        {"columns": ["parent_id"], "references": {"schema": "public", "table": "parents",
         "columns": ["id"]}, "on_delete": "SET NULL"},
        {"columns": ["seq"], "references": {"schema": "public", "table": "parents",
         "columns": ["id"]}, "on_delete": "NO ACTION"},
    ]  # fmt: skip
    assert kids["indexes"] == [
        {"name": "kids_email_lower", "columns": ["lower(email)"], "unique": True},
        {"name": "kids_pkey", "columns": ["parent_id", "seq"], "unique": True},
    ]
    assert {("public", "kids", "kids_pkey"), ("public", "parents", "parents_code_key")} <= (
        snap.constraint_indexes
    )
    assert ("public", "kids", "kids_email_lower") not in snap.constraint_indexes
    assert kids["policies"] == [
        {"name": "everything", "command": "ALL"},
        {"name": "read", "command": "SELECT"},
    ]
    assert shape_problems(doc, exact=True) == []
    # The comparison itself: the catalog agrees with itself, and a lie is reported.
    assert diff(doc, snap, schemas) == []
    lie = json.loads(json.dumps(doc))
    lie["tables"][0]["columns"][2]["type"] = "varchar"
    lie["tables"][0]["foreign_keys"][1]["on_delete"] = None  # null == NO ACTION: no diff
    del lie["tables"][0]["indexes"][1]  # a PK index may be left out
    assert diff(lie, snap, schemas) == [
        "public.kids: column 'email': type: replay 'varchar' != postgres 'text'"
    ]
