"""Differential test of the sim_ mirror generator against a real PostgreSQL.

For each change: the Supabase stubs, a base schema with mirrored tables, then the change with
its generated mirror (`sql_with_mirror`) run by psql on a fresh database. The catalog must then
show every `sim_X` matching its prod `X` under the mirror rules: same columns (name, type,
nullability, default present, primary key); the prod foreign keys minus those to `auth.*`,
retargeted to `sim_` tables; the prod indexes under their `sim_` names; no RLS, no policies.

Run: python -m pytest tests/pg/test_mirror_vs_postgres.py -q (skips without PostgreSQL).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lockstep.codeactions.mirror.generate import sql_with_mirror
from lockstep.core.replay.engine import replay
from lockstep.core.sql.parse import parse_migration_sql

from .catalog import read_catalog
from .conftest import STUBS
from .server import PgServer

pytestmark = pytest.mark.postgres

BASE = """
CREATE TABLE sessions (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE
);
CREATE TABLE wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  session_id UUID REFERENCES sessions(id) ON DELETE SET NULL,
  text TEXT NOT NULL
);
CREATE INDEX idx_wins_user_id ON wins(user_id);
ALTER TABLE wins ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can read own rows" ON wins FOR SELECT USING (auth.uid() = user_id);
CREATE TABLE sim_sessions (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL
);
CREATE TABLE sim_wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL,
  session_id UUID REFERENCES sim_sessions(id) ON DELETE SET NULL,
  text TEXT NOT NULL
);
CREATE INDEX idx_sim_wins_user_id ON sim_wins(user_id);
CREATE TABLE profiles (id UUID PRIMARY KEY);
"""

CHANGES = {
    "add-column": "ALTER TABLE wins ADD COLUMN mood TEXT DEFAULT 'ok' NOT NULL;",
    "add-columns-with-fks": (
        "ALTER TABLE wins ADD COLUMN coach_id UUID REFERENCES auth.users(id) ON DELETE SET NULL,"
        " ADD COLUMN origin_id UUID REFERENCES sessions(id) ON DELETE CASCADE,"
        " ADD COLUMN score NUMERIC(5,2) CHECK (score >= 0);"
    ),
    "add-constraint": (
        "ALTER TABLE wins ADD COLUMN s2 UUID;\n"
        "ALTER TABLE wins ADD CONSTRAINT wins_s2_fk FOREIGN KEY (s2) REFERENCES sessions(id);\n"
        "ALTER TABLE wins ADD CONSTRAINT wins_text_unique UNIQUE (text);"
    ),
    "alter-columns": (
        "ALTER TABLE wins ALTER COLUMN text TYPE VARCHAR(200);\n"
        "ALTER TABLE wins ALTER COLUMN text SET DEFAULT '';\n"
        "ALTER TABLE wins ALTER COLUMN session_id SET NOT NULL;\n"
        "ALTER TABLE wins ALTER COLUMN created_at DROP NOT NULL;"
    ),
    "drop-and-rename-column": (
        "ALTER TABLE wins RENAME COLUMN text TO body;\nALTER TABLE wins DROP COLUMN created_at;"
    ),
    "indexes": (
        "CREATE INDEX idx_wins_session_id ON wins(session_id);\n"
        "CREATE UNIQUE INDEX wins_user_text ON wins (user_id, text);\n"
        "DROP INDEX idx_wins_user_id;"
    ),
    "rename-table": "ALTER TABLE wins RENAME TO victories;\n"
    "ALTER TABLE victories ADD COLUMN note TEXT;",
    "new-table": """CREATE TABLE win_reactions (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  win_id UUID NOT NULL REFERENCES wins(id) ON DELETE CASCADE,
  profile_id UUID REFERENCES profiles(id),
  emoji TEXT NOT NULL DEFAULT '+1',
  CONSTRAINT win_reactions_one UNIQUE (user_id, win_id),
  FOREIGN KEY (user_id) REFERENCES auth.users(id)
);
CREATE INDEX idx_win_reactions_win_id ON win_reactions(win_id);
ALTER TABLE win_reactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can read own rows" ON win_reactions
  FOR SELECT USING (auth.uid() = user_id);
