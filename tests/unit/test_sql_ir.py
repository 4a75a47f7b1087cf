"""The typed IR: one parse (libpg_query JSON), one vocabulary, spans into the file."""

from __future__ import annotations

import pickle

from lockstep.core.sql import ir
from lockstep.core.sql.parse import parse_migration_sql


def one(text: str) -> ir.Stmt:
    [statement] = parse_migration_sql(text).statements
    return statement.ir


def spelled(text: str, span: ir.Span) -> str:
    return text[span.start : span.end]


def test_create_table_columns_constraints_and_spans() -> None:
    text = ("-- header\ncreate table if not exists app.notes (\n"
            "  id bigint primary key default 0,\n"
            "  body varchar(20) not null check (body <> ''),\n"
            "  owner uuid references auth.users (id) on delete cascade,\n"
            "  unique (owner, body)\n)")
    table = one(text)
    assert isinstance(table, ir.CreateTable)
    assert (table.name.schema, table.name.name, table.if_not_exists) == ("app", "notes", True)
    assert spelled(text, table.name.span) == "notes"
    assert [c.name for c in table.columns] == ["id", "body", "owner"]
    identifier, body, owner = table.columns
    assert identifier.not_null and identifier.type is not None
    assert identifier.type.names == ("pg_catalog", "int8")
    assert identifier.default is not None and identifier.default.sql == "0"
    assert spelled(text, body.span) == "body"
    assert body.type is not None and [m.sql for m in body.type.modifiers] == ["20"]
    check = next(c for c in body.constraints if c.kind == "check")
    assert check.expr is not None and check.expr.sql == "body <> ''"
    assert spelled(text, check.expr.span) == "body <> ''"
    foreign = next(c for c in owner.constraints if c.kind == "foreign-key")
    assert foreign.references == ir.Name("auth", "users", foreign.references.span)
    assert (foreign.ref_columns, foreign.on_delete) == (("id",), "c")
    assert [(c.kind, c.columns) for c in table.constraints] == [("unique", ("owner", "body"))]


def test_create_table_like_inherits_partition_and_foreign() -> None:
    like = one("create table b (like a including all, x int)")
    assert isinstance(like, ir.CreateTable)
    assert [c.name for c in like.like] == [ir.Name(None, "a", like.like[0].name.span)]
    assert like.like[0].options != 0
    part = one("create table p1 partition of p for values in (1)")
    assert isinstance(part, ir.CreateTable) and part.partition_of is not None
    assert part.partition_of.name == "p" and part.inherits == ()
    parent = one("create table p (id int) partition by list (id)")
    assert isinstance(parent, ir.CreateTable) and parent.partitioned
    foreign = one("create foreign table f (id int) server s")
    assert isinstance(foreign, ir.CreateTable) and foreign.foreign_server == "s"
    assert [c.name for c in foreign.columns] == ["id"]


def test_alter_table_commands_and_rls() -> None:
    text = ("alter table only public.t add column if not exists c text default 'x', "
            "drop column d cascade, alter column e type int using e::int, "
            "alter column f set default now(), alter column g set not null, "
            "add constraint t_fk foreign key (h) references u (id) not valid, "
            "enable row level security, force row level security")
    alter = one(text)
    assert isinstance(alter, ir.AlterTable) and alter.object_kind == "table"
    ops = [c.op for c in alter.commands]
    assert ops == ["AddColumn", "DropColumn", "AlterColumnType", "ColumnDefault",
                   "SetNotNull", "AddConstraint", "EnableRowSecurity", "ForceRowSecurity"]
    add, drop, retype, default, _, constraint, _, _ = alter.commands
    assert add.column is not None and add.column.name == "c" and add.missing_ok
    assert add.column.default is not None and add.column.default.sql == "'x'"
    assert (drop.name, drop.cascade) == ("d", True)
    assert retype.type is not None and retype.type.name == "int4"
    assert retype.expr is not None and retype.expr.sql == "CAST(e AS integer)"
    assert default.expr is not None and default.expr.sql == "now()"
    assert constraint.constraint is not None and constraint.constraint.not_valid
    assert constraint.constraint.name == "t_fk"
    assert one("alter table t disable row level security").commands[0].op == \
        "DisableRowSecurity"  # type: ignore[union-attr]


