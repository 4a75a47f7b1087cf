"""PostgreSQL's dependency model and text forms in the replay, without a server.

The differential fuzzer (test_fuzz_replay.py) checks these against PostgreSQL; these tests pin
the behaviour down where it is cheap to read, including what the fuzzer cannot reach: the
`dependent-objects` diagnostic for a DROP PostgreSQL refuses, and extension types.
"""

from __future__ import annotations

import pytest

from lockstep.core.model import Schema
from lockstep.core.sql import ir
from lockstep.core.sql.parse import parse_migration_sql
from lockstep.core.sql.types import format_type

from .fuzz.harness import replay_program


def run(sql: str) -> tuple[Schema, list[str]]:
    statements = [s.text(sql) for s in parse_migration_sql(sql).statements]
    return replay_program(statements)


@pytest.mark.parametrize("sql", [
    "CREATE TABLE p (id int PRIMARY KEY, t text); CREATE VIEW v AS SELECT t FROM p;"
    "ALTER TABLE p DROP COLUMN t",
    "CREATE TABLE p (id int PRIMARY KEY, t text); CREATE POLICY x ON p USING (t IS NULL);"
    "ALTER TABLE p DROP COLUMN t RESTRICT",
    "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE k (p int REFERENCES p);"
    "ALTER TABLE p DROP CONSTRAINT p_pkey",
    "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE k (p int REFERENCES p); DROP TABLE p",
    "CREATE TABLE p (id int); CREATE UNIQUE INDEX u ON p (id); CREATE TABLE k (p int "
    "REFERENCES p (id)); DROP INDEX u",
    "CREATE TABLE p (id int PRIMARY KEY); DROP INDEX p_pkey CASCADE",
    "CREATE TYPE mood AS ENUM ('a'); CREATE TABLE p (m mood); DROP TYPE mood",
    "CREATE SCHEMA app; CREATE TABLE app.t (id int); DROP SCHEMA app",
    "CREATE TABLE p (id int); CREATE VIEW v AS SELECT * FROM p; CREATE VIEW w AS SELECT * "
    "FROM v; DROP VIEW v",
    "CREATE TABLE p (id serial); CREATE TABLE k (LIKE p INCLUDING DEFAULTS);"
    "ALTER TABLE p DROP COLUMN id",
    "CREATE TYPE mood AS ENUM ('a'); CREATE TABLE p (m mood DEFAULT 'a');"
    "ALTER TABLE p ALTER COLUMN m TYPE text; DROP TYPE mood",
    "CREATE SCHEMA app; CREATE TABLE app.p (id serial, n int); CREATE TABLE k (LIKE app.p "
    "INCLUDING ALL); ALTER TABLE app.p SET SCHEMA public; DROP TABLE p",
])
def test_restrict_is_refused_with_a_diagnostic_and_changes_nothing(sql: str) -> None:
    before, _ = run(sql.rsplit(";", 1)[0])
    after, issues = run(sql)
    assert [i.split(":")[0] for i in issues] == ["dependent-objects"]
    assert "PostgreSQL refuses without CASCADE" in issues[0]
    assert after.tables.keys() == before.tables.keys()
    assert after.views.keys() == before.views.keys()
    assert after.enums.keys() == before.enums.keys()
    assert after.schemas == before.schemas
    for key, table in after.tables.items():
        assert list(table.columns) == list(before.tables[key].columns)
        assert len(table.foreign_keys) == len(before.tables[key].foreign_keys)
        assert len(table.indexes) == len(before.tables[key].indexes)


def test_cascade_takes_the_dependents() -> None:
    schema, issues = run("""
        CREATE TABLE posts (id int PRIMARY KEY, title text, owner text UNIQUE);
        CREATE POLICY edit ON posts USING (owner IS NOT NULL);
        CREATE POLICY read ON posts USING (true);
        CREATE VIEW titles AS SELECT id, title FROM posts;
        CREATE VIEW everything AS SELECT * FROM posts;
        CREATE VIEW on_view AS SELECT * FROM titles;
        CREATE TABLE notes (owner text REFERENCES posts (owner), post int REFERENCES posts);
        ALTER TABLE posts DROP COLUMN owner CASCADE;
    """)
    assert issues == []
    posts, notes = schema.tables[("public", "posts")], schema.tables[("public", "notes")]
    assert [p.name for p in posts.policies] == ["read"]
    assert set(schema.views) == {("public", "titles"), ("public", "on_view")}
    assert [fk.columns for fk in notes.foreign_keys] == [["post"]]
    assert [c.name for c in notes.constraints] == ["notes_post_fkey"]
    assert [i.name for i in posts.indexes] == ["posts_pkey"]


def test_drop_schema_cascade_reaches_other_schemas() -> None:
    schema, issues = run("""
        CREATE SCHEMA app;
        CREATE TYPE app.kind AS ENUM ('x');
        CREATE TABLE app.items (id uuid PRIMARY KEY);
        CREATE TABLE orders (id int, item uuid REFERENCES app.items, k app.kind, n int);
        DROP SCHEMA app CASCADE;
    """)
    assert issues == []
    assert schema.schemas == {"public"} and not schema.enums
    orders = schema.tables[("public", "orders")]
    assert list(orders.columns) == ["id", "item", "n"] and orders.foreign_keys == []


def test_composite_key_goes_with_any_of_its_columns() -> None:
    schema, _ = run("""
        CREATE TABLE a (x text, "check" varchar NOT NULL, PRIMARY KEY (x, "check"));
        ALTER TABLE a DROP "check";
    """)
    table = schema.tables[("public", "a")]
    assert table.primary_key == [] and table.indexes == [] and table.constraints == []
    assert table.columns["x"].primary_key is False


