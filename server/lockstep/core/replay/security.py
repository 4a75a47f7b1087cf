"""What Supabase's database advisors need from the migrations: grants, policy roles and
expressions, function attributes, view options, extensions and index shapes.

Runs after the main handler of each statement (engine.py calls `observe`), so the objects it
annotates already exist; it never creates tables or reports unknown names itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pglast import ast
from pglast.enums import (
    AlterTableType,
    GrantTargetType,
    ObjectType,
    RoleSpecType,
    SubLinkType,
)

from lockstep.core.model import Extension, Location, PolicyFacts, Signature, Table
from lockstep.core.replay.context import NestedContext, StatementContext, deparse, names

# Calls that PostgreSQL re-evaluates per row unless wrapped in `(select …)` (splinter 0003).
PER_ROW_CALLS = (("auth", "uid"), ("auth", "jwt"), ("auth", "role"), ("auth", "email"),
                 ("current_setting",))
_RELATIONS = (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW,
              ObjectType.OBJECT_FOREIGN_TABLE)
_TRUE_WORDS = ("1", "true", "yes", "on")
# Extensions whose control file pins their schema: `CREATE EXTENSION` ignores the search_path.
FIXED_SCHEMAS = {"pg_cron": "pg_catalog", "plpgsql": "pg_catalog", "supabase_vault": "vault",
                 "pg_graphql": "graphql", "pgsodium": "pgsodium"}


def _walk(node: Any) -> Iterator[Any]:
    """Every pglast node under `node` (itself included), depth first."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for name in node:
            yield from _walk(getattr(node, name))


def _call_name(call: ast.FuncCall) -> tuple[str, ...]:
    dotted = tuple(names(call.funcname))
    return dotted[-1:] if dotted[:1] == ("pg_catalog",) else dotted


def _wrapped(expression: Any) -> set[int]:
    """ids of calls that are the whole target of a scalar sub-select: `(select auth.uid())`."""
    wrapped: set[int] = set()
    for node in _walk(expression):
        if isinstance(node, ast.SubLink) and node.subLinkType == SubLinkType.EXPR_SUBLINK:
            targets = getattr(node.subselect, "targetList", None) or ()
            if targets and isinstance(targets[0].val, ast.FuncCall):
                wrapped.add(id(targets[0].val))
    return wrapped


def per_row_calls(expression: Any) -> list[ast.FuncCall]:
    """The calls splinter's auth_rls_initplan flags: a function called bare and never wrapped
    in the same expression (splinter matches the expression's text the same way)."""
    if expression is None:
        return []
    wrapped_ids = _wrapped(expression)
    calls = [n for n in _walk(expression) if isinstance(n, ast.FuncCall)
             and _call_name(n) in PER_ROW_CALLS]
    wrapped_names = {_call_name(c) for c in calls if id(c) in wrapped_ids}
    return [c for c in calls if id(c) not in wrapped_ids and _call_name(c) not in wrapped_names]


def _reads_user_metadata(expression: Any) -> bool:
    """`auth.jwt() … 'user_metadata'` (or the raw claims setting) anywhere in the expression."""
    if expression is None:
        return False
    nodes = list(_walk(expression))
    jwt = any(isinstance(n, ast.FuncCall) and (
        _call_name(n) == ("auth", "jwt")
        or (_call_name(n) == ("current_setting",) and "request.jwt.claims" in deparse(n)))
        for n in nodes)
    return jwt and any(isinstance(n, ast.String) and "user_metadata" in n.sval for n in nodes)


def _call_location(context: StatementContext, call: ast.FuncCall) -> Location:
    """From the function's name to its closing parenthesis."""
    if isinstance(context, NestedContext) or call.location is None or call.location < 0:
        return context.whole
    depth, end = 0, call.location
    for token in context.tokens_from(call.location):
        if token.name == "ASCII_40":
            depth += 1
        elif token.name == "ASCII_41":
            depth -= 1
            if depth == 0:
                end = token.end
                break
    base = context.statement.start
    return context.location(base + call.location, base + end)


def _roles(specs: Any) -> list[str]:
    roles = []
    for spec in specs or ():
        if spec.roletype == RoleSpecType.ROLESPEC_PUBLIC:
            return []
        roles.append(spec.rolename or "")
    return roles


def _set_expressions(context: StatementContext, facts: PolicyFacts, using: Any,
                     check: Any) -> None:
    if using is not None:
        facts.using = deparse(using)
    if check is not None:
        facts.check = deparse(check)
    calls = per_row_calls(using) + per_row_calls(check)
    if using is not None or check is not None:
        facts.per_row_calls = [_call_location(context, c) for c in calls]
    facts.user_metadata = facts.user_metadata or _reads_user_metadata(using) \
        or _reads_user_metadata(check)


def _policy_table(context: StatementContext, relation: ast.RangeVar) -> Table | None:
    return context.lookup_table(relation.schemaname, relation.relname)