GRANT SELECT ON win_reactions TO authenticated;
COMMENT ON TABLE win_reactions IS 'reactions';""",
    "drop-table": "DROP TABLE wins;",
    "mixed-alter": "ALTER TABLE wins ADD COLUMN a INT, FORCE ROW LEVEL SECURITY, ADD COLUMN b INT;",
}


def _apply(server: PgServer, db: str, tmp: Path, sql: str) -> None:
    path = tmp / f"{db}.sql"
    path.write_text(sql)
    proc = server.psql_file(db, path)
    assert proc.returncode == 0, f"{proc.stderr}\n--- SQL ---\n{sql}"


def _by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


def _expected_fks(prod: dict[str, Any], sims: set[str]) -> list[tuple[Any, ...]]:
    out = []
    for fk in prod["foreign_keys"]:
        ref = fk["references"]
        if ref["schema"] == "auth":
            continue
        table = "sim_" + ref["table"] if "sim_" + ref["table"] in sims else ref["table"]
        out.append((tuple(fk["columns"]), table, tuple(ref["columns"]), fk["on_delete"]))
    return sorted(out)


def _fks(table: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            tuple(fk["columns"]),
            fk["references"]["table"],
            tuple(fk["references"]["columns"]),
            fk["on_delete"],
        )
        for fk in table["foreign_keys"]
    )


def mirror_problems(tables: list[dict[str, Any]]) -> list[str]:
    """Where a sim_ table departs from its prod table under the mirror rules."""
    by_name = {t["name"]: t for t in tables if t["schema"] == "public"}
    sims = {name for name in by_name if name.startswith("sim_")}
    problems = []
    for name, prod in by_name.items():
        sim = by_name.get("sim_" + name)
        if name.startswith("sim_") or sim is None:
            continue
        where = f"{name} vs sim_{name}"
        columns = {
            c["name"]: (c["type"], c["nullable"], c["default"] is not None, c["primary_key"])
            for c in prod["columns"]
        }
        sim_columns = {
            c["name"]: (c["type"], c["nullable"], c["default"] is not None, c["primary_key"])
            for c in sim["columns"]
        }
        if columns != sim_columns:
            problems.append(f"{where}: columns {columns} != {sim_columns}")
        if _expected_fks(prod, sims) != _fks(sim):
            problems.append(f"{where}: foreign keys {_expected_fks(prod, sims)} != {_fks(sim)}")
        # The sim_ index is the prod index's name with `sim_` added (`idx_sim_wins_user_id`);
        # after a table rename names keep the old table's name, so compare with it removed.
        indexes = {i["name"]: (tuple(i["columns"]), i["unique"]) for i in prod["indexes"]}
        sim_indexes = {
            i["name"].replace("sim_", "", 1): (tuple(i["columns"]), i["unique"])
            for i in sim["indexes"]
            if "sim_" in i["name"]
        }
        if len(sim_indexes) != len(sim["indexes"]):
            problems.append(f"{where}: a sim_ index without `sim_` in its name")
        if indexes != sim_indexes:
            problems.append(f"{where}: indexes {indexes} != {sim_indexes}")
        if sim["rls_enabled"] or sim["policies"]:
            problems.append(f"{where}: sim_ table has RLS or policies")
    return problems


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_mirror_replays_cleanly_and_matches(
    pg_server: PgServer, tmp_path: Path, change: str
) -> None:
    schema = replay([("001_base.sql", parse_migration_sql(BASE))]).schema
    migration = sql_with_mirror(CHANGES[change], schema)
    db = "mirror_" + re.sub(r"[^a-z0-9_]", "_", change)
    pg_server.create_database(db)
    stub = pg_server.psql_file(db, STUBS)
    assert stub.returncode == 0, stub.stderr
    _apply(pg_server, db, tmp_path, BASE)
    _apply(pg_server, db, tmp_path, migration)
    with pg_server.connect(db) as conn:
        snapshot = read_catalog(conn, {"public"})
    tables = snapshot.schema["tables"]
    assert not mirror_problems(tables), "\n".join([migration, *mirror_problems(tables)])
    names = {t["name"] for t in tables}
    if change == "new-table":
        assert "sim_win_reactions" in names
    if change == "drop-table":
        assert "wins" not in names and "sim_wins" not in names
    if change == "rename-table":
        assert {"victories", "sim_victories"} <= names


def test_base_schema_is_a_faithful_mirror(pg_server: PgServer, tmp_path: Path) -> None:
    pg_server.create_database("mirror_base")
    assert pg_server.psql_file("mirror_base", STUBS).returncode == 0
    _apply(pg_server, "mirror_base", tmp_path, BASE)
    with pg_server.connect("mirror_base") as conn:
        tables = read_catalog(conn, {"public"}).schema["tables"]
    assert mirror_problems(tables) == []
    # The check itself notices drift: a prod-only column is reported.
    _apply(pg_server, "mirror_base", tmp_path, "ALTER TABLE wins ADD COLUMN drift INT;")
    with pg_server.connect("mirror_base") as conn:
        tables = read_catalog(conn, {"public"}).schema["tables"]
    assert any("columns" in p for p in mirror_problems(tables))
