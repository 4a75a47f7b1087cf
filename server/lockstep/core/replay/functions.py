"""Function signatures, domains and composite types: what the generated types need.

Kept apart from objects.py (which records routines by name for navigation) so that the
signature bookkeeping can grow without touching the rest of the replay.
"""

from __future__ import annotations

from pglast import ast
from pglast.enums import ConstrType, FunctionParameterMode

from lockstep.core.model import CompositeType, Domain, Parameter, Signature
from lockstep.core.replay.context import StatementContext, names
from lockstep.core.sql.types import format_type, type_name_parts

_MODES = {
    FunctionParameterMode.FUNC_PARAM_IN: "in",
    FunctionParameterMode.FUNC_PARAM_DEFAULT: "in",
    FunctionParameterMode.FUNC_PARAM_OUT: "out",
    FunctionParameterMode.FUNC_PARAM_INOUT: "inout",
    FunctionParameterMode.FUNC_PARAM_VARIADIC: "variadic",
    FunctionParameterMode.FUNC_PARAM_TABLE: "table",
}
_IDENTITY_MODES = ("in", "inout", "variadic")


def _qualified(context: StatementContext, dotted: list[str]) -> tuple[str, str]:
    return context.creation_schema(dotted[-2] if len(dotted) > 1 else None), dotted[-1]


def identity(parameters: list[Parameter]) -> str:
    """The argument types that identify an overload (pg_get_function_identity_arguments)."""
    return ", ".join(p.type for p in parameters if p.mode in _IDENTITY_MODES)


def argument_type(type_name: ast.TypeName) -> str:
    """As pg_proc keeps it: PostgreSQL drops the typmods of arguments and results
    (`numeric(19,4)` is `numeric`, `char(5)` is `character`)."""
    bare = ast.TypeName(names=type_name.names, arrayBounds=type_name.arrayBounds,
                        setof=type_name.setof, pct_type=type_name.pct_type)
    text = format_type(bare).removeprefix("SETOF ")
    return "character" + text[len("bpchar"):] if text in ("bpchar", "bpchar[]") else text


def create_function(context: StatementContext, node: ast.CreateFunctionStmt) -> None:
    if node.is_procedure:
        return
    schema, name = _qualified(context, names(node.funcname))
    parameters = [
        Parameter(p.name or "", _MODES.get(p.mode, "in"), argument_type(p.argType),
                  p.defexpr is not None)
        for p in node.parameters or ()
    ]
    signature = Signature(schema, name, parameters)
    outs = [p for p in parameters if p.mode in ("out", "inout")]
    if node.returnType is not None:
        signature.returns = argument_type(node.returnType)
        signature.returns_set = bool(node.returnType.setof)
    elif len(outs) == 1:
        signature.returns = outs[0].type
    elif outs:
        signature.returns = "record"
    for option in node.options or ():
        value = getattr(option.arg, "ival", None) or getattr(option.arg, "fval", None)
        if option.defname == "rows" and value is not None:
            signature.rows = int(float(value))
        elif option.defname == "language":
            signature.language = str(getattr(option.arg, "sval", "sql"))
    if signature.returns_set and signature.rows is None:
        signature.rows = 1000  # PostgreSQL's default estimate for set-returning functions
    context.schema.signatures[(schema, name, identity(parameters))] = signature


def drop_functions(context: StatementContext, node: ast.DropStmt) -> None:
    for target in node.objects or ():
        schema, name = _qualified(context, names(target.objname))
        if target.args_unspecified:
            doomed = [k for k in context.schema.signatures if k[:2] == (schema, name)]
        else:
            wanted = [Parameter("", _MODES.get(p.mode, "in"), argument_type(p.argType))
                      for p in target.objfuncargs or ()]
            doomed = [(schema, name, identity(wanted))]
        for key in doomed:
            context.schema.signatures.pop(key, None)


def create_domain(context: StatementContext, node: ast.CreateDomainStmt) -> None:
    schema, name = _qualified(context, names(node.domainname))
    not_null = any(c.contype == ConstrType.CONSTR_NOTNULL for c in node.constraints or ())
    context.schema.domains[(schema, name)] = Domain(schema, name, format_type(node.typeName),
                                                    not_null)


def create_composite(context: StatementContext, node: ast.CompositeTypeStmt) -> None:
    schema = context.creation_schema(node.typevar.schemaname)
    attributes = [(c.colname, format_type(c.typeName)) for c in node.coldeflist or ()]
    context.schema.composites[(schema, node.typevar.relname)] = CompositeType(
        schema, node.typevar.relname, attributes)


def drop_types(context: StatementContext, node: ast.DropStmt) -> None:
    """DROP TYPE / DROP DOMAIN of the domains and composites kept here."""
    for type_name in node.objects or ():
        if isinstance(type_name, ast.TypeName):
            schema_part, name = type_name_parts(type_name)
        else:
            dotted = names(type_name)
            schema_part, name = (dotted[-2] if len(dotted) > 1 else None), dotted[-1]
        key = (context.creation_schema(schema_part), name)
        context.schema.domains.pop(key, None)
        context.schema.composites.pop(key, None)