def test_drop_kinds() -> None:
    drop = one("drop table if exists a, s.b cascade")
    assert isinstance(drop, ir.Drop) and drop.object_kind == "table"
    assert [n.dotted for n in drop.names] == ["a", "s.b"] and drop.missing_ok and drop.cascade
    policy = one("drop policy p on s.t")
    assert isinstance(policy, ir.Drop) and policy.object_kind == "policy"
    assert [n.name for n in policy.names] == ["p"] and [n.dotted for n in policy.on] == ["s.t"]
    function = one("drop function public.f(int)")
    assert isinstance(function, ir.Drop) and function.names[0].dotted == "public.f"
    kinds = [one(f"drop {k} x").object_kind for k in  # type: ignore[union-attr]
             ("view", "materialized view", "type", "index", "schema")]
    assert kinds == ["view", "materialized view", "type", "index", "schema"]


def test_index() -> None:
    index = one("create unique index concurrently if not exists i on t using gin "
                "(a, lower(b)) include (c) where d is null")
    assert isinstance(index, ir.CreateIndex)
    assert (index.name, index.table.name, index.method) == ("i", "t", "gin")
    assert index.unique and index.concurrently and index.if_not_exists
    assert [c.name for c in index.columns] == ["a", None]
    assert index.columns[1].expr is not None and index.columns[1].expr.sql == "lower(b)"
    assert [c.name for c in index.include] == ["c"]
    assert index.where is not None and index.where.sql == "d IS NULL"


def test_policy_create_and_alter() -> None:
    text = ("create policy \"Own rows\" on public.notes as restrictive for update "
            "to authenticated, public using (auth.uid() = owner) with check (true)")
    policy = one(text)
    assert isinstance(policy, ir.Policy) and policy.create
    assert (policy.name, policy.command, policy.permissive) == ("Own rows", "update", False)
    assert policy.roles == ("authenticated", "public")
    assert policy.using is not None and spelled(text, policy.using.span) == "auth.uid() = owner"
    assert policy.check is not None and policy.check.sql == "TRUE"
    altered = one("alter policy p on t to anon using (false)")
    assert isinstance(altered, ir.Policy) and not altered.create and altered.command is None
    assert altered.roles == ("anon",) and altered.check is None


def test_enums_domains_composites() -> None:
    enum = one("create type public.mood as enum ('sad', 'ok')")
    assert isinstance(enum, ir.CreateEnum) and enum.values == ("sad", "ok")
    assert enum.name.dotted == "public.mood"
    added = one("alter type mood add value if not exists 'happy' before 'ok'")
    assert isinstance(added, ir.AlterEnum) and added.new == "happy" and added.old is None
    assert (added.neighbour, added.after, added.if_not_exists) == ("ok", False, True)
    renamed = one("alter type mood rename value 'sad' to 'blue'")
    assert isinstance(renamed, ir.AlterEnum) and (renamed.old, renamed.new) == ("sad", "blue")
    domain = one("create domain email as text check (value ~ '@')")
    assert isinstance(domain, ir.CreateDomain) and domain.type is not None
    assert [c.kind for c in domain.constraints] == ["check"]
    composite = one("create type pair as (a int, b text)")
    assert isinstance(composite, ir.CreateComposite)
    assert [c.name for c in composite.columns] == ["a", "b"]


def test_views_and_materialized_views() -> None:
    text = "create or replace view v (x) with (security_invoker = true) as select a from t"
    view = one(text)
    assert isinstance(view, ir.CreateView) and view.replace and view.columns == ("x",)
    assert view.options == (("security_invoker", "true"),)
    assert view.query.kind == "SelectStmt" and spelled(text, view.query.span) == \
        "select a from t"
    matview = one("create materialized view m as select 1 as one with no data")
    assert isinstance(matview, ir.CreateTableAs) and matview.materialized
    assert not matview.with_data and matview.name.name == "m"
    table_as = one("create table c as select 1")
    assert isinstance(table_as, ir.CreateTableAs) and not table_as.materialized


