"""TypeScript type expressions as the generator writes them, and how Prettier lays them out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lockstep.core.gen.doc import (
    HARDLINE,
    LINE,
    SOFTLINE,
    Concat,
    Doc,
    Group,
    IfBreak,
    Indent,
    concat,
    join,
)


def _is_identifier(name: str) -> bool:
    """A JavaScript identifier name (Unicode letters allowed), which needs no quotes."""
    return bool(name) and name.replace("$", "_").isidentifier()


@dataclass(frozen=True, slots=True)
class Atom:
    text: str


@dataclass(slots=True)
class Union_:
    members: list[TsType]


@dataclass(slots=True)
class Array:
    element: TsType


@dataclass(slots=True)
class Member:
    key: str
    type: TsType
    optional: bool = False
    comments: tuple[str, ...] = ()  # `// …` lines printed above the member


@dataclass(slots=True)
class Object:
    members: list[Member] = field(default_factory=list)
    expanded: bool = False  # the template writes a newline after `{`: always broken


@dataclass(slots=True)
class Tuple:
    elements: list[TsType]


@dataclass(slots=True)
class Intersection:
    left: TsType
    right: TsType


TsType = Atom | Union_ | Array | Object | Tuple | Intersection

MAPPED_NEVER = "[_ in never]"  # the member of an empty section: a mapped type, not a key
UNKNOWN = Atom("unknown")
NEVER = Atom("never")


def string(value: str) -> str:
    """A string literal as Prettier prints JSON.stringify(value): double quotes unless the
    value holds more double than single quotes."""
    encoded = json.dumps(value, ensure_ascii=False)
    if value.count('"') <= value.count("'"):
        return encoded
    inner = encoded[1:-1].replace('\\"', '"').replace("'", "\\'")
    return f"'{inner}'"


def literal(value: str) -> Atom:
    return Atom(string(value))


def key(name: str) -> str:
    if name == MAPPED_NEVER or _is_identifier(name):
        return name
    return string(name)


def union(*members: TsType) -> TsType:
    flat: list[TsType] = []
    for member in members:
        flat.extend(member.members if isinstance(member, Union_) else [member])
    return flat[0] if len(flat) == 1 else Union_(flat)


def _hugs(node: Union_) -> bool:
    """Prettier keeps `{ … } | null` on the object's lines instead of a `|` list."""
    objects = [m for m in node.members if isinstance(m, Object)]
    rest = [m for m in node.members if not isinstance(m, Object)]
    return len(objects) == 1 and all(m in (Atom("null"), Atom("undefined")) for m in rest)


def to_doc(node: TsType) -> Doc:
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, Array):
        inner = to_doc(node.element)
        if isinstance(node.element, (Union_, Intersection)):
            return concat("(", inner, ")[]")
        return concat(inner, "[]")
    if isinstance(node, Union_):
        members = [to_doc(m) for m in node.members]
        if _hugs(node):
            return join(" | ", members)
        aligned: list[Doc] = [Indent(m) if isinstance(n, Object) else m
                              for n, m in zip(node.members, members, strict=True)]
        return Group(Indent(concat(SOFTLINE, IfBreak("| "), join(concat(LINE, "| "), aligned))))
    if isinstance(node, Intersection):
        return concat(to_doc(node.left), " & ", to_doc(node.right))
    if isinstance(node, Tuple):
        if not node.elements:
            return "[]"
        items = [to_doc(e) for e in node.elements]
        return Group(concat("[", Indent(concat(SOFTLINE, join(concat(",", LINE), items))),
                            IfBreak(","), SOFTLINE, "]"))
    return object_doc(node)


def member_doc(member: Member) -> Doc:
    comments = [concat(line, HARDLINE) for line in member.comments]
    return concat(*comments, key(member.key), "?" if member.optional else "", ": ",
                  to_doc(member.type))


def object_doc(node: Object) -> Doc:
    if not node.members:
        return "{}"
    members = [member_doc(m) for m in node.members]
    body = join(concat(IfBreak("", ";"), LINE), members)
    opener: Doc = HARDLINE if node.expanded else LINE
    return Group(concat("{", Indent(concat(opener, body)), LINE, "}"))


def value_object(members: list[tuple[str, Doc]]) -> Doc:
    """An object expression written with a newline after `{` (the `Constants` object)."""
    if not members:
        return "{}"
    parts = join(concat(",", LINE), [concat(key(k), ": ", v) for k, v in members])
    return Group(concat("{", Indent(concat(HARDLINE, parts)), IfBreak(","), LINE, "}"))


def value_array(items: list[str]) -> Doc:
    if not items:
        return "[]"
    return Group(concat("[", Indent(concat(SOFTLINE, join(concat(",", LINE), list(items)))),
                        IfBreak(","), SOFTLINE, "]"))


__all__ = [
    "NEVER",
    "UNKNOWN",
    "Array",
    "Atom",
    "Concat",
    "Intersection",
    "Member",
    "Object",
    "TsType",
    "Tuple",
    "Union_",
    "key",
    "literal",
    "object_doc",
    "string",
    "to_doc",
    "union",
    "value_array",
    "value_object",
]
