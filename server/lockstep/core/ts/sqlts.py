"""SQL column types → the TypeScript types `supabase gen types typescript` writes for them.

Row-type rules ask "is this field's type right for its column?", and quick fixes ask "what
should I write?". Both answers live here so they can never disagree. Column types arrive as
PostgreSQL's `format_type()` text (what the replay stores); TypeScript members are classified
with tree-sitter (`members.py`), never by pattern matching. When something cannot be judged
(an alias defined elsewhere, a generic), the answer is "compatible": a rule must not guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from lockstep.core.model import Schema
from lockstep.core.ts.index import TypesFile
from lockstep.core.ts.members import UnionMember, classify_member
from lockstep.core.ts.parse import FieldType

__all__ = [
    "aliases_of",
    "base_type",
    "category",
    "compatible",
    "enum_type_names",
    "enums_of",
    "field_name",
    "field_suggestion",
    "may_be_null",
    "mismatch",
    "ts_type_for",
]

# fmt: off
_NUMBER = frozenset((
    "smallint", "integer", "bigint", "real", "double precision", "numeric", "oid",
))
_STRING = frozenset((
    "text", "character varying", "character", "uuid", "date", "time without time zone",
    "time with time zone", "timestamp without time zone", "timestamp with time zone",
    "interval", "inet", "cidr", "macaddr", "macaddr8", "bytea", "citext", "name",
    "bit", "bit varying", "tsvector", "xml",
))
# fmt: on
_JSON = frozenset(("json", "jsonb"))
_LENIENT = frozenset(("any", "unknown"))
_MAX_DEPTH = 8
_MAX_EXPANDED = 20_000  # field expansions a `LocalAliases` remembers

Enums = Mapping[str, Sequence[str]]
Aliases = Mapping[str, FieldType]


@lru_cache(maxsize=4096)
def base_type(sql_type: str) -> tuple[str, int]:
    """`character varying(10)[]` → ("character varying", 1); typmods and quotes dropped.
    Cached: every row-type check asks it of the same few column types again."""
    text = sql_type.strip()
    dims = 0
    while text.endswith("[]"):
        text, dims = text[:-2].rstrip(), dims + 1
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch != '"':
            out.append(ch)
    return " ".join("".join(out).split()), dims


def _enum_values(base: str, enums: Enums) -> Sequence[str] | None:
    for key in (base, base.removeprefix("public."), base.lower()):
        if key in enums:
            return enums[key]
    return None


def category(sql_type: str, enums: Enums) -> str:
    """number, string, boolean, json, enum or unknown (of the element type for arrays)."""
    base, _ = base_type(sql_type)
    if _enum_values(base, enums) is not None:
        return "enum"
    lower = base.lower()
    if lower in _NUMBER:
        return "number"
    if lower in _STRING:
        return "string"
    if lower == "boolean":
        return "boolean"
    if lower in _JSON:
        return "json"
    return "unknown"


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ts_type_for(sql_type: str, enums: Enums) -> str:
    """What `supabase gen types` writes for a column (without `| null`): `number`, `'a' | 'b'`."""
    base, dims = base_type(sql_type)
    kind = category(sql_type, enums)
    if kind == "enum":
        values = _enum_values(base, enums) or ()
        element = " | ".join(_quote(v) for v in values) or "string"
    else:
        element = {"json": "Json", "unknown": "unknown"}.get(kind, kind)
    if not dims:
        return element
    return f"({element})[]" if " | " in element else f"{element}[]"


# --- compatibility ------------------------------------------------------------------------


@dataclass(slots=True)
class _Expanded:
    members: list[UnionMember]
    is_array: bool
    nullable: bool
    opaque: bool  # something that cannot be judged (unresolved alias, any, generic)


def _expand(field: FieldType, aliases: Aliases, depth: int = 0) -> _Expanded:
    """Union members with local aliases substituted (`Mood | null` → the Mood literals);
    remembered by `LocalAliases` (the result is never changed afterwards)."""
    known = aliases.expanded if isinstance(aliases, LocalAliases) and not depth else None
    if known is None:
        return _expand_field(field, aliases, depth)
    # By identity (hashing a field type is most of the cost): the field types are the types
    # files', which live as long as these aliases; the entry keeps its field alive.
    entry = known.get(id(field))
    if entry is None or entry[0] is not field:
        if len(known) >= _MAX_EXPANDED:  # fields of consumers' own types come and go
            known.clear()
        entry = known[id(field)] = (field, _expand_field(field, aliases, depth))
    return entry[1]


def _expand_field(field: FieldType, aliases: Aliases, depth: int) -> _Expanded:
    out = _Expanded([], field.is_array, field.nullable, False)
    for text in field.base:
        member = classify_member(text)
        target = aliases.get(member.name) if member.kind == "ref" else None
        if (
            target is not None
            and depth < _MAX_DEPTH
            and (not target.is_array or (len(field.base) == 1 and not field.is_array))
        ):
            sub = _expand(target, aliases, depth + 1)
            out.members += sub.members
            out.is_array = out.is_array or sub.is_array
            out.nullable = out.nullable or sub.nullable
            out.opaque = out.opaque or sub.opaque
            continue
        if (
            member.kind == "ref"
            or member.kind == "other"
            or (member.kind == "predefined" and member.name in _LENIENT)
        ):
            out.opaque = True
        out.members.append(member)
    return out


def may_be_null(field: FieldType, aliases: Aliases | None = None) -> bool | None:
    """Whether the type admits `null`, following local aliases; None when it cannot be told."""
    expanded = _expand(field, {} if aliases is None else aliases)
    if expanded.nullable:
        return True
    return None if expanded.opaque else False


def _enum_ref(member: UnionMember) -> str | None:
    """`Enums<'mood'>` / `Database['public']['Enums']['mood']` → "mood"."""
    if member.kind == "generic" and member.name == "Enums" and member.args and member.args[0]:
        return member.args[0]
    if member.kind == "lookup" and len(member.args) >= 3 and member.args[-2] == "Enums":
        return member.args[-1] or None
    return None


def _scalar_ok(member: UnionMember, kind: str, base: str) -> bool:
    """One non-enum member against a number/string/boolean column."""
    if member.kind == "predefined":
        name = member.name
        return name in _LENIENT or name == kind or (name == "bigint" and base == "bigint")
    if member.kind in ("string", "template"):
        return kind == "string"
    if member.kind in ("number", "boolean"):
        return member.kind == kind
    if member.kind == "ref":
        return member.name != "Date"
    if member.kind in ("generic", "lookup"):
        if _enum_ref(member) is not None:
            return kind == "string"
        return not (member.kind == "generic" and member.name == "Record")
    return member.kind != "object"


def _enum_mismatch(
    members: list[UnionMember], enum: str, values: Sequence[str], opaque: bool
) -> str | None:
    literals = [m.name for m in members if m.kind == "string"]
    others = [m for m in members if m.kind != "string"]
    for member in others:
        named = _enum_ref(member)
        if named is not None and named.rsplit(".", 1)[-1] != enum.rsplit(".", 1)[-1]:
            return f"`{named}` is another enum than `{enum}`"
    if opaque or any(
        (m.kind == "predefined" and m.name == "string")
        or m.kind == "template"
        or _enum_ref(m) is not None
        for m in others
    ):
        return None
    if others:
        return f"`{enum}` is an enum of strings"
    extra = [v for v in literals if v not in values]
    missing = [v for v in values if v not in literals]
    if extra:
        listed = ", ".join(_quote(v) for v in extra)
        return f"{listed} {'is' if len(extra) == 1 else 'are'} not a value of enum `{enum}`"
    if missing:
        listed = ", ".join(_quote(v) for v in missing)
        return f"the type lacks {listed} of enum `{enum}`"
    return None


def mismatch(
    sql_type: str, field: FieldType | None, enums: Enums, aliases: Aliases | None = None
) -> str | None:
    """Why a field's type cannot hold the column's values, or None when it can (or is unclear)."""
    if field is None:
        return None
    kind = category(sql_type, enums)
    if kind in ("json", "unknown"):
        return None
    base, dims = base_type(sql_type)
    expanded = _expand(field, {} if aliases is None else aliases)
    members = expanded.members
    if not members or any(m.kind == "predefined" and m.name in _LENIENT for m in members):
        return None
    if bool(dims) != expanded.is_array:
        if expanded.opaque:
            return None
        wanted = "an array" if dims else "not an array"
        return f"column `{sql_type}` is {wanted}"
    if kind == "enum":
        values = _enum_values(base, enums) or ()
        return _enum_mismatch(members, base, values, expanded.opaque)
    if any(_scalar_ok(member, kind, base.lower()) for member in members):
        return None
    return f"`{field.text}` cannot hold `{sql_type}` values ({ts_type_for(sql_type, enums)})"


def compatible(
    sql_type: str, field: FieldType | None, enums: Enums, aliases: Aliases | None = None
) -> bool:
    """True unless the field's type clearly cannot hold the column's values."""
    return mismatch(sql_type, field, enums, aliases) is None


def field_name(name: str) -> str:
    """A column name as a TypeScript property name (quoted when it is not an identifier)."""
    return name if name.isidentifier() and name.isascii() else _quote(name)


def field_suggestion(
    name: str,
    sql_type: str,
    nullable: bool,
    optional: bool,
    enums: Enums,
    named: Mapping[str, str] | None = None,
) -> str:
    """The field a row type should have: `energy_level?: number | null;`.

    `named` maps an enum's name to a type alias that spells its values (`mood` → `Mood`), so
    the suggestion reuses the alias the repo already has instead of repeating the literals.
    """
    base, dims = base_type(sql_type)
    alias = (named or {}).get(base)
    ts = (f"{alias}[]" if dims else alias) if alias else ts_type_for(sql_type, enums)
    return f"{field_name(name)}{'?' if optional else ''}: {ts}{' | null' if nullable else ''};"


# --- what callers need to build the inputs above -----------------------------------------


def enums_of(schema: Schema) -> dict[str, list[str]]:
    """Enum values by `schema.name`, and by bare name for `public` (as format_type prints)."""
    out: dict[str, list[str]] = {}
    for (namespace, name), enum in schema.enums.items():
        out[f"{namespace}.{name}"] = list(enum.values)
        if namespace == "public":
            out[name] = list(enum.values)
    return out


class LocalAliases(dict[str, FieldType]):
    """The workspace's type aliases, remembering each field type's expansion: the type rules
    expand the same fields again after every migration edit, while the aliases stay."""

    __slots__ = ("expanded",)

    def __init__(self) -> None:
        super().__init__()
        self.expanded: dict[int, tuple[FieldType, _Expanded]] = {}


def aliases_of(files: Iterable[TypesFile]) -> LocalAliases:
    """Non-object type aliases (`type Mood = 'a' | 'b'`) by name; the first definition wins."""
    out = LocalAliases()
    for file in files:
        for alias in file.aliases:
            out.setdefault(alias.name, alias.type)
    return out


def enum_type_names(enums: Enums, aliases: Aliases) -> dict[str, str]:
    """Enum → a local alias spelling exactly its values (`mood` → `Mood`), PascalCase first."""
    out: dict[str, str] = {}
    for key, values in enums.items():
        bare = key.rpartition(".")[2]
        preferred = "".join(part[:1].upper() + part[1:] for part in bare.split("_"))
        spelled = [
            name
            for name, type_ in aliases.items()
            if type_.is_literal_union and not type_.nullable and set(type_.literals) == set(values)
        ]
        if spelled:
            out[key] = preferred if preferred in spelled else spelled[0]
    return out