def test_function_and_trigger() -> None:
    function = one(
        "create or replace function public.f(a int, out b text, c int default 1) "
        "returns setof record language plpgsql security definer stable "
        "set search_path = '' as $$ begin return; end $$")
    assert isinstance(function, ir.CreateFunction) and function.replace
    assert [(a.name, a.mode) for a in function.arguments] == [
        ("a", "in"), ("b", "out"), ("c", "in")]
    assert function.arguments[2].default is not None
    assert (function.language, function.volatility) == ("plpgsql", "stable")
    assert function.security_definer
    assert function.settings == (ir.Setting("search_path", ""),)
    assert function.body == " begin return; end "
    assert function.returns is not None and function.returns.setof
    assert [a.name for a in function.results] == ["b"]
    trigger = one("create trigger tr before insert or update on s.t "
                  "for each row when (new.x is not null) execute function s.fn()")
    assert isinstance(trigger, ir.CreateTrigger)
    assert (trigger.timing, trigger.events, trigger.for_each_row) == (
        "before", ("insert", "update"), True)
    assert trigger.function.dotted == "s.fn" and trigger.table.dotted == "s.t"
    assert trigger.when is not None


def test_grants() -> None:
    grant = one("grant select, update (a) on table public.t, u to anon, authenticated")
    assert isinstance(grant, ir.Grant) and grant.grant and grant.object_kind == "table"
    assert [n.dotted for n in grant.objects] == ["public.t", "u"]
    assert grant.privileges == ("select", "update") and grant.columns == ("a",)
    assert grant.roles == ("anon", "authenticated")
    revoke = one("revoke all on all tables in schema public from public")
    assert isinstance(revoke, ir.Grant) and not revoke.grant and revoke.all_in_schema
    assert revoke.privileges == () and revoke.roles == ("public",)
    execute = one("grant execute on function f(int) to anon")
    assert isinstance(execute, ir.Grant) and execute.object_kind == "function"


def test_comment_rename_set_schema() -> None:
    comment = one("comment on column public.t.c is 'hello'")
    assert isinstance(comment, ir.Comment) and comment.object_kind == "column"
    assert comment.target == ("public", "t", "c") and comment.text == "hello"
    assert one("comment on table t is null").text is None  # type: ignore[union-attr]
    column = one("alter table s.t rename column a to b")
    assert isinstance(column, ir.Rename) and column.object_kind == "column"
    assert column.target is not None and column.target.dotted == "s.t"
    assert (column.subname, column.new_name) == ("a", "b")
    table = one("alter table if exists t rename to u")
    assert isinstance(table, ir.Rename) and table.object_kind == "table" and table.missing_ok
    kind = one("alter type mood rename to feeling")
    assert isinstance(kind, ir.Rename) and kind.object_kind == "type"
    assert kind.target is not None and kind.target.name == "mood"
    moved = one("alter table t set schema private")
    assert isinstance(moved, ir.SetSchema) and moved.new_schema == "private"
    assert moved.target.name == "t"


def test_search_path_set_and_set_config() -> None:
    text = ("set search_path = app, \"$user\", extensions;\n"
            "create table a (id int);\n"
            "select pg_catalog.set_config('search_path', 'private', false);\n"
            "create table b (id int);\n"
            "set local search_path to public")
    statements = parse_migration_sql(text).statements
    first, second, third, fourth, fifth = (s.ir for s in statements)
    assert first == ir.SearchPath(first.span, ("app", "extensions"), False)
    assert isinstance(third, ir.SearchPath) and third.schemas == ("private",)
    assert isinstance(fifth, ir.SearchPath) and fifth.local
    assert [s.search_path for s in statements] == [
        ("public",), ("app", "extensions"), ("app", "extensions"), ("private",), ("private",)]
    assert isinstance(second, ir.CreateTable)
    assert second.name.resolved(statements[1].search_path) == ("app", "a")
    assert isinstance(fourth, ir.CreateTable)
    assert isinstance(one("set statement_timeout = 0"), ir.Opaque)


