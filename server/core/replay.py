"""Replay migrations, statement by statement, into a schema model.

The model is what the rules, hover and definition work from, so every object remembers the
migration and range that defined it and every statement that touched it afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pglast import ast
from pglast.enums import ObjectType

from lockstep.core import replay_objects as objects
from lockstep.core import replay_tables as tables
from lockstep.core.model import Schema
from lockstep.core.replay_context import (
    Event,
    NestedContext,
    ReplayIssue,
    ReplayState,
    StatementContext,
    names,
)
from lockstep.core.replay_dependencies import statements_in_do_block
from lockstep.core.sqlparse import ParsedSql

# Called after each migration with its path, the live schema and what its statements did.
MigrationObserver = Callable[[str, Schema, list[Event]], None]


@dataclass(slots=True)
class ReplayResult:
    schema: Schema
    issues: list[ReplayIssue]
    events: dict[str, list[Event]]  # migration path → what each statement did


_DROPS = {
    ObjectType.OBJECT_TABLE: tables.drop_tables,
    ObjectType.OBJECT_INDEX: objects.drop_indexes,
    ObjectType.OBJECT_POLICY: objects.drop_policies,
    ObjectType.OBJECT_VIEW: objects.drop_views,
    ObjectType.OBJECT_MATVIEW: objects.drop_views,
    ObjectType.OBJECT_TYPE: objects.drop_types,
}


def _dispatch(context: StatementContext, node: object) -> None:
    if isinstance(node, ast.CreateStmt):
        tables.create_table(context, node)
    elif isinstance(node, ast.AlterTableStmt):
        tables.alter_table(context, node)
    elif isinstance(node, ast.RenameStmt):
        if not tables.rename(context, node):
            objects.rename_other(context, node)
    elif isinstance(node, ast.AlterObjectSchemaStmt):
        tables.set_schema(context, node)
    elif isinstance(node, ast.DropStmt):
        handler = _DROPS.get(node.removeType)
        if handler is not None:
            handler(context, node)
    elif isinstance(node, ast.IndexStmt):
        objects.create_index(context, node)
    elif isinstance(node, ast.CreatePolicyStmt):
        objects.create_policy(context, node)
    elif isinstance(node, ast.CreateEnumStmt):
        objects.create_enum(context, node)
    elif isinstance(node, ast.AlterEnumStmt):
        objects.alter_enum(context, node)
    elif isinstance(node, ast.ViewStmt):
        objects.create_view(context, node.view, node.query, materialized=False)
    elif isinstance(node, ast.CreateTableAsStmt) and node.objtype == ObjectType.OBJECT_MATVIEW:
        objects.create_view(context, node.into.rel, node.query, materialized=True)
    elif isinstance(node, ast.CreateTableAsStmt):
        tables.create_table_as(context, node)
    elif isinstance(node, ast.CreateFunctionStmt):
        objects.create_function(context, node)
    elif isinstance(node, ast.CreateTrigStmt):
        objects.create_trigger(context, node)
    elif isinstance(node, ast.CommentStmt):
        objects.comment_on(context, node)
    elif isinstance(node, ast.VariableSetStmt):
        objects.set_variable(context, node)
    elif isinstance(node, ast.CreateSchemaStmt):
        context.state.created_schemas.add(node.schemaname)
    elif isinstance(node, ast.DoStmt) and not isinstance(context, NestedContext):
        for text, inner in statements_in_do_block(node):
            _dispatch(NestedContext(context.state, context.path, context.parsed,
                                    context.statement, text), inner)
    # DO blocks, transactions, grants, owners … change nothing the model tracks.


def replay(
    migrations: Sequence[tuple[str, ParsedSql]],
    observer: MigrationObserver | None = None,
) -> ReplayResult:
    """Replay parsed migrations in order; `observer` sees the schema after each migration
    (live and mutable: it copies what it keeps)."""
    state = ReplayState()
    for path, parsed in migrations:
        state.search_path = ("public",)  # each file runs in its own session
        for statement in parsed.statements:
            context = StatementContext(state, path, parsed, statement)
            try:
                _dispatch(context, statement.node)
            except (AttributeError, KeyError, TypeError, ValueError, IndexError) as error:
                # A construct we do not model must not stop the replay of the rest.
                context.issue("replay-error", f"Lockstep could not replay this statement: "
                              f"{type(error).__name__}: {error}", context.whole)
        if observer is not None:
            observer(path, state.schema, state.events.get(path, []))
    return ReplayResult(state.schema, state.issues, state.events)


__all__ = ["Event", "ReplayIssue", "ReplayResult", "names", "replay"]
