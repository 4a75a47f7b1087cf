"""Overloads PostgREST cannot choose between: the generator prints an error type for them."""

from __future__ import annotations

from lockstep.core.gen.meta import Argument, Function

IN_MODES = {"in", "inout", "variadic"}

# pg_type oids of the built-in types, for the order of an overload conflict's message
_OIDS = {"bool": 16, "bytea": 17, "int8": 20, "int2": 21, "int4": 23, "text": 25, "json": 114,
         "float4": 700, "float8": 701, "varchar": 1043, "date": 1082, "time": 1083,
         "timestamp": 1114, "timestamptz": 1184, "interval": 1186, "numeric": 1700,
         "uuid": 2950, "jsonb": 3802}
_RENAME_HINT = ("Try renaming the parameters or the function itself in the database so "
                "function overloading can be resolved")


def in_args(function: Function) -> list[Argument]:
    return [a for a in function.args if a.mode in IN_MODES]


def conflict(schema: str, function: Function, overloads: list[Function]) -> str | None:
    """Overloads PostgREST cannot tell apart (the template's two patterns)."""
    if len(overloads) <= 1:
        return None
    mine = in_args(function)
    others = [(o, in_args(o)) for o in overloads if o is not function]
    prefix = "Could not choose the best candidate function between: "
    if not mine:
        clash = [o for o, args in others
                 if len(args) == 1 and not args[0].name and args[0].has_default]
        if clash:
            return (f"{prefix}{schema}.{function.name}(), {schema}.{function.name}( => "
                    f"{clash[0].return_type.name}). {_RENAME_HINT}")
    elif len(mine) == 1 and mine[0].name:
        name, type_ = mine[0].name, mine[0].type
        clash = [o for o, args in others
                 if len(args) == 1 and args[0].name == name and args[0].type != type_]
        if clash:
            every = sorted([function, *clash], key=lambda f: _OIDS.get(
                in_args(f)[0].type.name, 100000))
            listed = ", ".join(
                f"{schema}.{function.name}("
                + ", ".join(f"{a.name} => {a.type.name}" for a in in_args(f)) + ")"
                for f in every)
            return f"{prefix}{listed}. {_RENAME_HINT}"
    return None
