"""libpg_query's JSON → pglast AST nodes, for the consumers that still want pglast objects.

The parse is done once, to JSON (`parse_sql_json`: ~6x cheaper than pglast's AST). pglast
nodes are built from that JSON only on demand, for an expression (`ir.Expr.node`): its
deparsed text, and the replay's expression analyses. The JSON leaves out default values (0,
false, empty lists), spells enums by name, flattens `A_Const`'s value union and counts
locations in bytes; this module restores what pglast's own parser would have produced, so
both are equal.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from pglast import ast, enums

JsonValue = Any  # a value of json.loads: dict, list, str, int, float, bool or None

_SCALAR_DEFAULTS: dict[str, object] = {"bool": False, "char": "\x00", "Cost": 0.0}
_CONST_VALUES = {"ival": ast.Integer, "fval": ast.Float, "boolval": ast.Boolean,
                 "sval": ast.String, "bsval": ast.BitString}

# Per node class, for every slot: (attribute, its JSON key, how to read it, enum class or
# struct name, default). Kinds: enum, location, struct (a typed field, not wrapped), value.
_ENUM, _LOCATION, _STRUCT, _VALUE = range(4)
_Layout = tuple[tuple[str, str, int, Any, object], ...]
_LAYOUTS: dict[str, _Layout] = {}
_setattr = object.__setattr__  # pglast's own validates each value: 2x slower, same result


def _layout(name: str) -> _Layout:
    layout = _LAYOUTS.get(name)
    if layout is None:
        cls = getattr(ast, name)
        rows: list[tuple[str, str, int, Any, object]] = []
        for attr, info in cls.__slots__.items():
            c_type = info.c_type
            key = attr[:-1] if attr.endswith("_") else attr  # def_ is spelled def
            enum_class = getattr(enums, c_type, None)
            struct = c_type.rstrip("*")
            if isinstance(enum_class, type) and issubclass(enum_class, Enum):
                default: object = enum_class(0) if _has_zero(enum_class) else None
                rows.append((attr, key, _ENUM, enum_class, default))
            elif c_type == "ParseLoc":
                rows.append((attr, key, _LOCATION, None, 0))
            elif struct in _STRUCTS:
                rows.append((attr, key, _STRUCT, struct, None))
            elif c_type.endswith("*"):
                rows.append((attr, key, _VALUE, None, None))
            else:
                rows.append((attr, key, _VALUE, None, _SCALAR_DEFAULTS.get(c_type, 0)))
        layout = _LAYOUTS[name] = tuple(rows)
    return layout


_STRUCTS = frozenset(
    name for name, cls in vars(ast).items()
    if isinstance(cls, type) and issubclass(cls, ast.Node) and name not in ("Node", "Expr")
)


def _has_zero(enum_class: type[Enum]) -> bool:
    return any(member.value == 0 for member in enum_class)


OffsetMap = Callable[[int], int]


def byte_to_char(source: str) -> OffsetMap:
    """Map libpg_query's byte offsets into `source` to character offsets."""
    return _identity if source.isascii() else ByteOffsets(source)


class ByteOffsets:
    """Byte → character offsets of a non-ASCII text; the table is built on the first lookup
    (most statements never need one). A class, not a closure: the IR it serves pickles."""

    __slots__ = ("source", "table")

    def __init__(self, source: str) -> None:
        self.source = source
        self.table: list[int] = []

    def __call__(self, offset: int) -> int:
        table = self.table
        if not table:
            for index, char in enumerate(self.source):
                table.extend([index] * len(char.encode("utf-8")))
            table.append(len(self.source))
        return table[offset] if 0 <= offset < len(table) else offset


class SameOffsets:
    """An ASCII text's offsets: bytes are characters (a class: the cache unpickles only
    classes, never functions)."""

    __slots__ = ()

    def __call__(self, offset: int) -> int:
        return offset


_identity = SameOffsets()


def to_node(value: JsonValue, offsets: OffsetMap = _identity) -> Any:
    """A pglast node (or tuple of nodes) from a piece of libpg_query's JSON."""
    if isinstance(value, list):
        return tuple(to_node(item, offsets) for item in value)
    if value == {}:
        return None  # a NIL list item, e.g. plain DISTINCT
    if isinstance(value, dict) and len(value) == 1:
        ((name, fields),) = value.items()
        if name == "List" and isinstance(fields, dict):
            return tuple(to_node(item, offsets) for item in fields.get("items", ()))
        if isinstance(fields, dict) and hasattr(ast, name):
            return _build(name, fields, offsets)
    return value


def _build(name: str, fields: dict[str, JsonValue], offsets: OffsetMap) -> Any:
    cls = getattr(ast, name)
    node = cls.__new__(cls)
    if name == "A_Const":
        value = None
        for key, const_class in _CONST_VALUES.items():
            if key in fields:
                value = _build(const_class.__name__, fields[key], offsets)
        _setattr(node, "isnull", bool(fields.get("isnull", False)))
        _setattr(node, "val", value)
        return node
    for attr, key, kind, extra, default in _layout(name):
        raw = fields.get(key)
        if raw is None:
            value = default
        elif kind == _ENUM:
            value = extra[raw] if isinstance(raw, str) else extra(raw)
        elif kind == _LOCATION:
            value = offsets(raw) if raw >= 0 else None
        elif kind == _STRUCT and isinstance(raw, dict):
            value = _build(extra, raw, offsets)
        elif isinstance(raw, (dict, list)):
            value = to_node(raw, offsets)
        else:
            value = raw
        _setattr(node, attr, value)
    return node
