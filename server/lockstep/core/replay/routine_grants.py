"""Who may EXECUTE each function (splinter 0028/0029): PostgreSQL grants EXECUTE to PUBLIC on
every new function, and Supabase's default privileges grant it to anon, authenticated and
service_role in `public`; GRANT, REVOKE and ALTER DEFAULT PRIVILEGES change that.

Kept in `Schema.executors` beside the signatures (replay/functions.py), by the same key; runs
after the main handler (engine.py), so a new function's signature is already there.
Procedures are not tracked (PostgREST cannot call them).
"""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import FunctionParameterMode, GrantTargetType, ObjectType, RoleSpecType

from lockstep.core.replay.context import StatementContext, names
from lockstep.core.replay.functions import argument_type

FunctionKey = tuple[str, str, str]
_FUNCTIONS = (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_ROUTINE)
_NOT_IDENTITY = (FunctionParameterMode.FUNC_PARAM_OUT, FunctionParameterMode.FUNC_PARAM_TABLE)


def _defaults(context: StatementContext, schema: str) -> set[str]:
    defaults = context.schema.default_executors
    return defaults.get(schema, set()) | defaults.get("*", set())


def _created(context: StatementContext, node: ast.CreateFunctionStmt) -> None:
    if node.is_procedure:
        return
    dotted = names(node.funcname)
    schema = context.creation_schema(dotted[-2] if len(dotted) > 1 else None)
    for key in context.schema.signatures:
        if key[:2] == (schema, dotted[-1]) and key not in context.schema.executors:
            context.schema.executors[key] = _defaults(context, schema)  # OR REPLACE keeps them


def targets(context: StatementContext, target: ast.ObjectWithArgs) -> list[FunctionKey]:
    """The overloads `f(int, text)` (or every `f` when no arguments are given) names."""
    dotted = names(target.objname)
    schema = context.creation_schema(dotted[-2] if len(dotted) > 1 else None)
    overloads = [k for k in context.schema.signatures if k[:2] == (schema, dotted[-1])]
    if target.args_unspecified:
        return overloads
    wanted = ", ".join(argument_type(p.argType) for p in target.objfuncargs or ()
                       if p.mode not in _NOT_IDENTITY)
    return [k for k in overloads if k[2] == wanted]


def _grantees(node: Any) -> set[str]:
    return {"public" if g.roletype == RoleSpecType.ROLESPEC_PUBLIC else (g.rolename or "")
            for g in node.grantees or ()}


def _grants_execute(privileges: Any) -> bool:
    return privileges is None or any(p.priv_name == "execute" for p in privileges)


def _grant(context: StatementContext, node: ast.GrantStmt) -> None:
    if node.objtype not in _FUNCTIONS or not _grants_execute(node.privileges):
        return
    if node.targtype == GrantTargetType.ACL_TARGET_ALL_IN_SCHEMA:
        schemas = {getattr(o, "sval", "") for o in node.objects or ()}
        keys = [k for k in context.schema.signatures if k[0] in schemas]
    else:
        keys = [k for o in node.objects or () for k in targets(context, o)]
    for key in keys:
        held = context.schema.executors.setdefault(key, _defaults(context, key[0]))
        if node.is_grant:
            held |= _grantees(node)
        else:
            held -= _grantees(node)


def _default_privileges(context: StatementContext, node: ast.AlterDefaultPrivilegesStmt) -> None:
    action = node.action
    if action.objtype not in _FUNCTIONS or not _grants_execute(action.privileges):
        return
    schemas = next(([getattr(v, "sval", "") for v in o.arg or ()]
                    for o in node.options or () if o.defname == "schemas"), ["*"])
    for schema in schemas:
        held = context.schema.default_executors.setdefault(schema, set())
        if action.is_grant:
            held |= _grantees(action)
        else:
            held -= _grantees(action)  # PUBLIC's EXECUTE goes only without IN SCHEMA ("*")


def observe(context: StatementContext, node: object) -> None:
    """Keep `Schema.executors` in step with the statement just replayed."""
    if isinstance(node, ast.CreateFunctionStmt):
        _created(context, node)
    elif isinstance(node, ast.GrantStmt):
        _grant(context, node)
    elif isinstance(node, ast.AlterDefaultPrivilegesStmt):
        _default_privileges(context, node)
    elif isinstance(node, ast.DropStmt):  # functions dropped, by name or with their schema
        executors = context.schema.executors
        for key in [k for k in executors if k not in context.schema.signatures]:
            del executors[key]
