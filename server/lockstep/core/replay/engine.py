"""Replay migrations, statement by statement, into a schema model.

The model is what the rules, hover and definition work from, so every object remembers the
migration and range that defined it and every statement that touched it afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pglast import ast
from pglast.enums import ObjectType

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
from lockstep.core.replay.guards import MaybeContext, evaluate, guarded_statements
from lockstep.core.rules.registry.internal import INTERNAL_ERROR
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


_DROPS = {
    ObjectType.OBJECT_TABLE: tables.drop_tables,
    ObjectType.OBJECT_INDEX: objects.drop_indexes,
    ObjectType.OBJECT_POLICY: objects.drop_policies,
    ObjectType.OBJECT_VIEW: objects.drop_views,
    ObjectType.OBJECT_MATVIEW: objects.drop_views,
    ObjectType.OBJECT_TYPE: objects.drop_types,
    ObjectType.OBJECT_SCHEMA: objects.drop_schemas,
}


def _rename(context: StatementContext, node: ast.RenameStmt) -> None:
    relation = node.relation
    if node.renameType == ObjectType.OBJECT_TABLE and relation is not None \
            and context.lookup_table(relation.schemaname, relation.relname) is None \
            and (context.creation_schema(relation.schemaname), relation.relname) \
            in context.schema.views:  # ALTER TABLE works on views too
        node = ast.RenameStmt(renameType=ObjectType.OBJECT_VIEW, relation=relation,
                              newname=node.newname)
    if not tables.rename(context, node):
        objects.rename_other(context, node)


def _drop(context: StatementContext, node: ast.DropStmt) -> None:
    handler = _DROPS.get(node.removeType)
    if handler is not None:
        handler(context, node)
    if node.removeType in (ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN):
        functions.drop_types(context, node)
    elif node.removeType == ObjectType.OBJECT_FUNCTION:
        functions.drop_functions(context, node)


def _set_schema(context: StatementContext, node: ast.AlterObjectSchemaStmt) -> None:
    if node.objectType == ObjectType.OBJECT_TYPE:
        dotted = names(node.object)
        key = (context.creation_schema(dotted[-2] if len(dotted) > 1 else None), dotted[-1])
        objects.move_enum(context, key, (node.newschema, key[1]))
    else:
        tables.set_schema(context, node)


def _view(context: StatementContext, node: ast.ViewStmt) -> None:
    objects.create_view(context, node.view, node.query, materialized=False)
    view_columns.describe_view(context, context.creation_schema(node.view.schemaname),
                               node.view.relname, node.query, node.aliases)


def _function(context: StatementContext, node: ast.CreateFunctionStmt) -> None:
    objects.create_function(context, node)
    functions.create_function(context, node)


def _trigger(context: StatementContext, node: ast.CreateTrigStmt) -> None:
    objects.create_trigger(context, node)
    view_columns.instead_of_trigger(context, node)


def _table_as(context: StatementContext, node: ast.CreateTableAsStmt) -> None:
    if node.objtype == ObjectType.OBJECT_MATVIEW:
        objects.create_view(context, node.into.rel, node.query, materialized=True)
        view_columns.describe_view(context, context.creation_schema(node.into.rel.schemaname),
                                   node.into.rel.relname, node.query, node.into.colNames)
    else:
        tables.create_table_as(context, node)


def _schema(context: StatementContext, node: ast.CreateSchemaStmt) -> None:
    if node.schemaname in context.schema.schemas and node.if_not_exists:
        return
    context.state.created_schemas.add(node.schemaname)
    context.schema.schemas.add(node.schemaname)


def _do_block(context: StatementContext, node: ast.DoStmt) -> None:
    if isinstance(context, NestedContext):
        return
    for guarded in guarded_statements(node):
        verdict = evaluate(guarded.guards, context.state.schema)
        if verdict is False:
            continue  # its IF guard fails against the model: PostgreSQL skips it too
        kind = NestedContext if verdict else MaybeContext
        _dispatch(kind(context.state, context.path, context.parsed, context.statement,
                       guarded.text), guarded.node)


# Statement kind → handler. Transactions, grants, owners … change nothing the model tracks.
_HANDLERS: dict[type, Callable[[StatementContext, Any], None]] = {
    ast.CreateStmt: tables.create_table,
    ast.AlterTableStmt: tables.alter_table,
    ast.RenameStmt: _rename,
    ast.AlterObjectSchemaStmt: _set_schema,
    ast.DropStmt: _drop,
    ast.IndexStmt: objects.create_index,
    ast.CreatePolicyStmt: objects.create_policy,
    ast.AlterPolicyStmt: objects.alter_policy,
    ast.CreateEnumStmt: objects.create_enum,
    ast.AlterEnumStmt: objects.alter_enum,
    ast.ViewStmt: _view,
    ast.CreateTableAsStmt: _table_as,
    ast.CreateFunctionStmt: _function,
    ast.CreateDomainStmt: functions.create_domain,
    ast.CompositeTypeStmt: functions.create_composite,
    ast.CreateTrigStmt: _trigger,
    ast.CommentStmt: objects.comment_on,
    ast.VariableSetStmt: objects.set_variable,
    ast.CreateSchemaStmt: _schema,
    ast.DoStmt: _do_block,
}


# What runs after the main handler, to annotate what it built (the advisors' facts).
_OBSERVERS = (security.observe, foreign.observe, queues.observe, routine_grants.observe,
              graphql.observe)


def _dispatch(context: StatementContext, node: object) -> None:
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
            _dispatch(context, statement.node)
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
