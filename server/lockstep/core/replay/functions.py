"""Function signatures, domains and composite types: what the generated types need.

Kept apart from objects.py (which records routines by name for navigation) so that the
signature bookkeeping can grow without touching the rest of the replay.
"""

from __future__ import annotations

from dataclasses import replace

from lockstep.core.model import CompositeType, Domain, Parameter, Signature
from lockstep.core.replay.context import StatementContext
from lockstep.core.sql import ir
from lockstep.core.sql.types import format_type

_IDENTITY_MODES = ("in", "inout", "variadic")


def _qualified(context: StatementContext, name: ir.Name) -> tuple[str, str]:
    return name.resolved(context.state.search_path)


def identity(parameters: list[Parameter]) -> str:
    """The argument types that identify an overload (pg_get_function_identity_arguments)."""
    return ", ".join(p.type for p in parameters if p.mode in _IDENTITY_MODES)


def argument_type(type_name: ir.TypeRef | None) -> str:
    """As pg_proc keeps it: PostgreSQL drops the typmods of arguments and results
    (`numeric(19,4)` is `numeric`, `char(5)` is `character`)."""
    if type_name is None:
        return "unknown"
    bare = replace(type_name, modifiers=())
    text = format_type(bare).removeprefix("SETOF ")
    return "character" + text[len("bpchar"):] if text in ("bpchar", "bpchar[]") else text


def create_function(context: StatementContext, node: ir.CreateFunction) -> None:
    if node.procedure:
        return
    schema, name = _qualified(context, node.name)
    parameters = [Parameter(a.name or "", a.mode, argument_type(a.type), a.default is not None)
                  for a in node.arguments]
    signature = Signature(schema, name, parameters)
    outs = [p for p in parameters if p.mode in ("out", "inout")]
    if node.returns is not None:
        signature.returns = argument_type(node.returns)
        signature.returns_set = node.returns.setof
    elif len(outs) == 1:
        signature.returns = outs[0].type
    elif outs:
        signature.returns = "record"
    signature.rows = node.rows
    if node.language is not None:
        signature.language = node.language
    signature.body = node.body or ""
    if signature.returns_set and signature.rows is None:
        signature.rows = 1000  # PostgreSQL's default estimate for set-returning functions
    context.schema.signatures[(schema, name, identity(parameters))] = signature


def drop_functions(context: StatementContext, node: ir.Drop) -> None:
    for target, arguments in zip(node.names, node.arguments, strict=False):
        schema, name = _qualified(context, target)
        if arguments is None:
            doomed = [k for k in context.schema.signatures if k[:2] == (schema, name)]
        else:
            wanted = [Parameter("", a.mode, argument_type(a.type)) for a in arguments]
            doomed = [(schema, name, identity(wanted))]
        for key in doomed:
            context.schema.signatures.pop(key, None)


def create_domain(context: StatementContext, node: ir.CreateDomain) -> None:
    schema, name = _qualified(context, node.name)
    not_null = any(c.kind == "not-null" for c in node.constraints)
    context.schema.domains[(schema, name)] = Domain(schema, name, _format(node.type), not_null)


def _format(type_name: ir.TypeRef | None) -> str:
    return format_type(type_name) if type_name is not None else "unknown"


def create_composite(context: StatementContext, node: ir.CreateComposite) -> None:
    schema, name = _qualified(context, node.name)
    attributes = [(c.name, _format(c.type)) for c in node.columns]
    context.schema.composites[(schema, name)] = CompositeType(schema, name, attributes)


def drop_types(context: StatementContext, node: ir.Drop) -> None:
    """DROP TYPE / DROP DOMAIN of the domains and composites kept here."""
    for dropped in node.names:
        key = _qualified(context, dropped)
        context.schema.domains.pop(key, None)
        context.schema.composites.pop(key, None)
