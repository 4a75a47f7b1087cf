"""Read a live PostgreSQL catalog into the `lockstep-lsp schema --format json` shape.

This is the oracle of the differential tests: whatever the server says after running the
migrations is the truth the replay must reproduce. The output follows DESIGN.md
("schema --format json") key for key, with these conventions:

- `defined_in` is always None (the catalog cannot know which file created a table).
- `type` is `format_type(atttypid, atttypmod)` under the default search_path, so a public
  enum prints as its bare name and an enum in another schema as `schema.name`.
- `default` is the plain DEFAULT expression (`pg_get_expr`), None for identity and
  generated columns (they have no DEFAULT); the tests compare only present/absent.
- `on_delete` is what PostgreSQL stored; "not said" is stored as NO ACTION, so the
  comparison treats `null` and `NO ACTION` as equal.
- `indexes` lists every index on the table, including those backing PRIMARY KEY / UNIQUE /
  EXCLUDE constraints; their names are returned separately in `constraint_indexes` so the
  comparison can apply its rule (see test_replay_vs_postgres.py). Plain index columns are
  column names; expression columns are `pg_get_indexdef(index, n, true)`, e.g. `lower(email)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import psycopg

SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})

ON_ACTION = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
POLICY_COMMAND = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}

Conn: TypeAlias = "psycopg.Connection[tuple[Any, ...]]"


@dataclass
class CatalogSnapshot:
    schema: dict[str, Any]  # exactly the `schema --format json` shape
    # (schema, table, index) of indexes that back a PRIMARY KEY / UNIQUE / EXCLUDE constraint
    constraint_indexes: set[tuple[str, str, str]] = field(default_factory=set)


def list_schemas(conn: Conn) -> set[str]:
    """Every non-system schema in the database."""
    rows = conn.execute("SELECT nspname::text FROM pg_namespace").fetchall()
    return {
        r[0]
        for r in rows
        if r[0] not in SYSTEM_SCHEMAS and not r[0].startswith(("pg_temp_", "pg_toast_temp_"))
    }


def read_catalog(conn: Conn, schemas: set[str]) -> CatalogSnapshot:
    """Tables, enums and views of `schemas`, in the JSON shape, sorted by (schema, name)."""
    names = sorted(schemas)
    snap = CatalogSnapshot(schema={"tables": [], "enums": [], "views": []})
    tables = conn.execute(
        """
        SELECT c.oid, n.nspname::text, c.relname::text, c.relrowsecurity
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)
        ORDER BY 2, 3
        """,
        (names,),
    ).fetchall()
    for oid, nsp, rel, rls in tables:
        indexes, backing = _indexes(conn, oid)
        snap.constraint_indexes |= {(nsp, rel, name) for name in backing}
        snap.schema["tables"].append(
            {
                "schema": nsp,
                "name": rel,
                "rls_enabled": bool(rls),
                "defined_in": None,
                "columns": _columns(conn, oid),
                "foreign_keys": _foreign_keys(conn, oid),
                "indexes": indexes,
                "policies": _policies(conn, oid),
            }
        )
    snap.schema["enums"] = [
        {"schema": nsp, "name": typ, "values": list(values or [])}
        for nsp, typ, values in conn.execute(
            """
            SELECT n.nspname::text, t.typname::text,
                   (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
                    FROM pg_enum e WHERE e.enumtypid = t.oid)
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype = 'e' AND n.nspname = ANY(%s)
            ORDER BY 1, 2
            """,
            (names,),
        ).fetchall()
    ]
    snap.schema["views"] = [
        {"schema": nsp, "name": rel}
        for nsp, rel in conn.execute(
            """
            SELECT n.nspname::text, c.relname::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(%s)
            ORDER BY 1, 2
            """,
            (names,),
        ).fetchall()
    ]
    return snap


def _columns(conn: Conn, oid: int) -> list[dict[str, Any]]:
    pk_row = conn.execute(
        "SELECT conkey::int2[] FROM pg_constraint WHERE conrelid = %s AND contype = 'p'", (oid,)
    ).fetchone()
    pk_attnums = set(pk_row[0]) if pk_row else set()
    rows = conn.execute(
        """
        SELECT a.attnum, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END
        FROM pg_attribute a
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """,
        (oid,),
    ).fetchall()
    return [
        {
            "name": name,
            "type": typ,
            "nullable": not notnull,
            "default": default,
            "primary_key": attnum in pk_attnums,
        }
        for attnum, name, typ, notnull, default in rows
    ]


_ATTNAMES = """(SELECT array_agg(a.attname::text ORDER BY k.ord)
                FROM unnest({keys}) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum)"""


def _foreign_keys(conn: Conn, oid: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"""
        SELECT {_ATTNAMES.format(keys="con.conkey", rel="con.conrelid")},
               rn.nspname::text, rc.relname::text,
               {_ATTNAMES.format(keys="con.confkey", rel="con.confrelid")},
               con.confdeltype::text
        FROM pg_constraint con
        JOIN pg_class rc ON rc.oid = con.confrelid
        JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE con.conrelid = %s AND con.contype = 'f'
        ORDER BY con.conname
        """,
        (oid,),
    ).fetchall()
    return [
        {
            "columns": list(cols),
            "references": {"schema": rnsp, "table": rrel, "columns": list(rcols)},
            "on_delete": ON_ACTION[deltype],
        }
        for cols, rnsp, rrel, rcols, deltype in rows
    ]


def _indexes(conn: Conn, oid: int) -> tuple[list[dict[str, Any]], set[str]]:
    rows = conn.execute(
        """
        SELECT i.indexrelid, ic.relname::text, i.indisunique, i.indnkeyatts, i.indkey::int2[],
               EXISTS (SELECT 1 FROM pg_constraint con
                       WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                         AND con.contype IN ('p', 'u', 'x'))
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = %s
        ORDER BY 2
        """,
        (oid,),
    ).fetchall()
    attnames: dict[int, str] = dict(
        conn.execute(
            "SELECT attnum, attname::text FROM pg_attribute WHERE attrelid = %s AND attnum > 0",
            (oid,),
        ).fetchall()
    )
    out: list[dict[str, Any]] = []
    backing: set[str] = set()
    for indexrelid, name, unique, nkey, indkey, is_constraint in rows:
        columns: list[str] = []
        for pos in range(nkey):
            attnum = indkey[pos]
            if attnum != 0:
                columns.append(attnames[attnum])
            else:
                expr = conn.execute(
                    "SELECT pg_get_indexdef(%s, %s, true)", (indexrelid, pos + 1)
                ).fetchone()
                columns.append(expr[0] if expr else "?")
        out.append({"name": name, "columns": columns, "unique": bool(unique)})
        if is_constraint:
            backing.add(name)
    return out, backing


def _policies(conn: Conn, oid: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT polname::text, polcmd::text FROM pg_policy WHERE polrelid = %s ORDER BY 1",
        (oid,),
    ).fetchall()
    return [{"name": name, "command": POLICY_COMMAND[cmd]} for name, cmd in rows]


def read_detailed(conn: Conn, schemas: set[str]) -> dict[str, Any]:
    """Everything the fuzzer compares, finer than the JSON shape: constraint names and kinds,
    FK names and both actions, index expressions and predicates as `pg_get_indexdef` /
    `pg_get_expr` print them, default text, view kinds and the schemas themselves."""
    names = sorted(schemas)
    out: dict[str, Any] = {"schemas": names, "tables": {}, "enums": {}, "views": []}
    tables: dict[int, dict[str, Any]] = {}
    for oid, nsp, rel, rls in conn.execute(
        """SELECT c.oid, n.nspname::text, c.relname::text, c.relrowsecurity
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)""",
        (names,),
    ).fetchall():
        entry: dict[str, Any] = {"rls": bool(rls), "columns": [], "constraints": [],
                                 "foreign_keys": [], "indexes": [], "policies": []}
        tables[oid] = entry
        out["tables"][f"{nsp}.{rel}"] = entry
    oids = list(tables)
    for oid, name, typ, notnull, default in conn.execute(
        """SELECT a.attrelid, a.attname::text, format_type(a.atttypid, a.atttypmod),
                  a.attnotnull,
                  CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END
           FROM pg_attribute a
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY a.attrelid, a.attnum""",
        (oids,),
    ).fetchall():
        tables[oid]["columns"].append([name, typ, not notnull, default])
    kinds = {"p": "primary", "u": "unique", "f": "foreign", "c": "check", "x": "exclusion"}
    for oid, name, kind, cols, rnsp, rrel, rcols, deltype, updtype in conn.execute(
        f"""SELECT con.conrelid, con.conname::text, con.contype::text,
                   {_ATTNAMES.format(keys="con.conkey", rel="con.conrelid")},
                   rn.nspname::text, rc.relname::text,
                   {_ATTNAMES.format(keys="con.confkey", rel="con.confrelid")},
                   con.confdeltype::text, con.confupdtype::text
            FROM pg_constraint con
            LEFT JOIN pg_class rc ON rc.oid = con.confrelid
            LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE con.conrelid = ANY(%s) AND con.contype <> 't'""",
        (oids,),
    ).fetchall():
        tables[oid]["constraints"].append([name, kinds.get(kind, kind)])
        if kind == "f":
            tables[oid]["foreign_keys"].append(
                [name, list(cols or []), rnsp, rrel, list(rcols or []), ON_ACTION[deltype],
                 ON_ACTION[updtype]]
            )
    for oid, indexrelid, name, unique, nkey, indkey, predicate in conn.execute(
        """SELECT i.indrelid, i.indexrelid, ic.relname::text, i.indisunique, i.indnkeyatts,
                  i.indkey::int2[], pg_get_expr(i.indpred, i.indrelid, true)
           FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
           WHERE i.indrelid = ANY(%s)""",
        (oids,),
    ).fetchall():
        columns: list[str] = []
        for pos in range(nkey):
            row = conn.execute(
                """SELECT CASE WHEN %s = 0 THEN pg_get_indexdef(%s, %s, true)
                          ELSE (SELECT attname::text FROM pg_attribute
                                WHERE attrelid = %s AND attnum = %s) END""",
                (indkey[pos], indexrelid, pos + 1, oid, indkey[pos]),
            ).fetchone()
            columns.append(row[0] if row else "?")
        tables[oid]["indexes"].append([name, columns, bool(unique), predicate])
    for oid, name, cmd in conn.execute(
        "SELECT polrelid, polname::text, polcmd::text FROM pg_policy WHERE polrelid = ANY(%s)",
        (oids,),
    ).fetchall():
        tables[oid]["policies"].append([name, POLICY_COMMAND[cmd]])
    for entry in tables.values():
        for key in ("constraints", "foreign_keys", "indexes", "policies"):
            entry[key].sort(key=repr)
    for nsp, typ, values in conn.execute(
        """SELECT n.nspname::text, t.typname::text,
                  (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
                   FROM pg_enum e WHERE e.enumtypid = t.oid)
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE t.typtype = 'e' AND n.nspname = ANY(%s)""",
        (names,),
    ).fetchall():
        out["enums"][f"{nsp}.{typ}"] = list(values or [])
    out["views"] = sorted(
        [nsp, rel, kind == "m"]
        for nsp, rel, kind in conn.execute(
            """SELECT n.nspname::text, c.relname::text, c.relkind::text
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(%s)""",
            (names,),
        ).fetchall()
    )
    return out
