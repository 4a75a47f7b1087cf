"""Who may EXECUTE each function (splinter 0028/0029): PostgreSQL grants EXECUTE to PUBLIC on
every new function, and Supabase's default privileges grant it to anon, authenticated and
service_role in `public`; GRANT, REVOKE and ALTER DEFAULT PRIVILEGES change that.

Kept in `Schema.executors` beside the signatures (replay/functions.py), by the same key; runs
after the main handler (engine.py), so a new function's signature is already there.
Procedures are not tracked (PostgREST cannot call them).
"""

from __future__ import annotations

from lockstep.core.model import Parameter
from lockstep.core.replay.context import StatementContext
from lockstep.core.replay.functions import argument_type, identity
from lockstep.core.sql import ir

FunctionKey = tuple[str, str, str]
_FUNCTIONS = ("function", "routine")


def _defaults(context: StatementContext, schema: str) -> set[str]:
    defaults = context.schema.default_executors
    return defaults.get(schema, set()) | defaults.get("*", set())


def _created(context: StatementContext, node: ir.CreateFunction) -> None:
    if node.procedure:
        return
    schema = context.creation_schema(node.name.schema)
    for key in context.schema.signatures:
        if key[:2] == (schema, node.name.name) and key not in context.schema.executors:
            context.schema.executors[key] = _defaults(context, schema)  # OR REPLACE keeps them


def targets(context: StatementContext, name: ir.Name,
            arguments: tuple[ir.Argument, ...] | None) -> list[FunctionKey]:
    """The overloads `f(int, text)` (or every `f` when no arguments are given) names."""
    schema = context.creation_schema(name.schema)
    overloads = [k for k in context.schema.signatures if k[:2] == (schema, name.name)]
    if arguments is None:
        return overloads
    wanted = identity([Parameter("", a.mode, argument_type(a.type)) for a in arguments])
    return [k for k in overloads if k[2] == wanted]


def _grants_execute(privileges: tuple[str, ...]) -> bool:
    return not privileges or "execute" in privileges  # none listed: ALL


def _grant(context: StatementContext, node: ir.Grant) -> None:
    if node.object_kind not in _FUNCTIONS or not _grants_execute(node.privileges):
        return
    if node.all_in_schema:
        schemas = {name.name for name in node.objects}
        keys = [k for k in context.schema.signatures if k[0] in schemas]
    else:
        arguments = node.arguments or (None,) * len(node.objects)
        keys = [k for name, given in zip(node.objects, arguments, strict=False)
                for k in targets(context, name, given)]
    for key in keys:
        held = context.schema.executors.setdefault(key, _defaults(context, key[0]))
        if node.grant:
            held |= set(node.roles)
        else:
            held -= set(node.roles)


def _default_privileges(context: StatementContext, node: ir.DefaultPrivileges) -> None:
    action = node.grant
    if action.object_kind not in _FUNCTIONS \
            or not _grants_execute(action.privileges):
        return
    for schema in node.schemas or ("*",):
        held = context.schema.default_executors.setdefault(schema, set())
        if action.grant:
            held |= set(action.roles)
        else:
            held -= set(action.roles)  # PUBLIC's EXECUTE goes only without IN SCHEMA ("*")


def observe(context: StatementContext, node: ir.Stmt) -> None:
    """Keep `Schema.executors` in step with the statement just replayed."""
    if isinstance(node, ir.CreateFunction):
        _created(context, node)
    elif isinstance(node, ir.Grant):
        _grant(context, node)
    elif isinstance(node, ir.DefaultPrivileges):
        _default_privileges(context, node)
    elif isinstance(node, ir.Drop):  # functions dropped, by name or with their schema
        executors = context.schema.executors
        for key in [k for k in executors if k not in context.schema.signatures]:
            del executors[key]
