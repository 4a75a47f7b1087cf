"""libpg_query JSON → the IR of routines: CREATE and ALTER FUNCTION (arguments, options, SET
settings), and the argument lists by which GRANT and DROP name a routine's overloads.

Part of `ir_build.py`, which dispatches each statement kind; apart because a routine's
parameters and options are a vocabulary of their own.
"""

from __future__ import annotations

from typing import Any

from lockstep.core.sql import ir
from lockstep.core.sql.ir_parts import Builder, strings

Json = dict[str, Any]


_MODES = {"FUNC_PARAM_IN": "in", "FUNC_PARAM_OUT": "out", "FUNC_PARAM_INOUT": "inout",
          "FUNC_PARAM_VARIADIC": "variadic", "FUNC_PARAM_TABLE": "table",
          "FUNC_PARAM_DEFAULT": "in"}


def _argument(parameter: Json, b: Builder) -> ir.Argument:
    p = parameter.get("FunctionParameter", {})
    default = p.get("defexpr")
    return ir.Argument(p.get("name"), b.type_ref(p["argType"]) if "argType" in p else None,
                       _MODES.get(p.get("mode", ""), "in"), b.expr(default) if default else None)


def _setting(arg: Json, b: Builder) -> ir.Setting:
    variable = arg.get("VariableSetStmt", {})
    values = b.set_values(variable) if variable.get("kind") == "VAR_SET_VALUE" else None
    return ir.Setting(variable.get("name", ""), None if values is None else ", ".join(values))


def create_function(f: Json, b: Builder) -> ir.Stmt:
    arguments = tuple(_argument(p, b) for p in f.get("parameters", ()))
    options = _routine_options(f.get("options", ()), b)
    returns = f.get("returnType")
    rows = options.get("rows")
    return ir.CreateFunction(
        b.whole, b.dotted(strings(f.get("funcname"))), arguments,
        b.type_ref(returns) if returns else None, bool(f.get("replace")),
        bool(f.get("is_procedure")), options.get("language"), options.get("as"),
        options.get("security") == "true", options.get("volatility"),
        tuple(options.settings), int(float(rows)) if rows else None)


class _Options(dict[str, str | None]):
    """A routine's options by name; its SET options in order."""

    def __init__(self) -> None:
        super().__init__()
        self.settings: list[ir.Setting] = []


def _routine_options(elements: Any, b: Builder) -> _Options:
    options = _Options()
    for option in elements:
        element = option.get("DefElem", {})
        name, arg = element.get("defname", ""), element.get("arg")
        if name == "as":
            options[name] = next(iter(strings(arg)), None) if "List" in (arg or {}) \
                else b.string(arg)
        elif name == "set" and arg:
            options.settings.append(_setting(arg, b))
        else:
            options[name] = b.scalar(arg)
    return options


def alter_function(f: Json, b: Builder) -> ir.Stmt:
    options = _routine_options(f.get("actions", ()), b)
    security = options.get("security")
    return ir.AlterFunction(b.whole, b.dotted(strings(f.get("func", {}).get("objname"))),
                            None if "security" not in options else security == "true",
                            tuple(options.settings))


def routine_arguments(item: Any, b: Builder) -> tuple[ir.Argument, ...] | None:
    """`f(int, text)`'s arguments as a GRANT or DROP names them; None when not given."""
    routine = item.get("ObjectWithArgs") if isinstance(item, dict) else None
    if routine is None or routine.get("args_unspecified"):
        return None
    return tuple(_argument(p, b) for p in routine.get("objfuncargs", ()))
