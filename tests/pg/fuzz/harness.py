"""Apply a random program to PostgreSQL, replay it with Lockstep, compare, shrink.

One database serves a whole batch: between programs every schema the program made is dropped
and `public` is recreated, which is much faster than a database per program. The replay runs
in-process (no CLI subprocess), and both sides are read into the same detailed shape
(`catalog.read_detailed` for PostgreSQL, `model_detailed` for the replay).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lockstep.core.model import Schema
from lockstep.core.replay.engine import replay
from lockstep.core.sql.parse import parse_migration_sql

from ..catalog import list_schemas, read_detailed
from ..server import PgServer

MIGRATION = "supabase/migrations/001_fuzz.sql"
DEPENDENTS_EXIST = "2BP01"  # PostgreSQL refuses a DROP … RESTRICT with dependents


def model_detailed(schema: Schema) -> dict[str, Any]:
    """The replayed model in `catalog.read_detailed`'s shape."""
    out: dict[str, Any] = {"schemas": sorted(schema.schemas), "tables": {}, "enums": {},
                           "views": []}
    for (nsp, rel), table in schema.tables.items():
        out["tables"][f"{nsp}.{rel}"] = {
            "rls": table.rls_enabled,
            "columns": [[c.name, c.type, c.nullable, c.default] for c in table.columns.values()],
            "constraints": sorted(([c.name, c.kind] for c in table.constraints), key=repr),
            "foreign_keys": sorted(
                ([fk.name, fk.columns, fk.ref_schema, fk.ref_table, fk.ref_columns,
                  fk.on_delete or "NO ACTION", fk.on_update or "NO ACTION"]
                 for fk in table.foreign_keys), key=repr),
            "indexes": sorted(([i.name, i.columns, i.unique, i.where] for i in table.indexes),
                              key=repr),
            "policies": sorted(([p.name, p.command] for p in table.policies), key=repr),
        }
    out["enums"] = {f"{e.schema}.{e.name}": list(e.values) for e in schema.enums.values()}
    out["views"] = sorted([v.schema, v.name, v.materialized] for v in schema.views.values())
    return out


def differences(replayed: dict[str, Any], postgres: dict[str, Any]) -> list[str]:
    """One line per difference, naming the object."""
    out: list[str] = []
    if replayed["schemas"] != postgres["schemas"]:
        out.append(f"schemas: replay {replayed['schemas']} != postgres {postgres['schemas']}")
    r_tables, p_tables = replayed["tables"], postgres["tables"]
    out += [f"{k}: table missing from replay" for k in sorted(p_tables.keys() - r_tables.keys())]
    out += [f"{k}: table only in replay" for k in sorted(r_tables.keys() - p_tables.keys())]
    for key in sorted(p_tables.keys() & r_tables.keys()):
        r, p = r_tables[key], p_tables[key]
        for part in ("rls", "columns", "constraints", "foreign_keys", "indexes", "policies"):
            if r[part] != p[part]:
                out.append(f"{key}: {part}: replay {r[part]} != postgres {p[part]}")
    for part in ("enums", "views"):
        if replayed[part] != postgres[part]:
            out.append(f"{part}: replay {replayed[part]} != postgres {postgres[part]}")
    return out


def replay_program(statements: list[str]) -> tuple[Schema, list[str]]:
    parsed = parse_migration_sql(";\n".join(statements) + ";\n")
    result = replay([(MIGRATION, parsed)])
    issues = [f"{i.code}: {i.message} (line {i.location.range.start.line + 1})"
              for i in result.issues]
    return result.schema, issues


@dataclass
class Outcome:
    kept: list[str]
    problems: list[str]
    refused: list[tuple[int, str]] = field(default_factory=list)  # RESTRICT refusals: (at, sql)


class Harness:
    """A database for a batch of programs."""

    def __init__(self, server: PgServer, database: str = "fuzz") -> None:
        server.create_database(database)
        self.conn = server.connect(database)
        self.conn.execute("SET client_min_messages = error")
        self.baseline = list_schemas(self.conn) - {"public"}

    def close(self) -> None:
        self.conn.close()

    def reset(self) -> None:
        for schema in sorted(list_schemas(self.conn) - self.baseline):
            self.conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        self.conn.execute("CREATE SCHEMA public")

    def apply(self, program: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
        """The statements PostgreSQL accepts, in order, and the DROPs it refused for
        dependents (with how many kept statements preceded them)."""
        import psycopg

        kept: list[str] = []
        refused: list[tuple[int, str]] = []
        # One transaction, a savepoint per statement: as a migration file runs under
        # `supabase db push`, and several times faster than a commit per statement.
        with self.conn.transaction():
            self.reset()
            for statement in program:
                try:
                    with self.conn.transaction():
                        self.conn.execute(statement)  # type: ignore[arg-type]
                except psycopg.Error as error:
                    if error.sqlstate == DEPENDENTS_EXIST:
                        refused.append((len(kept), statement))
                    continue
                kept.append(statement)
        return kept, refused

    def run(self, program: list[str]) -> Outcome:
        kept, refused = self.apply(program)
        postgres = read_detailed(self.conn, list_schemas(self.conn) - self.baseline)
        return Outcome(kept, self._problems(kept, postgres), refused)

    def _problems(self, kept: list[str], postgres: dict[str, Any]) -> list[str]:
        try:
            schema, issues = replay_program(kept)
        except Exception as error:  # noqa: BLE001 - a crash is a finding, reported as such
            return [f"replay crashed: {type(error).__name__}: {error}"]
        problems = [f"replay issue on a valid program: {i}" for i in issues]
        return problems + differences(model_detailed(schema), postgres)

    def refusal_problems(self, outcome: Outcome) -> list[str]:
        """A DROP PostgreSQL refuses for dependents must get a replay diagnostic."""
        out: list[str] = []
        for at, statement in outcome.refused[:2]:
            _, issues = replay_program([*outcome.kept[:at], statement])
            if not any(i.startswith("dependent-objects") for i in issues):
                out.append(f"no diagnostic for a DROP PostgreSQL refuses: {statement}")
        return out

    def shrink(self, program: list[str], keeps: Callable[[Outcome], bool]) -> list[str]:
        """Delete statements (halves, then quarters, … then single ones) while `keeps` says
        the disagreement persists. Statements PostgreSQL rejects may stay (a refused DROP is
        the point of some findings); `annotate` marks them."""
        current = list(program)
        chunk = max(1, len(current) // 2)
        while True:
            changed = False
            start = 0
            while start < len(current):
                candidate = current[:start] + current[start + chunk:]
                if candidate and keeps(self.run(candidate)):
                    current = candidate
                    changed = True
                else:
                    start += chunk
            if chunk == 1 and not changed:
                return current
            chunk = max(1, chunk // 2)

    def annotate(self, program: list[str]) -> list[str]:
        """The program as SQL lines, the statements PostgreSQL rejects commented out."""
        kept = iter(self.run(program).kept)
        upcoming = next(kept, None)
        out: list[str] = []
        for statement in program:
            if statement == upcoming:
                out.append(statement + ";")
                upcoming = next(kept, None)
            else:
                out.append(f"-- rejected by PostgreSQL: {statement};")
        return out
