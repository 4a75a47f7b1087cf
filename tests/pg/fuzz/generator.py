"""A seeded generator of random DDL programs over everything the replay models.

The generator keeps a rough picture of what exists so that most statements are valid; it
does not have to be right: the runner applies each statement to PostgreSQL and drops the
ones the server rejects, so every kept program is valid by construction. Names mix plain,
quoted, mixed-case and reserved spellings, because that is where replays go wrong.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SCHEMA_NAMES = ["app", '"Billing"', "archive"]
TABLE_NAMES = ["accounts", "comments", '"Select"', '"Order Items"', "posts", "accounts_2",
               '"Users"']
COLUMN_NAMES = ["id", "title", '"Title"', '"from"', '"check"', "data", "amount", "owner_id",
                '"user id"', "created_at", "status", "flag", "tags", "code"]
ENUM_NAMES = ["mood", "Priority", '"Status"', "kind"]
ENUM_VALUES = ["a", "b", "a b", "low", "high", "Done"]
POLICY_NAMES = ["read", '"Owners can edit"', "p1", '"select"']
INDEX_NAMES = ["idx_a", "idx_b", '"Idx Mixed"', "title_idx"]
VIEW_NAMES = ["v_all", '"View"', "recent"]
CONSTRAINT_NAMES = ["c_check", "c_unique", "c_fk", "c_pk", '"Named Key"']

TYPES = ["uuid", "text", "varchar", "varchar(20)", "integer", "bigint", "numeric(10,2)",
         "boolean", "timestamptz", "jsonb", "text[]", "int", "smallint", "date"]
DEFAULTS: dict[str, list[str]] = {
    "uuid": ["gen_random_uuid()", "NULL"],
    "text": ["''", "'x'", "NULL", "'it''s'", "'a'::text", "lower('A')"],
    "varchar": ["''", "'x'", "NULL"],
    "varchar(20)": ["''", "'pending'", "NULL"],
    "integer": ["0", "42", "-1", "NULL", "(1 + 2)"],
    "int": ["0", "7"],
    "smallint": ["0", "1"],
    "bigint": ["0", "100"],
    "numeric(10,2)": ["0", "1.5", "'2.50'"],
    "boolean": ["true", "false", "TRUE", "NULL"],
    "timestamptz": ["now()", "CURRENT_TIMESTAMP", "NULL"],
    "jsonb": ["'{}'", "'{}'::jsonb", "'[]'::jsonb"],
    "text[]": ["'{}'", "ARRAY[]::text[]", "'{a,b}'"],
    "date": ["CURRENT_DATE", "'2020-01-01'"],
}
FK_ACTIONS = ["", " ON DELETE CASCADE", " ON DELETE SET NULL", " ON DELETE RESTRICT",
              " ON DELETE NO ACTION", " ON UPDATE CASCADE"]
COMMANDS = ["", " FOR SELECT", " FOR INSERT", " FOR UPDATE", " FOR DELETE", " FOR ALL"]
BEHAVIOUR = ["", "", " CASCADE", " RESTRICT"]


@dataclass
class _Table:
    schema: str
    name: str
    columns: dict[str, str] = field(default_factory=dict)  # spelled name → type


@dataclass
class _World:
    schemas: list[str] = field(default_factory=lambda: ["public"])
    tables: list[_Table] = field(default_factory=list)
    enums: list[tuple[str, str]] = field(default_factory=list)
    views: list[tuple[str, str]] = field(default_factory=list)
    indexes: list[tuple[str, str]] = field(default_factory=list)  # (schema, name)
    policies: list[tuple[_Table, str]] = field(default_factory=list)
    constraints: list[tuple[_Table, str]] = field(default_factory=list)


def _q(schema: str, name: str, rng: random.Random) -> str:
    """Qualify sometimes (always outside public: the search_path is only public)."""
    if schema != "public" or rng.random() < 0.3:
        return f"{schema}.{name}" if schema != "public" else f'"public".{name}' \
            if rng.random() < 0.3 else f"public.{name}"
    return name


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.w = _World()

    # -- helpers ------------------------------------------------------------------------
    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def table(self) -> _Table | None:
        return self.rng.choice(self.w.tables) if self.w.tables else None

    def tname(self, t: _Table) -> str:
        return _q(t.schema, t.name, self.rng)

    def column_type(self) -> str:
        if self.w.enums and self.rng.random() < 0.2:
            schema, name = self.rng.choice(self.w.enums)
            return _q(schema, name, self.rng) + ("[]" if self.rng.random() < 0.2 else "")
        if self.rng.random() < 0.05:
            return self.pick(["vector(3)", "numeric", "char(2)", "timestamp(3)", "double precision",
                              "real", "interval", "time"])
        return self.pick(TYPES)

    def default_for(self, typ: str) -> str | None:
        options = DEFAULTS.get(typ)
        if options is None:
            if "." in typ or typ.split("[")[0] in {n for _, n in self.w.enums}:
                return self.pick(["'a'", "NULL", "'low'"]) if "[" not in typ else "'{}'"
            return None
        return self.pick(options)

    def column_def(self, name: str, typ: str, allow_keys: bool = True) -> str:
        parts = [name, typ]
        r = self.rng.random
        if r() < 0.3 and (default := self.default_for(typ)) is not None:
            parts.append(f"DEFAULT {default}")
        if r() < 0.25:
            parts.append("NOT NULL")
        elif r() < 0.05:
            parts.append("NULL")
        if allow_keys and r() < 0.12:
            parts.append("UNIQUE")
        if allow_keys and r() < 0.1 and self.w.tables:
            target = self.rng.choice(self.w.tables)
            ref = self.pick(list(target.columns) or ["id"])
            parts.append(f"REFERENCES {self.tname(target)} ({ref}){self.pick(FK_ACTIONS)}")
        if r() < 0.08 and typ in ("integer", "bigint", "int", "smallint"):
            parts.append(f"CHECK ({name} > 0)")
        return " ".join(parts)

    # -- statements ---------------------------------------------------------------------
    def create_schema(self) -> str:
        name = self.pick(SCHEMA_NAMES)
        self.w.schemas.append(name)
        return f"CREATE SCHEMA {name}"

    def create_table(self) -> str:
        schema = self.pick(self.w.schemas) if self.rng.random() < 0.3 else "public"
        name = self.pick(TABLE_NAMES)
        table = _Table(schema, name)
        elements: list[str] = []
        n = self.rng.randint(1, 5)
        names = self.rng.sample(COLUMN_NAMES, n)
        pk_done = False
        for i, col in enumerate(names):
            typ = self.column_type()
            table.columns[col] = typ
            text = self.column_def(col, typ)
            if i == 0 and not pk_done and self.rng.random() < 0.5:
                text += " PRIMARY KEY"
                pk_done = True
            elements.append(text)
        if not pk_done and self.rng.random() < 0.3:
            keys = self.rng.sample(names, self.rng.randint(1, len(names)))
            con = f"CONSTRAINT {self.pick(CONSTRAINT_NAMES)} " if self.rng.random() < 0.3 else ""
            elements.append(f"{con}PRIMARY KEY ({', '.join(keys)})")
        if self.rng.random() < 0.15:
            keys = self.rng.sample(names, self.rng.randint(1, len(names)))
            elements.append(f"UNIQUE ({', '.join(keys)})")
        if self.rng.random() < 0.15 and self.w.tables:
            target = self.rng.choice(self.w.tables)
            local = self.pick(names)
            ref = self.pick(list(target.columns) or ["id"])
            elements.append(f"FOREIGN KEY ({local}) REFERENCES {self.tname(target)} ({ref})"
                            f"{self.pick(FK_ACTIONS)}")
        self.w.tables.append(table)
        return f"CREATE TABLE {_q(schema, name, self.rng)} ({', '.join(elements)})"

    def alter_table(self) -> str | None:
        t = self.table()
        if t is None:
            return None
        head = f"ALTER TABLE {self.tname(t)}"
        cols = list(t.columns) or ["id"]
        col = self.pick(cols)
        choice = self.rng.randrange(20)
        if choice >= 17:  # column drops are where the dependency model shows
            choice = 1
        if choice == 0:
            name = self.pick(COLUMN_NAMES)
            typ = self.column_type()
            t.columns[name] = typ
            ine = "IF NOT EXISTS " if self.rng.random() < 0.2 else ""
            return f"{head} ADD COLUMN {ine}{self.column_def(name, typ)}"
        if choice == 1:
            t.columns.pop(col, None)
            ie = "IF EXISTS " if self.rng.random() < 0.2 else ""
            word = self.pick(["DROP COLUMN ", "DROP "])
            return f"{head} {word}{ie}{col}{self.pick(BEHAVIOUR)}"
        if choice == 2:
            typ = self.pick(["text", "varchar(50)", "bigint", "integer", "numeric", "text"])
            t.columns[col] = typ
            return f"{head} ALTER COLUMN {col} TYPE {typ}"
        if choice == 3:
            default = self.default_for(t.columns.get(col, "text")) or "NULL"
            return f"{head} ALTER COLUMN {col} SET DEFAULT {default}"
        if choice == 4:
            return f"{head} ALTER COLUMN {col} DROP DEFAULT"
        if choice == 5:
            return f"{head} ALTER COLUMN {col} {self.pick(['SET', 'DROP'])} NOT NULL"
        if choice == 6:
            keys = self.rng.sample(cols, self.rng.randint(1, min(2, len(cols))))
            con = f"CONSTRAINT {self.pick(CONSTRAINT_NAMES)} " if self.rng.random() < 0.5 else ""
            kind = self.pick(["PRIMARY KEY", "UNIQUE"])
            self.w.constraints.append((t, con))
            return f"{head} ADD {con}{kind} ({', '.join(keys)})"
        if choice == 7 and self.w.tables:
            target = self.rng.choice(self.w.tables)
            ref = self.pick(list(target.columns) or ["id"])
            con = f"CONSTRAINT {self.pick(CONSTRAINT_NAMES)} " if self.rng.random() < 0.5 else ""
            return (f"{head} ADD {con}FOREIGN KEY ({col}) REFERENCES {self.tname(target)} ({ref})"
                    f"{self.pick(FK_ACTIONS)}")
        if choice == 8:
            con = f"CONSTRAINT {self.pick(CONSTRAINT_NAMES)} " if self.rng.random() < 0.5 else ""
            other = self.pick(cols)
            check = self.pick([f"{col} IS NOT NULL", f"{col} IS NOT NULL OR {other} IS NULL"])
            return f"{head} ADD {con}CHECK ({check})"
        if choice == 9:
            name = self.pick(CONSTRAINT_NAMES + self._generated_constraint_names(t))
            ie = "IF EXISTS " if self.rng.random() < 0.2 else ""
            return f"{head} DROP CONSTRAINT {ie}{name}{self.pick(BEHAVIOUR)}"
        if choice == 10:
            new = self.pick(COLUMN_NAMES)
            t.columns[new] = t.columns.pop(col, "text")
            return f"{head} RENAME COLUMN {col} TO {new}"
        if choice == 11:
            new = self.pick(TABLE_NAMES)
            t.name = new
            return f"{head} RENAME TO {new}"
        if choice == 12:
            schema = self.pick(self.w.schemas)
            t.schema = schema
            return f"{head} SET SCHEMA {schema}"
        if choice == 13:
            return f"{head} {self.pick(['ENABLE', 'DISABLE', 'FORCE'])} ROW LEVEL SECURITY"
        if choice == 14:
            old = self.pick(self._generated_constraint_names(t) if self.rng.random() < 0.7
                            else CONSTRAINT_NAMES)
            return f"{head} RENAME CONSTRAINT {old} TO {self.pick(CONSTRAINT_NAMES)}"
        if choice == 15:
            other = self.pick(cols)
            return (f"{head} ADD COLUMN {self.pick(COLUMN_NAMES)} {self.column_type()}, "
                    f"ALTER COLUMN {other} SET NOT NULL")
        return f"{head} ALTER COLUMN {col} SET DEFAULT NULL"

    def _generated_constraint_names(self, t: _Table) -> list[str]:
        bare = t.name.strip('"')
        cols = [c.strip('"') for c in t.columns]
        out = [f'"{bare}_pkey"', f'"{bare}_check"']
        out += [f'"{bare}_{c}_{s}"' for c in cols for s in ("key", "fkey", "check")]
        return out

    def create_index(self) -> str | None:
        t = self.table()
        if t is None:
            return None
        cols = list(t.columns) or ["id"]
        elements: list[str] = []
        for _ in range(self.rng.randint(1, 2)):
            col = self.pick(cols)
            typ = t.columns.get(col, "text")
            r = self.rng.random()
            if r < 0.6:
                elements.append(col + self.pick(["", "", " DESC"]))
            elif typ in ("text", "varchar", "varchar(20)", "varchar(50)"):
                elements.append(self.pick([f"lower({col})", f"upper({col})",
                                           f"({col} || 'x')", f"coalesce({col}, '')"]))
            elif typ in ("integer", "bigint", "int", "smallint", "numeric", "numeric(10,2)"):
                elements.append(self.pick([f"({col} + 1)", f"abs({col})", f"({col} * 1.5)"]))
            else:
                elements.append(f"({col} IS NULL)")
        unique = "UNIQUE " if self.rng.random() < 0.3 else ""
        name = self.pick(INDEX_NAMES) + " " if self.rng.random() < 0.7 else ""
        where = ""
        if self.rng.random() < 0.3:
            col = self.pick(cols)
            typ = t.columns.get(col, "text")
            other = self.pick(cols)
            where = " WHERE " + self.pick(
                [f"{col} IS NOT NULL", f"({col} IS NULL)",
                 f"{col} IS NOT NULL AND ({other} IS NULL OR {col} IS NULL)",
                 f"NOT ({col} IS NULL OR {other} IS NOT NULL)"]
                + ([f"{col} > 0", f"{col} > 0 OR {col} < 1.5"] if typ in (
                    "integer", "bigint", "int", "smallint", "numeric", "numeric(10,2)") else [])
                + ([f"{col} <> ''", f"{col} = 'x'"] if typ in ("text", "varchar") else [])
                + ([f"{col}", f"NOT {col}"] if typ == "boolean" else [])
            )
        if name:
            self.w.indexes.append((t.schema, name.strip()))
        ine = "IF NOT EXISTS " if name and self.rng.random() < 0.1 else ""
        return (f"CREATE {unique}INDEX {ine}{name}ON {self.tname(t)} ({', '.join(elements)})"
                f"{where}")

    def create_policy(self) -> str | None:
        t = self.table()
        if t is None:
            return None
        name = self.pick(POLICY_NAMES)
        self.w.policies.append((t, name))
        col = self.pick(list(t.columns) or ["id"])
        cmd = self.pick(COMMANDS)
        using = self.pick([f" USING ({col} IS NOT NULL)", " USING (true)", ""])
        check = f" WITH CHECK ({col} IS NOT NULL)" if cmd in ("", " FOR INSERT", " FOR ALL") \
            and self.rng.random() < 0.3 else ""
        if cmd == " FOR INSERT":
            using = ""
        return f"CREATE POLICY {name} ON {self.tname(t)}{cmd}{using}{check}"

    def create_enum(self) -> str:
        schema = self.pick(self.w.schemas) if self.rng.random() < 0.3 else "public"
        name = self.pick(ENUM_NAMES)
        self.w.enums.append((schema, name))
        values = self.rng.sample(ENUM_VALUES, self.rng.randint(1, 3))
        listed = ", ".join("'" + v + "'" for v in values)
        return f"CREATE TYPE {_q(schema, name, self.rng)} AS ENUM ({listed})"

    def alter_enum(self) -> str | None:
        if not self.w.enums:
            return None
        schema, name = self.rng.choice(self.w.enums)
        head = f"ALTER TYPE {_q(schema, name, self.rng)}"
        choice = self.rng.randrange(5)
        if choice == 0:
            where = self.pick(["", f" BEFORE '{self.pick(ENUM_VALUES)}'",
                               f" AFTER '{self.pick(ENUM_VALUES)}'"])
            return f"{head} ADD VALUE '{self.pick(ENUM_VALUES)}'{where}"
        if choice == 1:
            return f"{head} RENAME VALUE '{self.pick(ENUM_VALUES)}' TO '{self.pick(ENUM_VALUES)}'"
        if choice == 2:
            new = self.pick(ENUM_NAMES)
            self.w.enums.append((schema, new))
            return f"{head} RENAME TO {new}"
        if choice == 3:
            target = self.pick(self.w.schemas)
            self.w.enums.append((target, name))
            return f"{head} SET SCHEMA {target}"
        return f"DROP TYPE {_q(schema, name, self.rng)}{self.pick(BEHAVIOUR)}"

    def create_view(self) -> str | None:
        t = self.table()
        if t is None:
            return None
        schema = self.pick(self.w.schemas) if self.rng.random() < 0.3 else "public"
        name = self.pick(VIEW_NAMES)
        self.w.views.append((schema, name))
        cols = list(t.columns)
        chosen = ", ".join(self.rng.sample(cols, self.rng.randint(1, len(cols)))) \
            if cols and self.rng.random() < 0.7 else "*"
        where = f" WHERE {self.pick(cols)} IS NOT NULL" if cols and self.rng.random() < 0.3 \
            else ""
        mat = "MATERIALIZED " if self.rng.random() < 0.2 else ""
        if self.w.views and self.rng.random() < 0.15:
            vs, vn = self.rng.choice(self.w.views)
            source = _q(vs, vn, self.rng)
            return f"CREATE VIEW {_q(schema, name, self.rng)} AS SELECT * FROM {source}"
        return (f"CREATE {mat}VIEW {_q(schema, name, self.rng)} AS "
                f"SELECT {chosen} FROM {self.tname(t)}{where}")

    def drop_something(self) -> str | None:
        choice = self.rng.randrange(7)
        behaviour = self.pick(BEHAVIOUR)
        ie = "IF EXISTS " if self.rng.random() < 0.2 else ""
        if choice == 0 and self.w.tables:
            t = self.rng.choice(self.w.tables)
            return f"DROP TABLE {ie}{self.tname(t)}{behaviour}"
        if choice == 1 and self.w.indexes:
            schema, name = self.rng.choice(self.w.indexes)
            return f"DROP INDEX {ie}{_q(schema, name, self.rng)}{behaviour}"
        if choice == 2 and self.w.policies:
            t, name = self.rng.choice(self.w.policies)
            return f"DROP POLICY {ie}{name} ON {self.tname(t)}"
        if choice == 3 and self.w.views:
            schema, name = self.rng.choice(self.w.views)
            kind = self.pick(["VIEW", "VIEW", "MATERIALIZED VIEW"])
            return f"DROP {kind} {ie}{_q(schema, name, self.rng)}{behaviour}"
        if choice == 4 and len(self.w.schemas) > 1:
            schema = self.rng.choice(self.w.schemas[1:])
            return f"DROP SCHEMA {ie}{schema}{behaviour}"
        if choice == 5 and self.w.enums:
            schema, name = self.rng.choice(self.w.enums)
            return f"DROP TYPE {ie}{_q(schema, name, self.rng)}{behaviour}"
        if self.w.indexes:
            schema, name = self.rng.choice(self.w.indexes)
            return f"ALTER INDEX {_q(schema, name, self.rng)} RENAME TO {self.pick(INDEX_NAMES)}"
        return None

    def rename_other(self) -> str | None:
        choice = self.rng.randrange(3)
        if choice == 0 and self.w.policies:
            t, name = self.rng.choice(self.w.policies)
            return f"ALTER POLICY {name} ON {self.tname(t)} RENAME TO {self.pick(POLICY_NAMES)}"
        if choice == 1 and self.w.views:
            schema, name = self.rng.choice(self.w.views)
            return f"ALTER VIEW {_q(schema, name, self.rng)} RENAME TO {self.pick(VIEW_NAMES)}"
        if self.w.tables and len(self.w.schemas) > 1:
            t = self.rng.choice(self.w.tables)
            return f"ALTER TABLE {self.tname(t)} SET SCHEMA {self.pick(self.w.schemas)}"
        return None

    def statement(self) -> str | None:
        weights = [
            (self.create_schema, 4), (self.create_table, 22), (self.alter_table, 34),
            (self.create_index, 12), (self.create_policy, 7), (self.create_enum, 6),
            (self.alter_enum, 5), (self.create_view, 6), (self.drop_something, 8),
            (self.rename_other, 3),
        ]
        makers = [m for m, _ in weights]
        return self.rng.choices(makers, [w for _, w in weights])[0]()


def program(seed: int) -> list[str]:
    """5–40 statements (before PostgreSQL drops the ones it rejects)."""
    gen = Generator(seed)
    size = gen.rng.randint(5, 40)
    out: list[str] = []
    while len(out) < size:
        statement = gen.statement()
        if statement:
            out.append(statement)
    return out