def _create_policy(context: StatementContext, node: ast.CreatePolicyStmt) -> None:
    table = _policy_table(context, node.table)
    policy = next((p for p in reversed(table.policies) if p.name == node.policy_name), None) \
        if table else None
    if policy is None:
        return
    facts = PolicyFacts(permissive=bool(node.permissive), roles=_roles(node.roles))
    _set_expressions(context, facts, node.qual, node.with_check)
    policy.facts = facts


def _alter_policy(context: StatementContext, node: ast.AlterPolicyStmt) -> None:
    table = _policy_table(context, node.table)
    policy = next((p for p in table.policies if p.name == node.policy_name), None) \
        if table else None
    if policy is None or policy.facts is None:
        return
    if node.roles:
        policy.facts.roles = _roles(node.roles)
    if node.qual is not None or node.with_check is not None:
        policy.facts.user_metadata = False
        _set_expressions(context, policy.facts, node.qual, node.with_check)


def _function_options(signature: Signature, options: Any) -> None:
    for option in options or ():
        if option.defname == "security":
            signature.security_definer = bool(getattr(option.arg, "boolval", False))
        elif option.defname == "set" and isinstance(option.arg, ast.VariableSetStmt):
            if option.arg.name == "search_path":
                signature.search_path_set = option.arg.args is not None
            elif option.arg.name is None:  # RESET ALL
                signature.search_path_set = False


def _signatures(context: StatementContext, dotted: list[str]) -> list[Signature]:
    schema = context.creation_schema(dotted[-2] if len(dotted) > 1 else None)
    return [s for k, s in context.schema.signatures.items() if k[:2] == (schema, dotted[-1])]


def _create_function(context: StatementContext, node: ast.CreateFunctionStmt) -> None:
    if node.is_procedure:
        return
    found = _signatures(context, names(node.funcname))
    if found:  # functions.py stored it just now, last among its overloads
        signature = found[-1]
        signature.location = context.whole
        _function_options(signature, node.options)


def _alter_function(context: StatementContext, node: ast.AlterFunctionStmt) -> None:
    for signature in _signatures(context, names(node.func.objname)):
        _function_options(signature, node.actions)


def _rel_options(options: Any) -> bool | None:
    for option in options or ():
        if option.defname == "security_invoker":
            value = getattr(option.arg, "sval", None) or getattr(option.arg, "ival", None)
            if option.arg is None:
                return True
            return str(getattr(option.arg, "boolval", value)).lower() in _TRUE_WORDS
    return None


def _created(context: StatementContext, relation: ast.RangeVar) -> None:
    key = (context.creation_schema(relation.schemaname), relation.relname)
    defaults = context.schema.default_readers
    if key not in context.schema.readers:  # IF NOT EXISTS keeps the grants it had
        context.schema.readers[key] = defaults.get(key[0], set()) | defaults.get("*", set())


def _view(context: StatementContext, node: ast.ViewStmt) -> None:
    _created(context, node.view)
    key = (context.creation_schema(node.view.schemaname), node.view.relname)
    view = context.schema.views.get(key)
    if view is not None:
        view.security_invoker = bool(_rel_options(node.options))


def _alter_table(context: StatementContext, node: ast.AlterTableStmt) -> None:
    key = (context.creation_schema(node.relation.schemaname), node.relation.relname)
    view = context.schema.views.get(key)
    for command in node.cmds or ():
        if view is None:
            continue
        if command.subtype == AlterTableType.AT_SetRelOptions:
            invoker = _rel_options(command.def_)
            if invoker is not None:
                view.security_invoker = invoker
        elif command.subtype == AlterTableType.AT_ResetRelOptions and any(
                o.defname == "security_invoker" for o in command.def_ or ()):
            view.security_invoker = False


def _extension(context: StatementContext, node: ast.CreateExtensionStmt) -> None:
    if node.extname in context.schema.extensions:
        return
    schema = next((str(o.arg.sval) for o in node.options or ()
                   if o.defname == "schema" and hasattr(o.arg, "sval")), None)
    context.schema.extensions[node.extname] = Extension(
        node.extname, FIXED_SCHEMAS.get(node.extname) or schema or context.creation_schema(None),
        context.whole)


def _move(context: StatementContext, node: ast.AlterObjectSchemaStmt) -> None:
    if node.objectType == ObjectType.OBJECT_EXTENSION:
        extension = context.schema.extensions.get(getattr(node.object, "sval", ""))
        if extension is not None:
            extension.schema = node.newschema


def _drop(context: StatementContext, node: ast.DropStmt) -> None:
    if node.removeType == ObjectType.OBJECT_EXTENSION:
        for name in node.objects or ():
            context.schema.extensions.pop(getattr(name, "sval", ""), None)
    elif node.removeType in _RELATIONS:
        for parts in node.objects or ():
            dotted = names(parts)
            schema = context.creation_schema(dotted[-2] if len(dotted) > 1 else None)
            context.schema.readers.pop((schema, dotted[-1]), None)