def test_do_block_contents_and_guards() -> None:
    text = ("do $$ begin\n"
            "  if not exists (select 1 from pg_type where typname = 'mood') then\n"
            "    create type mood as enum ('a');\n"
            "  else\n"
            "    alter type mood add value 'b';\n"
            "  end if;\n"
            "  alter table t enable row level security;\n"
            "end $$")
    block = one(text)
    assert isinstance(block, ir.DoBlock) and block.language == "plpgsql"
    kinds = [type(n.ir).__name__ for n in block.statements]
    assert kinds == ["CreateEnum", "AlterEnum", "AlterTable"]
    create, alter, rls = block.statements
    assert [g.wanted for g in create.guards] == [True]
    assert [g.wanted for g in alter.guards] == [False] and rls.guards == ()
    assert create.ir.span == block.span  # nested statements point at the DO statement
    assert one("do language plv8 $$ x $$").statements == ()  # type: ignore[union-attr]


def test_schema_extension_sequence_and_opaque() -> None:
    schema = one("create schema if not exists private")
    assert schema == ir.CreateSchema(schema.span, "private", True)
    extension = one("create extension if not exists pgcrypto with schema extensions")
    assert isinstance(extension, ir.CreateExtension) and extension.schema == "extensions"
    sequence = one("alter sequence s owned by t.id")
    assert isinstance(sequence, ir.Sequence) and sequence.owned_by == ("t", "id")
    assert not sequence.create
    opaque = one("vacuum t")
    assert isinstance(opaque, ir.Opaque) and opaque.kind == "VacuumStmt"


def test_data_changes_truncate_reindex_transactions() -> None:
    update = one("update s.t set a = 1, b = 2 where id = 3")
    assert isinstance(update, ir.DataChange) and update.verb == "update"
    assert update.table.dotted == "s.t" and update.columns == ("a", "b")
    assert update.where is not None
    delete = one("delete from t")
    assert isinstance(delete, ir.DataChange) and delete.where is None
    insert = one("insert into t (a) values (1)")
    assert isinstance(insert, ir.DataChange) and insert.columns == ("a",)
    truncate = one("truncate a, s.b")
    assert isinstance(truncate, ir.Truncate)
    assert [n.dotted for n in truncate.tables] == ["a", "s.b"]
    reindex = one("reindex index concurrently i")
    assert isinstance(reindex, ir.Reindex) and reindex.concurrently
    kinds = [one(t).kind for t in ("begin", "start transaction", "commit", "rollback")]  # type: ignore[union-attr]
    assert kinds == ["BEGIN", "START", "COMMIT", "ROLLBACK"]


def test_non_ascii_text_keeps_character_offsets() -> None:
    text = "-- é\ncreate table \"café\" (id int default 'ü', \"naïve\" text)"
    table = one(text)
    assert isinstance(table, ir.CreateTable)
    assert spelled(text, table.name.span) == '"café"'
    assert [spelled(text, c.span) for c in table.columns] == ["id", '"naïve"']
    default = table.columns[0].default
    assert default is not None and spelled(text, default.span) == "'ü'"


def test_the_ir_pickles_for_the_cache() -> None:
    text = ("-- é\ncreate table \"café\" (id int default 'ü' check (id > 0));\n"
            "create policy p on \"café\" using (id = 1);\n"
            "do $$ begin alter table \"café\" add column x int; end $$")
    parsed = parse_migration_sql(text)
    again = pickle.loads(pickle.dumps(parsed))
    assert [s.ir for s in again.statements] == [s.ir for s in parsed.statements]
    table, policy, block = (s.ir for s in again.statements)
    assert isinstance(table, ir.CreateTable) and isinstance(policy, ir.Policy)
    default = table.columns[0].default
    assert default is not None and spelled(text, default.span) == "'ü'"
    assert default.sql == "'ü'"
    assert policy.using is not None and spelled(text, policy.using.span) == "id = 1"
    assert isinstance(block, ir.DoBlock) and len(block.statements) == 1
    assert [n.name for n in again.statements[1].relations] == ["café"]
