"""Replay migrations, statement by statement, into a schema model.

The model is what the rules, hover and definition work from, so every object remembers the
migration and range that defined it and every statement that touched it afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from lockstep.core.diagnostics import strict_mode
from lockstep.core.model import Schema
from lockstep.core.replay import (
    foreign,
    functions,
    graphql,
    objects,
    queues,
    routine_grants,
    security,
    tables,
    view_columns,
)
from lockstep.core.replay.context import (
    Event,
    NestedContext,
    ReplayIssue,
    ReplayState,
    StatementContext,
    names,
)
from lockstep.core.replay.external import complete_placeholders, externals_for
from lockstep.core.replay.guards import MaybeContext, evaluate
from lockstep.core.rules.registry.internal import INTERNAL_ERROR
from lockstep.core.sql import ir
from lockstep.core.sql.parse import ParsedSql

if TYPE_CHECKING:
    from lockstep.core.ts.database import DatabaseType

LOG = logging.getLogger("lockstep.replay")

# Called after each migration with its path, the live schema and what its statements did.
MigrationObserver = Callable[[str, Schema, list[Event]], None]


@dataclass(slots=True)
class ReplayResult:
    schema: Schema
    issues: list[ReplayIssue]
    events: dict[str, list[Event]]  # migration path → what each statement did
    # observer key → what it saw after each replayed file, in order (replay/journal.py)
    observations: dict[Hashable, list[object]] = field(default_factory=dict)


_DROPS: dict[str, Callable[[StatementContext, ir.Drop], None]] = {
    "table": tables.drop_tables,
    "index": objects.drop_indexes,
    "policy": objects.drop_policies,
    "view": objects.drop_views,
    "materialized view": objects.drop_views,
    "type": objects.drop_types,
    "schema": objects.drop_schemas,
}


def _rename(context: StatementContext, node: ir.Rename) -> None:
    target = node.target
    if node.object_kind == "table" and target is not None \
            and context.lookup_table(target.schema, target.name) is None \
            and (context.creation_schema(target.schema), target.name) \
            in context.schema.views:  # ALTER TABLE works on views too
        node = replace(node, object_kind="view")
    if not tables.rename(context, node):
        objects.rename_other(context, node)


def _drop(context: StatementContext, node: ir.Drop) -> None:
    handler = _DROPS.get(node.object_kind)
    if handler is not None:
        handler(context, node)
    if node.object_kind in ("type", "domain"):
        functions.drop_types(context, node)
    elif node.object_kind == "function":
        functions.drop_functions(context, node)


def _set_schema(context: StatementContext, node: ir.SetSchema) -> None:
    if node.object_kind == "type":
        key = (context.creation_schema(node.target.schema), node.target.name)
        objects.move_enum(context, key, (node.new_schema, key[1]))
    else:
        tables.set_schema(context, node)


def _view(context: StatementContext, node: ir.CreateView) -> None:
    objects.create_view(context, node.name, node.query, materialized=False)
    view_columns.describe_view(context, context.creation_schema(node.name.schema),
                               node.name.name, node.query.node, node.columns)


def _create_table(context: StatementContext, node: ir.CreateTable) -> None:
    """A foreign table is no table the replay builds: replay/foreign.py follows it."""
    if node.foreign_server is None:
        tables.create_table(context, node)


def _function(context: StatementContext, node: ir.CreateFunction) -> None:
    objects.create_function(context, node)
    functions.create_function(context, node)


def _trigger(context: StatementContext, node: ir.CreateTrigger) -> None:
    objects.create_trigger(context, node)
    view_columns.instead_of_trigger(context, node)


def _table_as(context: StatementContext, node: ir.CreateTableAs) -> None:
    if node.materialized:
        objects.create_view(context, node.name, node.query, materialized=True)
        view_columns.describe_view(context, context.creation_schema(node.name.schema),
                                   node.name.name, node.query.node, node.columns)
    else:
        tables.create_table_as(context, node)


def _schema(context: StatementContext, node: ir.CreateSchema) -> None:
    if node.name in context.schema.schemas and node.if_not_exists:
        return
    context.state.created_schemas.add(node.name)
    context.schema.schemas.add(node.name)


def _search_path(context: StatementContext, node: ir.SearchPath) -> None:
    context.state.search_path = node.schemas


def _do_block(context: StatementContext, node: ir.DoBlock) -> None:
    if isinstance(context, NestedContext):
        return
    for nested in node.statements:
        verdict = evaluate(nested.guards, context.state.schema)
        if verdict is False:
            continue  # its IF guard fails against the model: PostgreSQL skips it too
        kind = NestedContext if verdict else MaybeContext
        _dispatch(kind(context.state, context.path, context.parsed, context.statement,
                       nested.text), nested.ir)


# Statement kind → handler. Transactions, grants, owners … change nothing the model tracks.
_HANDLERS: dict[type, Callable[[StatementContext, Any], None]] = {
    ir.CreateTable: _create_table,
    ir.AlterTable: tables.alter_table,
    ir.Rename: _rename,
    ir.SetSchema: _set_schema,
    ir.Drop: _drop,
    ir.CreateIndex: objects.create_index,
    ir.Policy: objects.create_or_alter_policy,
    ir.CreateEnum: objects.create_enum,
    ir.AlterEnum: objects.alter_enum,
    ir.CreateView: _view,
    ir.CreateTableAs: _table_as,
    ir.CreateFunction: _function,
    ir.CreateDomain: functions.create_domain,
    ir.CreateComposite: functions.create_composite,
    ir.CreateTrigger: _trigger,
    ir.Comment: objects.comment_on,
    ir.SearchPath: _search_path,
    ir.CreateSchema: _schema,
    ir.DoBlock: _do_block,
}


# What runs after the main handler, to annotate what it built (the advisors' facts).
_OBSERVERS = (security.observe, foreign.observe, queues.observe, routine_grants.observe,
              graphql.observe)


def _dispatch(context: StatementContext, node: ir.Stmt) -> None:
    handler = _HANDLERS.get(type(node))
    if handler is not None:
        handler(context, node)
    for observe in _OBSERVERS:  # grants, policy roles, function and view options, …
        observe(context, node)


def replay_file(state: ReplayState, path: str, parsed: ParsedSql) -> None:
    """Replay one migration's statements into `state` (the driver loop is replay/journal.py)."""
    state.search_path = ("public",)  # each file runs in its own session
    for statement in parsed.statements:
        context = StatementContext(state, path, parsed, statement)
        try:
            _dispatch(context, statement.ir)
        except Exception as error:
            # Strict mode (the tests) fails; otherwise a construct we do not model must not
            # stop the replay of the rest, and is shown as `internal-error` on the statement.
            if strict_mode():
                raise
            LOG.exception("replaying a statement of %s failed", path)
            context.issue(INTERNAL_ERROR.name, f"Lockstep could not replay this statement: "
                          f"{type(error).__name__}: {error}", context.whole)


def replay(
    migrations: Sequence[tuple[str, ParsedSql]],
    observer: MigrationObserver | None = None,
    databases: Iterable[DatabaseType] = (),
) -> ReplayResult:
    """Replay parsed migrations in order; `observer` sees the schema after each migration
    (live and mutable: it copies what it keeps). `databases` (generated `Database` types)
    shape the tables that migrations touch but never create. The workspace replays through
    replay/journal.py instead, which resumes from the migration an edit changed."""
    state = ReplayState(externals=externals_for(migrations, databases))
    for path, parsed in migrations:
        replay_file(state, path, parsed)
        if observer is not None:
            observer(path, state.schema, state.events.get(path, []))
    complete_placeholders(state.schema, state.externals)
    return ReplayResult(state.schema, state.issues, state.events)


__all__ = ["Event", "ReplayIssue", "ReplayResult", "names", "replay"]