def _rename(context: StatementContext, node: ast.RenameStmt) -> None:
    if node.renameType in _RELATIONS and node.relation is not None and node.newname:
        schema = context.creation_schema(node.relation.schemaname)
        readers = context.schema.readers.pop((schema, node.relation.relname), None)
        if readers is not None:
            context.schema.readers[(schema, node.newname)] = readers


def _grantees(node: Any) -> set[str]:
    return {"public" if g.roletype == RoleSpecType.ROLESPEC_PUBLIC else (g.rolename or "")
            for g in node.grantees or ()}


def _grants_select(privileges: Any) -> bool:
    return privileges is None or any(p.priv_name == "select" for p in privileges)


def _grant(context: StatementContext, node: ast.GrantStmt) -> None:
    if node.objtype != ObjectType.OBJECT_TABLE or not _grants_select(node.privileges):
        return
    readers = context.schema.readers
    if node.targtype == GrantTargetType.ACL_TARGET_ALL_IN_SCHEMA:
        schemas = {getattr(o, "sval", "") for o in node.objects or ()}
        keys = [k for k in readers if k[0] in schemas]
    elif node.targtype == GrantTargetType.ACL_TARGET_OBJECT:
        keys = [(context.creation_schema(o.schemaname), o.relname) for o in node.objects or ()]
    else:
        return
    for key in keys:
        held = readers.setdefault(key, set())
        if node.is_grant:
            held |= _grantees(node)
        else:
            held -= _grantees(node)


def _default_privileges(context: StatementContext, node: ast.AlterDefaultPrivilegesStmt) -> None:
    action = node.action
    if action.objtype != ObjectType.OBJECT_TABLE or not _grants_select(action.privileges):
        return
    for schema in _option_schemas(node):
        held = context.schema.default_readers.setdefault(schema, set())
        if action.is_grant:
            held |= _grantees(action)
        else:
            held -= _grantees(action)


def _option_schemas(node: ast.AlterDefaultPrivilegesStmt) -> list[str]:
    """`IN SCHEMA a, b`; without it the defaults hold everywhere (stored under "*")."""
    for option in node.options or ():
        if option.defname == "schemas":
            return [getattr(v, "sval", "") for v in option.arg or ()]
    return ["*"]


def _index(context: StatementContext, node: ast.IndexStmt) -> None:
    table = context.lookup_table(node.relation.schemaname, node.relation.relname)
    if table is None or not table.indexes:
        return
    named = [i for i in table.indexes if i.name == node.idxname] if node.idxname else []
    index = named[-1] if named else table.indexes[-1]
    if index.shape:  # CREATE INDEX IF NOT EXISTS of an index that was there already
        return
    keys = ", ".join(e.name if e.name and not (e.opclass or e.collation or e.ordering
                                                or e.nulls_ordering) else deparse(e)
                     for e in node.indexParams or ())
    include = ", ".join(deparse(e) for e in node.indexIncludingParams or ())
    where = deparse(node.whereClause) if node.whereClause is not None else ""
    index.shape = index_shape(bool(node.unique), node.accessMethod or "btree", keys,
                              include, where)


def index_shape(unique: bool, method: str, keys: str, include: str = "",
                where: str = "") -> str:
    """What PostgreSQL's index definition says apart from the index's name."""
    text = f"{'unique ' if unique else ''}{method.lower()} ({keys})"
    return text + (f" include ({include})" if include else "") + (f" where {where}" if where
                                                                   else "")


def _created_table(context: StatementContext, node: ast.CreateStmt) -> None:
    _created(context, node.relation)


def _table_as(context: StatementContext, node: ast.CreateTableAsStmt) -> None:
    _created(context, node.into.rel)


_OBSERVERS: dict[type, Callable[[StatementContext, Any], None]] = {
    ast.CreatePolicyStmt: _create_policy,
    ast.AlterPolicyStmt: _alter_policy,
    ast.CreateFunctionStmt: _create_function,
    ast.AlterFunctionStmt: _alter_function,
    ast.ViewStmt: _view,
    ast.AlterTableStmt: _alter_table,
    ast.CreateExtensionStmt: _extension,
    ast.AlterObjectSchemaStmt: _move,
    ast.DropStmt: _drop,
    ast.RenameStmt: _rename,
    ast.GrantStmt: _grant,
    ast.AlterDefaultPrivilegesStmt: _default_privileges,
    ast.IndexStmt: _index,
    ast.CreateStmt: _created_table,
    ast.CreateForeignTableStmt: lambda c, n: _created(c, n.base.relation),
    ast.CreateTableAsStmt: _table_as,
}


def observe(context: StatementContext, node: object) -> None:
    """Annotate what the main handler just built (engine.py calls this after it)."""
    handler = _OBSERVERS.get(type(node))
    if handler is not None:
        handler(context, node)
