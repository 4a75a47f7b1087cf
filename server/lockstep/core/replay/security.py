"""What Supabase's database advisors need from the migrations: grants, policy roles and
expressions, function attributes, view options, extensions and index shapes.

Runs after the main handler of each statement (engine.py calls `observe`), so the objects it
annotates already exist; it never creates tables or reports unknown names itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pglast import ast
from pglast.enums import SubLinkType

from lockstep.core.model import Extension, Location, PolicyFacts, Signature
from lockstep.core.replay.context import NestedContext, StatementContext, deparse, names
from lockstep.core.sql import ir

# Calls that PostgreSQL re-evaluates per row unless wrapped in `(select …)` (splinter 0003).
PER_ROW_CALLS = (("auth", "uid"), ("auth", "jwt"), ("auth", "role"), ("auth", "email"),
                 ("current_setting",))
_RELATIONS = ("table", "view", "materialized view", "foreign table")
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


def _roles(roles: tuple[str, ...]) -> list[str]:
    return [] if "public" in roles else list(roles)


def _set_expressions(context: StatementContext, facts: PolicyFacts, using: ir.Expr | None,
                     check: ir.Expr | None) -> None:
    using_node = using.node if using is not None else None
    check_node = check.node if check is not None else None
    if using is not None:
        facts.using = using.sql
    if check is not None:
        facts.check = check.sql
    calls = per_row_calls(using_node) + per_row_calls(check_node)
    if using is not None or check is not None:
        facts.per_row_calls = [_call_location(context, c) for c in calls]
    facts.user_metadata = facts.user_metadata or _reads_user_metadata(using_node) \
        or _reads_user_metadata(check_node)


def _policy(context: StatementContext, node: ir.Policy) -> None:
    table = context.lookup_table(node.table.schema, node.table.name)
    if table is None:
        return
    if node.create:
        policy = next((p for p in reversed(table.policies) if p.name == node.name), None)
        if policy is None:
            return
        facts = PolicyFacts(permissive=node.permissive, roles=_roles(node.roles))
        _set_expressions(context, facts, node.using, node.check)
        policy.facts = facts
        return
    policy = next((p for p in table.policies if p.name == node.name), None)
    if policy is None or policy.facts is None:
        return
    if node.roles:
        policy.facts.roles = _roles(node.roles)
    if node.using is not None or node.check is not None:
        policy.facts.user_metadata = False
        _set_expressions(context, policy.facts, node.using, node.check)


def _function_options(signature: Signature, definer: bool | None,
                      settings: tuple[ir.Setting, ...]) -> None:
    if definer is not None:
        signature.security_definer = definer
    for setting in settings:
        if setting.name == "search_path":
            signature.search_path_set = setting.value is not None
        elif not setting.name:  # RESET ALL
            signature.search_path_set = False


def _signatures(context: StatementContext, name: ir.Name) -> list[Signature]:
    key = name.resolved(context.state.search_path)
    return [s for k, s in context.schema.signatures.items() if k[:2] == key]


def _create_function(context: StatementContext, node: ir.CreateFunction) -> None:
    if node.procedure:
        return
    found = _signatures(context, node.name)
    if found:  # functions.py stored it just now, last among its overloads
        signature = found[-1]
        signature.location = context.whole
        _function_options(signature, node.security_definer, node.settings)


def _alter_function(context: StatementContext, node: ir.AlterFunction) -> None:
    for signature in _signatures(context, node.name):
        _function_options(signature, node.security_definer, node.settings)


def _rel_options(options: tuple[tuple[str, str | None], ...]) -> bool | None:
    for name, value in options:
        if name == "security_invoker":
            return value is None or value.lower() in _TRUE_WORDS
    return None


def _created(context: StatementContext, name: ir.Name) -> None:
    key = name.resolved(context.state.search_path)
    defaults = context.schema.default_readers
    if key not in context.schema.readers:  # IF NOT EXISTS keeps the grants it had
        context.schema.readers[key] = defaults.get(key[0], set()) | defaults.get("*", set())


def _view(context: StatementContext, node: ir.CreateView) -> None:
    _created(context, node.name)
    view = context.schema.views.get(node.name.resolved(context.state.search_path))
    if view is not None:
        view.security_invoker = bool(_rel_options(node.options))


def _alter_table(context: StatementContext, node: ir.AlterTable) -> None:
    view = context.schema.views.get(node.name.resolved(context.state.search_path))
    for command in node.commands:
        if view is None:
            continue
        if command.op == "SetRelOptions":
            invoker = _rel_options(command.options)
            if invoker is not None:
                view.security_invoker = invoker
        elif command.op == "ResetRelOptions" and any(
                name == "security_invoker" for name, _ in command.options):
            view.security_invoker = False


def _extension(context: StatementContext, node: ir.CreateExtension) -> None:
    if node.name in context.schema.extensions:
        return
    context.schema.extensions[node.name] = Extension(
        node.name, FIXED_SCHEMAS.get(node.name) or node.schema or context.creation_schema(None),
        context.whole)


def _move(context: StatementContext, node: ir.SetSchema) -> None:
    if node.object_kind == "extension":
        extension = context.schema.extensions.get(node.target.name)
        if extension is not None:
            extension.schema = node.new_schema


def _drop(context: StatementContext, node: ir.Drop) -> None:
    if node.object_kind == "extension":
        for name in node.names:
            context.schema.extensions.pop(name.name, None)
    elif node.object_kind in _RELATIONS:
        for name in node.names:
            context.schema.readers.pop(name.resolved(context.state.search_path), None)


def _rename(context: StatementContext, node: ir.Rename) -> None:
    if node.object_kind in _RELATIONS and node.target is not None and node.new_name:
        schema = context.creation_schema(node.target.schema)
        readers = context.schema.readers.pop((schema, node.target.name), None)
        if readers is not None:
            context.schema.readers[(schema, node.new_name)] = readers


def _grants_select(node: ir.Grant) -> bool:
    return not node.privileges or "select" in node.privileges


def _grantees(node: ir.Grant) -> set[str]:
    return set(node.roles)


def _grant(context: StatementContext, node: ir.Grant) -> None:
    if node.object_kind != "table" or not _grants_select(node):
        return
    readers = context.schema.readers
    if node.all_in_schema:
        schemas = {o.name for o in node.objects}
        keys = [k for k in readers if k[0] in schemas]
    else:
        keys = [o.resolved(context.state.search_path) for o in node.objects]
    for key in keys:
        held = readers.setdefault(key, set())
        if node.grant:
            held |= _grantees(node)
        else:
            held -= _grantees(node)


def _default_privileges(context: StatementContext, node: ir.DefaultPrivileges) -> None:
    """`IN SCHEMA a, b`; without it the defaults hold everywhere (stored under "*")."""
    action = node.grant
    if action.object_kind != "table" or not _grants_select(action):
        return
    for schema in node.schemas or ("*",):
        held = context.schema.default_readers.setdefault(schema, set())
        if action.grant:
            held |= _grantees(action)
        else:
            held -= _grantees(action)


def _index(context: StatementContext, node: ir.CreateIndex) -> None:
    table = context.lookup_table(node.table.schema, node.table.name)
    if table is None or not table.indexes:
        return
    named = [i for i in table.indexes if i.name == node.name] if node.name else []
    index = named[-1] if named else table.indexes[-1]
    if index.shape:  # CREATE INDEX IF NOT EXISTS of an index that was there already
        return
    keys = ", ".join(e.name if e.name and e.plain else _printed(e.element)
                     for e in node.columns)
    include = ", ".join(_printed(e.element) for e in node.include)
    where = node.where.sql if node.where is not None else ""
    index.shape = index_shape(node.unique, node.method or "btree", keys, include, where)


def _printed(element: ir.Expr | None) -> str:
    return element.sql if element is not None else ""


def index_shape(unique: bool, method: str, keys: str, include: str = "",
                where: str = "") -> str:
    """What PostgreSQL's index definition says apart from the index's name."""
    text = f"{'unique ' if unique else ''}{method.lower()} ({keys})"
    return text + (f" include ({include})" if include else "") + (f" where {where}" if where
                                                                   else "")


def _table(context: StatementContext, node: ir.CreateTable | ir.CreateTableAs) -> None:
    _created(context, node.name)


_OBSERVERS: dict[type, Callable[[StatementContext, Any], None]] = {
    ir.Policy: _policy,
    ir.CreateFunction: _create_function,
    ir.AlterFunction: _alter_function,
    ir.CreateView: _view,
    ir.AlterTable: _alter_table,
    ir.CreateExtension: _extension,
    ir.SetSchema: _move,
    ir.Drop: _drop,
    ir.Rename: _rename,
    ir.Grant: _grant,
    ir.DefaultPrivileges: _default_privileges,
    ir.CreateIndex: _index,
    ir.CreateTable: _table,
    ir.CreateTableAs: _table,
}


def observe(context: StatementContext, node: ir.Stmt) -> None:
    """Annotate what the main handler just built (engine.py calls this after it)."""
    handler = _OBSERVERS.get(type(node))
    if handler is not None:
        handler(context, node)
