"""Generate the `sim_` mirror of a migration's statements (workflow step 3).

Mirror rules: a prod table X is mirrored when `sim_X` exists (in the schema so far, or created
by the same SQL); a new table whose foreign keys point at mirrored tables is mirrored too.
The mirror keeps columns, defaults, constraints and indexes, retargets foreign keys to `sim_`
tables (where they exist), drops foreign keys to `auth.*` (the column stays, e.g. a bare
`UUID NOT NULL`), and never carries RLS, policies, grants or comments. Internal tables are
never mirrored. Statements that already target `sim_` tables are left alone, and a mirror the
SQL already contains is not generated twice.

Rewriting is token-level (see `sqltokens`), so the mirror reads like the author's SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lockstep.codeactions.mirror.context import (
    _Context,
    _key,
    _mirrored_table,
    _rename_relation,
    sim_object_name,
)
from lockstep.codeactions.mirror.keys import statement_keys
from lockstep.codeactions.mirror.objects import _drop, _index, _rename
from lockstep.codeactions.sqltokens import Rewriter
from lockstep.core.model import Schema
from lockstep.core.rules.facts import sql_name
from lockstep.core.sql import ir
from lockstep.core.sql.parse import Statement, parse_migration_sql

AUTH_SCHEMAS = frozenset({"auth"})

MIRRORED_ALTERS = frozenset({  # the IR's ALTER TABLE ops (AlterTableType less AT_)
    "AddColumn", "DropColumn", "ColumnDefault", "CookedColumnDefault", "DropNotNull",
    "SetNotNull", "AlterColumnType", "AddConstraint", "DropConstraint", "ValidateConstraint",
    "AddIdentity", "SetIdentity", "DropIdentity", "DropExpression",
})


@dataclass(frozen=True, slots=True)
class MirrorStatement:
    source_start: int  # the original statement, character offsets in the SQL text
    source_end: int  # after its terminating `;` when there is one
    table: str  # the prod table mirrored
    text: str  # the mirror statement, without `;`


def _context(
    schema: Schema | None, statements: list[Statement], prefix: str, internal: Iterable[str]
) -> _Context:
    ctx = _Context(prefix, frozenset(internal))
    for key, table in (schema.tables if schema else {}).items():
        for index in table.indexes:
            ctx.index_tables[index.name] = key
            ctx.prod_indexes[index.name] = tuple(index.columns)
        if ctx.is_sim(key):
            ctx.mark_sim(key)
            ctx.sim_indexes[key] = [(i.name, tuple(i.columns)) for i in table.indexes]
    for statement in statements:
        if isinstance(statement.ir, ir.CreateTable):
            key = _key(statement.ir.name)
            if ctx.is_sim(key):
                ctx.mark_sim(key)
    return ctx


def mirror_statements(
    sql: str,
    schema: Schema | None = None,
    prefix: str = "sim_",
    internal: Iterable[str] = ("llm_usage",),
) -> list[MirrorStatement]:
    """The mirror of every statement of `sql` that needs one, in order. Never raises."""
    parsed = parse_migration_sql(sql)
    ctx = _context(schema, parsed.statements, prefix, internal)
    existing: set[tuple[Any, ...]] = set()
    for statement in parsed.statements:
        if _target_is_sim(statement.ir, ctx):
            existing |= statement_keys(statement.ir, statement.search_path)
    out: list[MirrorStatement] = []
    for statement in parsed.statements:
        try:
            result = _mirror_one(statement, sql, ctx)
        except (AttributeError, IndexError, TypeError, ValueError):
            result = None  # an odd statement shape: no mirror rather than a wrong one
        if result is None:
            continue
        table, text = result
        mirror = parse_migration_sql(text)
        if mirror.errors or not mirror.statements:
            continue
        keys = set().union(*(statement_keys(s.ir, statement.search_path)
                             for s in mirror.statements))
        if keys and keys <= existing:
            continue
        existing |= keys
        end = statement.end
        if sql[end : end + 1] == ";":
            end += 1
        out.append(MirrorStatement(statement.start, end, table, text))
    return out


def _target_is_sim(node: ir.Stmt, ctx: _Context) -> bool:
    relation = ir.relation(node)
    if relation is not None:
        return ctx.is_sim(_key(relation))
    if isinstance(node, ir.Drop):
        return all(name.name.startswith(ctx.prefix) for name in node.names)
    return False



def _mirror_one(statement: Statement, sql: str, ctx: _Context) -> tuple[str, str] | None:
    node = statement.ir
    rw = Rewriter(statement.text(sql), statement.tokens, statement.start)
    if isinstance(node, ir.CreateTable):
        return _create(node, rw, ctx)
    if isinstance(node, ir.AlterTable) and node.object_kind == "table":
        return _alter(node, rw, ctx)
    if isinstance(node, ir.CreateIndex):
        return _index(node, rw, ctx)
    if isinstance(node, ir.Rename):
        return _rename(node, rw, ctx)
    if isinstance(node, ir.Drop):
        return _drop(node, ctx)
    return None


def _foreign_keys(node: ir.CreateTable) -> list[ir.Constraint]:
    constraints = [c for column in node.columns for c in column.constraints]
    return [c for c in (*constraints, *node.constraints)
            if c.kind == "foreign-key" and c.references is not None]


def _create(node: ir.CreateTable, rw: Rewriter, ctx: _Context) -> tuple[str, str] | None:
    key = _key(node.name)
    if ctx.is_sim(key) or key[1] in ctx.internal:
        return None
    references_mirrored = any(fk.references is not None and _key(fk.references) in ctx.mirrored
                              for fk in _foreign_keys(node))
    if key not in ctx.mirrored and not references_mirrored:
        return None
    ctx.mirrored.add(key)
    ctx.sim_tables.add(ctx.sim(key))
    _rename_relation(node.name, rw, ctx)
    for column in node.columns:
        _column(column, rw, ctx, key[1])
    for constraint in node.constraints:
        _table_constraint(constraint, rw, ctx, key[1])
    # Supabase grants anon and authenticated everything on new tables in public: without RLS
    # the mirror would be open to the anon key. Only the service role (the simulator) keeps it.
    revoke = f"REVOKE ALL ON {sql_name(ctx.sim(key))} FROM anon, authenticated"
    return key[1], f"{rw.render().rstrip().rstrip(';')};\n{revoke}"


def _column(column: ir.Column, rw: Rewriter, ctx: _Context, table: str) -> None:
    constraints = list(column.constraints)
    for position, constraint in enumerate(constraints):
        following = constraints[position + 1 :]
        stop = following[0].span.start - rw.base if following else None
        first = rw.index_of(constraint.span)
        if first is None:
            continue
        if _is_auth_fk(constraint):
            rw.remove_tokens(first, rw.clause_last(first, stop))
            continue
        _constraint(constraint, rw, ctx, table, first)


def _is_auth_fk(constraint: ir.Constraint) -> bool:
    return (
        constraint.kind == "foreign-key"
        and constraint.references is not None
        and (constraint.references.schema or "public") in AUTH_SCHEMAS
    )


def _constraint(
    constraint: ir.Constraint, rw: Rewriter, ctx: _Context, table: str, first: int
) -> None:
    if constraint.name and rw.tokens[first].name == "CONSTRAINT" and first + 1 < len(rw.tokens):
        rw.rename_token(first + 1, sim_object_name(constraint.name, table, ctx.prefix))
    if constraint.kind == "foreign-key" and constraint.references is not None:
        target = _key(constraint.references)
        if ctx.sim(target) in ctx.sim_tables and target[1] not in ctx.internal:
            _rename_relation(constraint.references, rw, ctx)


def _table_constraint(constraint: ir.Constraint, rw: Rewriter, ctx: _Context, table: str) -> None:
    first = rw.index_of(constraint.span)
    if first is None:
        return
    if not _is_auth_fk(constraint):
        _constraint(constraint, rw, ctx, table, first)
        return
    last = rw.clause_last(first)
    if first >= 2 and rw.tokens[first - 1].name == "ASCII_44":
        rw.remove_tokens(first - 1, last)
    elif last + 1 < len(rw.tokens) and rw.tokens[last + 1].name == "ASCII_44":
        end = rw.tokens[last + 2].start if last + 2 < len(rw.tokens) else rw.tokens[last + 1].end
        rw.replace(rw.tokens[first].start, end, "")


def _alter(node: ir.AlterTable, rw: Rewriter, ctx: _Context) -> tuple[str, str] | None:
    key = _mirrored_table(node.name, ctx)
    if key is None:
        return None
    relation = rw.index_of(node.name.span)
    if relation is None:
        return None
    relation = rw.name_end(relation)
    spans = rw.top_level_spans(relation + 1)
    commands = list(node.commands)
    if len(spans) != len(commands):
        return None
    kept: list[tuple[int, int]] = []
    for command, (first, last) in zip(commands, spans, strict=True):
        if _alter_command(command, rw, ctx, key[1], first, last):
            kept.append((first, last))
    if not kept:
        return None
    _rename_relation(node.name, rw, ctx)
    if len(kept) == len(spans):
        return key[1], rw.render()
    head = rw.render(0, rw.tokens[relation].end)
    parts = [rw.render(rw.tokens[first].start, rw.tokens[last].end) for first, last in kept]
    between = rw.text[rw.tokens[spans[0][1]].end : rw.tokens[spans[1][0]].start]
    return key[1], head + " " + between.join(parts)


def _alter_command(
    command: ir.AlterCommand, rw: Rewriter, ctx: _Context, table: str, first: int, last: int
) -> bool:
    if command.op not in MIRRORED_ALTERS:
        return False
    if command.op == "AddColumn" and command.column is not None:
        _column(command.column, rw, ctx, table)
    elif command.constraint is not None:
        if _is_auth_fk(command.constraint):
            return False
        at = rw.index_of(command.constraint.span)
        if at is not None:
            _constraint(command.constraint, rw, ctx, table, at)
    elif command.op in ("DropConstraint", "ValidateConstraint") and command.name:
        at = rw.find_name(command.name, first + 2, last)
        if at is not None:
            rw.rename_token(at, sim_object_name(command.name, table, ctx.prefix))
    return True


def sql_with_mirror(
    sql: str,
    schema: Schema | None = None,
    prefix: str = "sim_",
    internal: Iterable[str] = ("llm_usage",),
    newline: str = "\n",
) -> str:
    """`sql` followed by a commented block with its mirror (unchanged when none is needed)."""
    body = terminated(sql).rstrip()
    mirrors = mirror_statements(sql, schema, prefix, internal)
    if not mirrors:
        return body + newline if body else ""
    statements = [m.text.strip() + ";" for m in mirrors]
    gap = newline * 2 if any("\n" in s for s in statements) else newline
    header = "-- Simulator mirror (no FK to auth.users, no RLS)"
    return body + newline * 2 + header + newline + gap.join(statements) + newline


def terminated(sql: str) -> str:
    """`sql` with a `;` after its last statement, so text appended later stays separate."""
    parsed = parse_migration_sql(sql)
    if not parsed.statements or parsed.errors:
        return sql
    end = parsed.statements[-1].end
    if sql[end : end + 1] == ";":
        return sql
    return sql[:end] + ";" + sql[end:]
