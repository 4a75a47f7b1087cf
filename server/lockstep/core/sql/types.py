"""Column types as PostgreSQL's format_type() prints them, computed from parsed TypeNames."""

from __future__ import annotations

import re
from typing import Any

from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

from lockstep.core.sql.ir import TypeRef

_PLAIN = {
    "int2": "smallint",
    "smallint": "smallint",
    "int4": "integer",
    "int": "integer",
    "integer": "integer",
    "int8": "bigint",
    "bigint": "bigint",
    "float4": "real",
    "real": "real",
    "float8": "double precision",
    "bool": "boolean",
    "boolean": "boolean",
    "varbit": "bit varying",
    "decimal": "numeric",
}
_SERIALS = {
    "serial": "integer",
    "serial4": "integer",
    "bigserial": "bigint",
    "serial8": "bigint",
    "smallserial": "smallint",
    "serial2": "smallint",
}
_WITH_LENGTH = {
    "varchar": "character varying",
    "bpchar": "character",
    "bit": "bit",
    "varbit": "bit varying",
    "numeric": "numeric",
    "decimal": "numeric",
}
_TIME_ZONES = {
    "timestamp": ("timestamp", "without"),
    "timestamptz": ("timestamp", "with"),
    "time": ("time", "without"),
    "timetz": ("time", "with"),
}
# Keywords quote_identifier() quotes, as of PostgreSQL 15 (pglast's list is newer: the SQL/JSON
# keywords of 16 and 17 are plain identifiers for a 15 server, so `json` stays bare).
_NEWER_KEYWORDS = frozenset({
    "json", "json_array", "json_arrayagg", "json_exists", "json_object", "json_objectagg",
    "json_query", "json_scalar", "json_serialize", "json_table", "json_value", "merge_action",
    "system_user",
})
_QUOTED_KEYWORDS = frozenset(
    RESERVED_KEYWORDS | COL_NAME_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS
) - _NEWER_KEYWORDS
SEARCH_PATH_SCHEMAS = frozenset({"pg_catalog", "public"})
# PostgreSQL's interval field masks (datetime.h: YEAR=2, MONTH=1, DAY=3, HOUR=10, MINUTE=11,
# SECOND=12, each as 1 << n) and how intervaltypmodout prints them.
_INTERVAL_FIELDS = {
    1 << 2: " year", 1 << 1: " month", 1 << 3: " day", 1 << 10: " hour", 1 << 11: " minute",
    1 << 12: " second", (1 << 2) | (1 << 1): " year to month",
    (1 << 3) | (1 << 10): " day to hour", (1 << 3) | (1 << 10) | (1 << 11): " day to minute",
    (1 << 3) | (1 << 10) | (1 << 11) | (1 << 12): " day to second",
    (1 << 10) | (1 << 11): " hour to minute", (1 << 10) | (1 << 11) | (1 << 12): " hour to second",
    (1 << 11) | (1 << 12): " minute to second",
}
_INTERVAL_FULL_RANGE = 0x7FFF


TypeName = Any  # the IR's TypeRef, or pglast's ast.TypeName (in expressions: casts)


def _int_values(type_name: TypeName) -> list[int]:
    values: list[int] = []
    if isinstance(type_name, TypeRef):
        for expr in type_name.modifiers:
            ival = expr.json.get("A_Const", {}).get("ival") if isinstance(expr.json, dict) \
                else None
            if isinstance(ival, dict):
                values.append(int(ival.get("ival", 0)))  # libpg_query omits a zero
        return values
    for mod in type_name.typmods or ():
        value = getattr(mod, "val", None)
        pg_ival = getattr(value, "ival", None)
        if isinstance(pg_ival, int):
            values.append(pg_ival)
    return values


def type_name_parts(type_name: TypeName) -> tuple[str | None, str]:
    names = list(type_name.names) if isinstance(type_name, TypeRef) \
        else [n.sval for n in type_name.names]
    if len(names) == 1:
        return None, names[0]
    return names[-2], names[-1]


def _dimensions(type_name: TypeName) -> int:
    if isinstance(type_name, TypeRef):
        return len(type_name.array_bounds)
    return len(type_name.arrayBounds or ())


def serial_base(type_name: TypeName) -> str | None:
    """serial/bigserial/smallserial → the integer type it stands for, else None."""
    schema, name = type_name_parts(type_name)
    if schema is None and not _dimensions(type_name):
        return _SERIALS.get(name)
    return None


_BARE = re.compile(r"[a-z_][a-z0-9_]*")  # quote_identifier()'s safe names: ASCII only


def quote_ident(name: str) -> str:
    """The one identifier quoter, as PostgreSQL's quote_identifier() does: only when needed,
    and always for keywords that are not unreserved (`"check"`, `"from"`, `"user"`)."""
    if _BARE.fullmatch(name) and name not in _QUOTED_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def format_type(type_name: TypeName) -> str:
    schema, name = type_name_parts(type_name)
    base = _format_base(schema, name, _int_values(type_name))
    dims = _dimensions(type_name)
    if type_name.setof:
        base = "SETOF " + base
    return base + "[]" * min(dims, 1)


def _format_base(schema: str | None, name: str, mods: list[int]) -> str:
    builtin = schema in (None, "pg_catalog")
    if builtin and name in _SERIALS:
        return _SERIALS[name]
    if builtin and name in _TIME_ZONES:
        word, zone = _TIME_ZONES[name]
        precision = f"({mods[0]})" if mods else ""
        return f"{word}{precision} {zone} time zone"
    if builtin and name == "float" and mods:
        return "real" if mods[0] <= 24 else "double precision"
    if builtin and name in _WITH_LENGTH:
        label = _WITH_LENGTH[name]
        if name in ("numeric", "decimal") and len(mods) == 1:
            mods = [mods[0], 0]
        if mods:
            return f"{label}({','.join(str(m) for m in mods)})"
        return "bpchar" if name == "bpchar" else label
    if builtin and name in _PLAIN:
        return _PLAIN[name]
    if builtin and name == "interval":
        fields = _INTERVAL_FIELDS.get(mods[0], "") if mods and mods[0] != _INTERVAL_FULL_RANGE \
            else ""
        precision = f"({mods[1]})" if len(mods) > 1 else ""
        return f"interval{fields}{precision}"
    if schema is None and name == "char":
        return '"char"'  # only the quoted spelling reaches here: bare char is bpchar
    # Another type (an enum, an extension's): its modifiers as its typmodout prints them,
    # which for extension types such as pgvector's is `(384)`.
    modifier = f"({','.join(str(m) for m in mods)})" if mods else ""
    if schema is None or schema in SEARCH_PATH_SCHEMAS:
        return quote_ident(name) + modifier
    return f"{quote_ident(schema)}.{quote_ident(name)}{modifier}"


def element_type(column_type: str) -> str:
    """`text[]` → `text`; other types unchanged."""
    return column_type[:-2] if column_type.endswith("[]") else column_type
