"""Generate synthetic Toney-shaped monorepos for the benchmark (not a test: pytest skips it).

    python bench/generate.py OUT [--size small|medium|large]

small: 60 migrations, 20 tables, 200 TS files. medium: 300 migrations (sim_ mirrors included),
80 tables, 1,300 TS files of which 400 call `.from(` (the shape of a real 300-migration repo).
large: 1,000 migrations, 200 tables, 10,000 TS files of which 500 (5%) call `.from(`. One row
type per table. Deterministic (seeded). `generate` also returns where the names are, so the
benchmark picks request positions without asking Lockstep.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

SIZES = {
    "small": {"tables": 20, "migrations": 60, "consumers": 80, "plain": 120},
    "medium": {"tables": 80, "migrations": 300, "consumers": 400, "plain": 900},
    "large": {"tables": 200, "migrations": 1000, "consumers": 500, "plain": 9500},
}
TYPES = [("text", "string"), ("integer", "number"), ("boolean", "boolean"),
         ("timestamptz", "string"), ("uuid", "string"), ("jsonb", "unknown")]  # fmt: skip
WORDS = ("wins", "notes", "goals", "habits", "moods", "steps", "tags", "prompts", "plans",
         "streaks", "checkins", "insights", "rewards", "focus", "entries", "signals")  # fmt: skip


FK = " REFERENCES auth.users(id) ON DELETE CASCADE"


@dataclass
class Spot:
    """A name at a position (0-based line, character) in a generated file."""

    path: str
    line: int
    character: int
    kind: str  # "table" (in .from()), "column" (in a select string), "sql" (CREATE TABLE name)


@dataclass
class Table:
    name: str
    mirrored: bool
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # name, sql, ts


def _pascal(name: str) -> str:
    parts = name.split("_")
    last = parts[-1][:-1] if parts[-1].endswith("s") else parts[-1]
    return "".join(p.capitalize() for p in [*parts[:-1], last])


def _create(table: Table, prefix: str = "") -> str:
    name = prefix + table.name
    lines = ["  id UUID DEFAULT gen_random_uuid() PRIMARY KEY",
             "  created_at TIMESTAMPTZ DEFAULT now() NOT NULL",
             "  user_id UUID NOT NULL" + ("" if prefix else FK)]  # fmt: skip
    lines += [f"  {c} {sql.upper()}" for c, sql, _ in table.columns]
    body = ",\n".join(lines)
    out = (
        f"CREATE TABLE {name} (\n{body}\n);\nCREATE INDEX idx_{name}_user_id ON {name}(user_id);\n"
    )
    if not prefix:
        out += (f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;\n"
                f'CREATE POLICY "Users can read own rows" ON {name}\n'
                "  FOR SELECT USING (auth.uid() = user_id);\n")  # fmt: skip
    return out


def generate(out: Path, size: str, seed: int = 7) -> tuple[Path, list[Spot]]:
    spec = SIZES[size]
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    migrations = out / "supabase" / "migrations"
    types = out / "packages" / "types" / "src"
    migrations.mkdir(parents=True)
    types.mkdir(parents=True)
    tables: list[Table] = []
    spots: list[Spot] = []
    number = 0

    def write(slug: str, sql: str) -> None:
        nonlocal number
        number += 1
        header = f"-- {slug.replace('_', ' ')}: generated for the benchmark.\n"
        name = f"{number:03d}_{slug}.sql"
        (migrations / name).write_text(header + sql)
        if sql.startswith("CREATE TABLE "):
            spots.append(Spot(f"supabase/migrations/{name}", 1, len("CREATE TABLE "), "sql"))

    for index in range(spec["tables"]):
        name = f"{WORDS[index % len(WORDS)]}_{index:03d}"
        table = Table(name, mirrored=index % 2 == 0)
        for c in range(rng.randint(3, 8)):
            sql, ts = rng.choice(TYPES)
            table.columns.append((f"field_{c}", sql, ts))
        tables.append(table)
        sql = _create(table) + (
            "\n-- Simulator mirror\n" + _create(table, "sim_") if table.mirrored else ""
        )
        write(f"create_{name}", sql)
    while number < spec["migrations"]:
        table = rng.choice(tables)
        kind = rng.random()
        if kind < 0.6:
            sql_type, ts = rng.choice(TYPES)
            column = f"extra_{len(table.columns)}"
            table.columns.append((column, sql_type, ts))
            sql = f"ALTER TABLE {table.name} ADD COLUMN {column} {sql_type.upper()};\n"
            if table.mirrored:
                sql += "-- Mirror for simulator:\n"
                sql += f"ALTER TABLE sim_{table.name} ADD COLUMN {column} {sql_type.upper()};\n"
            write(f"{table.name}_{column}", sql)
        elif kind < 0.8:
            column = rng.choice(table.columns)[0]
            write(
                f"index_{table.name}_{column}",
                f"CREATE INDEX idx_{table.name}_{column}_{number} ON {table.name}({column});\n",
            )
        else:
            write(f"comment_{table.name}", f"COMMENT ON TABLE {table.name} IS 'note {number}';\n")

    exports = []
    for table in tables:
        type_name = _pascal(table.name)
        fields = ["  id?: string;", "  created_at?: string;", "  user_id: string;"]
        fields += [f"  {c}: {ts} | null;" for c, _, ts in table.columns]
        body = "\n".join(fields)
        (types / f"{table.name}.ts").write_text(f"export type {type_name} = {{\n{body}\n}};\n")
        exports.append(f"export * from './{table.name}';")
    (types / "index.ts").write_text("\n".join(exports) + "\n")

    places = ["apps/web/src/app/api/{t}/{i}/route.ts", "apps/web/src/hooks/use{T}{i}.ts",
              "apps/admin/src/lib/queries/{t}_{i}.ts", "packages/coaching/src/{t}_{i}.ts",
              "apps/web/src/lib/{t}_{i}.ts"]  # fmt: skip
    for index in range(spec["consumers"]):
        table = rng.choice(tables)
        other = rng.choice(tables)
        pattern = places[index % len(places)]
        relative = pattern.format(t=table.name, T=_pascal(table.name), i=index)
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        columns = ", ".join(c for c, _, _ in table.columns[:4])
        first = table.columns[0][0]
        insert = ", ".join(f"{c}: null" for c, _, _ in other.columns[:3])
        path.write_text(
            "import { createClient } from '@/lib/supabase/server';\n\n"
            f"export async function load{index}(userId: string) {{\n"
            "  const supabase = createClient();\n"
            f"  const ids = Array.from(new Set([userId]));\n"
            f"  const {{ data }} = await supabase\n    .from('{table.name}')\n"
            f"    .select('id, {columns}')\n    .eq('user_id', userId)\n"
            f"    .order('{first}', {{ ascending: false }});\n"
            f"  await supabase.from('{other.name}').insert({{ user_id: userId, {insert} }});\n"
            "  return { data, ids };\n}\n"
        )
        spots.append(Spot(relative, 6, len("    .from('"), "table"))
        spots.append(Spot(relative, 7, len("    .select('id, "), "column"))
    for index in range(spec["plain"]):
        relative = f"apps/web/src/components/group_{index // 100}/Widget{index}.tsx"
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "import { useState } from 'react';\n\n"
            f"export function Widget{index}({{ label }}: {{ label: string }}) {{\n"
            "  const [open, setOpen] = useState(false);\n"
            "  const items = Array.from({ length: 3 }, (_, i) => `${label} ${i}`);\n"
            "  return (\n    <ul onClick={() => setOpen(!open)}>\n"
            "      {items.map((item) => <li key={item}>{item}</li>)}\n    </ul>\n  );\n}\n"
        )
    (out / "package.json").write_text('{"name": "bench-monorepo", "private": true}\n')
    return out, spots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", choices=sorted(SIZES), default="medium")
    args = parser.parse_args()
    print(generate(args.out, args.size)[0])


if __name__ == "__main__":
    main()