def test_copied_serial_defaults_follow_the_owning_column() -> None:
    schema, issues = run("""
        CREATE SCHEMA app;
        CREATE SCHEMA other;
        CREATE TABLE t (id serial, n int);
        CREATE TABLE app.u (LIKE t INCLUDING DEFAULTS);
        CREATE TABLE app.t (id serial);
        ALTER TABLE t SET SCHEMA other;
        ALTER TABLE app.u SET SCHEMA public;
    """)
    assert issues == []
    defaults = {k: t.columns["id"].default for k, t in schema.tables.items()}
    assert defaults == {("app", "t"): "nextval('app.t_id_seq'::regclass)",
                        ("other", "t"): "nextval('other.t_id_seq'::regclass)",
                        ("public", "u"): "nextval('other.t_id_seq'::regclass)"}
    schema, issues = run("""
        CREATE TABLE t (id serial, n int);
        CREATE TABLE u (LIKE t INCLUDING DEFAULTS, m int DEFAULT 1);
        ALTER TABLE t DROP COLUMN id CASCADE;
    """)
    assert issues == []
    assert [c.default for c in schema.tables[("public", "u")].columns.values()] == [None, None, "1"]


def test_a_copied_index_is_named_from_the_names_it_was_made_with() -> None:
    schema, _ = run("""
        CREATE TABLE a (x int UNIQUE, y text);
        CREATE INDEX ON a (x, lower(y));
        ALTER TABLE a RENAME COLUMN x TO z;
        CREATE TABLE b (LIKE a INCLUDING INDEXES);
    """)
    assert sorted(i.name for i in schema.tables[("public", "b")].indexes) == [
        "b_x_key", "b_x_lower_idx"]


def test_renames_reach_columns_indexes_and_defaults() -> None:
    schema, issues = run("""
        CREATE TYPE "Status" AS ENUM ('a');
        CREATE TABLE t (s "Status" DEFAULT 'a', title varchar(20));
        CREATE INDEX i ON t (lower(title)) WHERE title <> '';
        ALTER TABLE t RENAME COLUMN title TO "Title";
        ALTER TYPE "Status" RENAME TO mood;
        CREATE SCHEMA app;
        ALTER TYPE mood SET SCHEMA app;
    """)
    assert issues == []
    table = schema.tables[("public", "t")]
    assert (table.columns["s"].type, table.columns["s"].default) == ("app.mood", "'a'::app.mood")
    assert table.indexes[0].columns == ['lower("Title"::text)']
    assert table.indexes[0].where == "\"Title\"::text <> ''::text"


@pytest.mark.parametrize(("typ", "default", "stored"), [
    ("varchar(20)", "NULL", "NULL::character varying"),
    ("text", "NULL", None),
    ("numeric(10,2)", "NULL", "NULL::numeric"),
    ("integer", "-1", "'-1'::integer"),
    ("bigint", "'7'", "'7'::bigint"),
    ("boolean", "TRUE", "true"),
    ("text", "lower('A')", "lower('A'::text)"),
    ("jsonb", "'{}'", "'{}'::jsonb"),
    ("numeric", "1e3", "'1000'::numeric"),
    ("integer", "1 + 2 * 3", "(1 + (2 * 3))"),
])
def test_defaults_as_pg_get_expr_prints_them(typ: str, default: str, stored: str | None) -> None:
    schema, _ = run(f"CREATE TABLE t (c {typ} DEFAULT {default})")
    assert schema.tables[("public", "t")].columns["c"].default == stored


def test_extension_types_keep_their_modifier() -> None:
    def typ(sql: str) -> str:
        statement = parse_migration_sql(f"CREATE TABLE t (c {sql})").statements[0]
        assert isinstance(statement.ir, ir.CreateTable)
        column_type = statement.ir.columns[0].type
        assert column_type is not None
        return format_type(column_type)

    assert typ("vector(384)") == "vector(384)"
    assert typ("extensions.vector(3)") == "extensions.vector(3)"
    assert typ('"Mood"') == '"Mood"' and typ("json") == "json" and typ('"check"') == '"check"'


def test_generated_columns_and_altered_policies_are_dependents() -> None:
    base = """
        CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a + 1) STORED, c int);
        CREATE POLICY p ON t USING (true);
        ALTER POLICY p ON t USING (c > 0);
    """
    _, issues = run(base + "ALTER TABLE t DROP COLUMN a;")
    assert [i.split(":")[0] for i in issues] == ["dependent-objects"]
    _, issues = run(base + "ALTER TABLE t DROP COLUMN c;")
    assert [i.split(":")[0] for i in issues] == ["dependent-objects"]
    schema, issues = run(base + "ALTER TABLE t DROP COLUMN a CASCADE;")
    assert issues == [] and list(schema.tables[("public", "t")].columns) == ["c"]


def test_a_view_depends_on_the_columns_it_reads_not_on_namesakes() -> None:
    base = """
        CREATE TABLE a (id int PRIMARY KEY, note text);
        CREATE TABLE b (id int PRIMARY KEY, a_id int, note text, extra int);
        CREATE VIEW v AS SELECT x.id, a_id FROM a x JOIN b ON b.id = x.id WHERE b.note <> '';
    """
    for column, refused in [("a DROP COLUMN note", False), ("b DROP COLUMN extra", False),
                            ("a DROP COLUMN id", True), ("b DROP COLUMN id", True),
                            ("b DROP COLUMN a_id", True), ("b DROP COLUMN note", True)]:
        _, issues = run(base + f"ALTER TABLE {column};")
        assert bool(issues) == refused, column
