"""Typed diagnostic payloads: what a finding says about its subject, for tools and quick fixes.

A check builds one of these; the diagnostic carries it as plain JSON (`data`, which the editor
sends back with a code action); a fix builder reads it back with `decode`, which checks every
field's type, so a payload that went through a client and came back odd yields no fix
instead of an exception. The keys are spelt once, here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

P = TypeVar("P", bound="Payload")
RangeJson = dict[str, dict[str, int]]


@dataclass(frozen=True, slots=True)
class Payload:
    def to_data(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


_HINTS: dict[type[Payload], dict[str, Any]] = {}


def _hints(cls: type[Payload]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _matches(value: object, hint: Any) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint in (str, float):
        return isinstance(value, hint)
    if origin is list:
        return isinstance(value, list) and all(_matches(item, args[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict)
    return False


def decode(cls: type[P], data: Mapping[str, Any] | None) -> P | None:
    """`data` as a `cls`, or None when a field is missing or has the wrong type."""
    if data is None:
        return None
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):
        if item.name not in data:
            if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
                return None
            continue
        value = data[item.name]
        if not _matches(value, _hints(cls)[item.name]):
            return None
        values[item.name] = value
    return cls(**values)


# -- the payloads -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ConfigKey(Payload):
    section: str | None
    key: str | None


@dataclass(frozen=True, slots=True)
class FileSkipped(Payload):
    reason: str  # why the workspace boundary did not read it (core/fs.py's Refusal)


@dataclass(frozen=True, slots=True)
class TableRef(Payload):
    table: str
    schema: str


@dataclass(frozen=True, slots=True)
class RlsFinding(Payload):
    table: str
    schema: str
    fix: str | None = None  # the SQL the message proposes
    statement: list[int] | None = None  # [start, end) of the statement it points at


@dataclass(frozen=True, slots=True)
class ForeignKeyFinding(Payload):
    table: str
    schema: str
    columns: list[str]
    references: str  # schema.table
    ref_columns: list[str]
    constraint: str | None
    fix: str | None = None


@dataclass(frozen=True, slots=True)
class SimForeignKey(Payload):
    table: str
    schema: str
    columns: list[str]
    constraint: str | None = None
    references: str | None = None
    sim_table: str | None = None
    ref_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MirrorMissing(Payload):
    table: str
    schema: str
    sim_table: str
    references: str


@dataclass(frozen=True, slots=True)
class SimRls(Payload):
    table: str
    schema: str
    kind: str  # enable-rls | create-policy
    statement: list[int] | None
    policy: str | None = None


@dataclass(frozen=True, slots=True)
class MirrorDrift(Payload):
    table: str
    schema: str
    sim_table: str
    column: str
    kind: str  # missing | type | nullability | dropped
    fix: str
    statement: list[int] | None


@dataclass(frozen=True, slots=True)
class FieldFinding(Payload):
    """A column of a table against the field of a row type that should describe it."""

    table: str
    schema: str
    column: str
    sql_type: str
    nullable: bool
    has_default: bool
    primary_key: bool
    ts_type: str
    optional: bool
    suggestion: str  # the field as it should be written
    type_name: str
    type_path: str
    generated: bool
    field_range: RangeJson | None = None
    type_range: RangeJson | None = None
    last_field_range: RangeJson | None = None


@dataclass(frozen=True, slots=True)
class StaleGeneratedTypes(Payload):
    schemas: list[str]  # the schemas the committed file declares
    postgrestVersion: str | None


@dataclass(frozen=True, slots=True)
class StaleEnum(Payload):
    enum: str
    schema: str
    values: list[str]
    generated: bool


@dataclass(frozen=True, slots=True)
class UnknownField(Payload):
    table: str
    schema: str
    field: str
    suggestion: str | None
    field_range: RangeJson
    type_name: str
    type_path: str
    generated: bool


@dataclass(frozen=True, slots=True)
class MissingType(Payload):
    table: str
    schema: str
    type_name: str
    types_path: str
    types_index: str | None
    fields: list[str]
    generated: bool


@dataclass(frozen=True, slots=True)
class NotExported(Payload):
    type_name: str
    type_path: str
    table: str
    types_index: str | None
    exported: bool
    suggestion: str


@dataclass(frozen=True, slots=True)
class UnknownTableRef(Payload):
    """A table that a `.from()` call names and the schema lacks."""

    table: str
    schema: str
    suggestion: str | None


@dataclass(frozen=True, slots=True)
class UnknownColumnRef(Payload):
    """A column of `table` that a `.from(from_table)` chain names in `call`."""

    table: str
    schema: str
    column: str
    suggestion: str | None
    call: str
    from_table: str
    embed: str | None = None  # the embed path (`identities.notifications`) the column sits in


@dataclass(frozen=True, slots=True)
class WrittenColumn(Payload):
    """A column of `table` that an insert/update/upsert (`call`) sets though it may not, or
    leaves out though the generated `Insert` requires it."""

    table: str
    schema: str
    column: str
    call: str
    type: str


@dataclass(frozen=True, slots=True)
class SelectResultField(Payload):
    """Fields of the type a consumer gives a select's rows (`type`) that the select does not
    fetch (`problem` "missing"), or types otherwise than the column holds ("nullability",
    "mismatch"; `column_type` then says what it holds)."""

    table: str
    schema: str
    type: str
    fields: list[str]
    problem: str
    select: str | None
    column_type: str | None = None


@dataclass(frozen=True, slots=True)
class CloneColumn(Payload):
    table: str
    column: str
    sql_type: str
    part: str  # insert | select
    suggestion: str | None
    source: str | None = None  # insert: the table the row is copied from
    mirror: str | None = None  # select: the sim_ twin the rows are copied to
    nullable: bool | None = None
    has_default: bool | None = None


# -- migration safety (registry/safety.py) ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TableChange(Payload):
    """A statement of a migration that changes a table production already has rows in."""

    table: str
    schema: str
    columns: list[str] = field(default_factory=list)
    kind: str = ""  # add-not-null | set-not-null | type | update | delete | rename | drop


@dataclass(frozen=True, slots=True)
class BrokenConsumers(Payload):
    """A RENAME or DROP in a migration and the consumer call sites that still use the name."""

    table: str
    schema: str
    columns: list[str]
    kind: str  # rename-table | rename-column | drop-table | drop-column
    new_name: str | None  # the name after a rename
    sites: list[str]  # `path:line` of each call site (1-based lines)


@dataclass(frozen=True, slots=True)
class AdvisorFinding(Payload):
    """The subject of one of Supabase's database advisors (splinter), as splinter names it."""

    schema: str
    table: str  # the table, view, function or extension
    kind: str  # table, view, materialized view, function, extension
    columns: list[str] = field(default_factory=list)
    policy: str | None = None
    detail: list[str] = field(default_factory=list)  # roles, actions or index names
    fix: str | None = None
