"""Differential test of the migration-safety rules that say "this fails": against a real
PostgreSQL, run the way the Supabase CLI runs a migration file.

The CLI (`pkg/migration/file.go`, `ExecBatch`) sends every statement of a file, then the
insert of its version into the history table, as one pipelined batch with a single Sync: one
implicit transaction. psycopg's pipeline mode on an autocommit connection does the same. Each
case starts from a table that has a row (production has rows), runs the migration that way,
and compares: Lockstep reports `add-not-null-without-default` or
`concurrently-in-transaction` exactly when PostgreSQL rejects the file.

Run: python -m pytest tests/pg/test_safety_vs_postgres.py -q (skips without PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lockstep.core.rules.engine import run_rules
from lockstep.core.workspace import Workspace

from .server import PgServer

pytestmark = pytest.mark.postgres

BASE = """-- Goals users set.
CREATE TABLE goals (id INT PRIMARY KEY, title TEXT, score INT);
ALTER TABLE goals ENABLE ROW LEVEL SECURITY;
CREATE TABLE tags (name TEXT);
"""
SEED = ("INSERT INTO goals (id, title, score) VALUES (1, 'ship it', NULL); "
        "INSERT INTO tags (name) VALUES ('work')")
HISTORY = "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY)"
FAILS = {"add-not-null-without-default", "concurrently-in-transaction"}

CASES = {
    "not-null-without-default": "ALTER TABLE goals ADD COLUMN due DATE NOT NULL;",
    "not-null-with-default": "ALTER TABLE goals ADD COLUMN due DATE NOT NULL DEFAULT now();",
    "primary-key-column": "ALTER TABLE tags ADD COLUMN id INT PRIMARY KEY;",
    "serial-column": "ALTER TABLE goals ADD COLUMN seq BIGSERIAL NOT NULL;",
    "identity-column": "ALTER TABLE goals ADD COLUMN n INT GENERATED ALWAYS AS IDENTITY;",
    "set-not-null-on-nulls": "ALTER TABLE goals ALTER COLUMN score SET NOT NULL;",
    "set-default-then-not-null": "ALTER TABLE goals ALTER COLUMN score SET DEFAULT 0;\n"
                                 "ALTER TABLE goals ALTER COLUMN score SET NOT NULL;",
    "added-then-not-null": "ALTER TABLE goals ADD COLUMN note TEXT;\n"
                           "ALTER TABLE goals ALTER COLUMN note SET NOT NULL;",
    "backfilled-then-not-null": "ALTER TABLE goals ADD COLUMN done BOOLEAN;\n"
                                "UPDATE goals SET done = false;\n"
                                "ALTER TABLE goals ALTER COLUMN done SET NOT NULL;",
    "new-table": "CREATE TABLE notes (id INT PRIMARY KEY);\n"
                 "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n"
                 "ALTER TABLE notes ADD COLUMN body TEXT NOT NULL;",
    "concurrently-with-others": "ALTER TABLE goals ADD COLUMN rank INT;\n"
                                "CREATE INDEX CONCURRENTLY idx_goals_rank ON goals (rank);",
    "drop-concurrently-with-others": "ALTER TABLE goals ADD COLUMN rank INT;\n"
                                     "DROP INDEX CONCURRENTLY IF EXISTS idx_goals_title;",
    "concurrently-alone": "CREATE INDEX CONCURRENTLY idx_goals_score ON goals (score);",
    "concurrently-first": "CREATE INDEX CONCURRENTLY idx_goals_score ON goals (score);\n"
                          "ALTER TABLE goals ADD COLUMN rank INT;",
    "two-concurrently": "CREATE INDEX CONCURRENTLY idx_goals_score ON goals (score);\n"
                        "CREATE INDEX CONCURRENTLY idx_goals_title ON goals (title);",
    "wrapped-in-begin-commit": "BEGIN;\nALTER TABLE goals ADD COLUMN rank INT;\nCOMMIT;",
}


def _lockstep(tmp_path: Path, sql: str) -> set[str]:
    migrations = tmp_path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "001_goals.sql").write_text(BASE, encoding="utf-8")
    (migrations / "002_change.sql").write_text(f"-- The change.\n{sql}\n", encoding="utf-8")
    workspace = Workspace(tmp_path)
    workspace.load()
    found = run_rules(workspace).get("supabase/migrations/002_change.sql", [])
    return {d.code for d in found} & FAILS


def _statements(workspace_sql: str) -> list[str]:
    from lockstep.core.sql.parse import parse_migration_sql

    parsed = parse_migration_sql(workspace_sql)
    return [s.text(workspace_sql) for s in parsed.statements]


def _cli_applies(server: PgServer, db: str, sql: str) -> str | None:
    """Run the file as the Supabase CLI does; the error message, or None when it applied."""
    import psycopg

    server.create_database(db)
    with server.connect(db) as conn:
        for statement in (*_statements(BASE), *_statements(SEED), HISTORY):
            conn.execute(statement)  # type: ignore[arg-type]
        try:
            with conn.pipeline():
                for statement in _statements(sql):
                    conn.execute(statement)  # type: ignore[arg-type]
                conn.execute("INSERT INTO schema_migrations (version) VALUES ('002')")
        except psycopg.Error as error:
            return str(error)
    return None


@pytest.mark.parametrize("case", sorted(CASES))
def test_lockstep_says_it_fails_exactly_when_postgres_rejects_it(
    pg_server: PgServer, tmp_path: Path, case: str
) -> None:
    sql = CASES[case]
    error = _cli_applies(pg_server, "safety_" + case.replace("-", "_"), sql)
    found = _lockstep(tmp_path, sql)
    assert bool(found) == (error is not None), (case, found, error)


def test_a_commit_in_the_file_leaves_it_half_applied(pg_server: PgServer, tmp_path: Path) -> None:
    """What `transaction-in-migration` warns about: after a COMMIT, a failing statement no
    longer undoes what came before it, and the version is not recorded (the CLI reruns it)."""
    sql = "ALTER TABLE goals ADD COLUMN rank INT;\nCOMMIT;\nALTER TABLE goals ADD x nosuchtype;"
    assert _cli_applies(pg_server, "safety_half_applied", sql) is not None
    with pg_server.connect("safety_half_applied") as conn:
        columns = conn.execute("SELECT column_name FROM information_schema.columns "
                               "WHERE table_name = 'goals'").fetchall()
        versions = conn.execute("SELECT version FROM schema_migrations").fetchall()
    assert ("rank",) in columns and versions == []
    found = _lockstep(tmp_path, sql.replace("nosuchtype", "INT"))
    assert found == set()  # not a rule that says "fails"; transaction-in-migration warns
