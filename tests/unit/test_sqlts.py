"""SQL → TypeScript type mapping and compatibility (lockstep.core.ts.sqlts)."""

from __future__ import annotations

import pytest

from lockstep.core.ts import sqlts
from lockstep.core.ts.index import index_types_file
from lockstep.core.ts.parse import FieldType
from lockstep.core.ts.sqlts import (
    aliases_of,
    base_type,
    compatible,
    enum_type_names,
    field_suggestion,
    may_be_null,
    mismatch,
    ts_type_for,
)

ENUMS = {"mood": ["happy", "sad"], "public.mood": ["happy", "sad"], "other.tone": ["a", "b"]}


def ft(text: str) -> FieldType:
    file = index_types_file("t.ts", f"type T = {{ f: {text} }};")
    found = file.types[0].fields[0].type
    assert found is not None
    return found


def aliases(source: str) -> dict[str, FieldType]:
    return {alias.name: alias.type for alias in index_types_file("a.ts", source).aliases}


@pytest.mark.parametrize(
    ("sql", "ts"),
    [
        ("smallint", "number"),
        ("integer", "number"),
        ("bigint", "number"),
        ("real", "number"),
        ("double precision", "number"),
        ("numeric(10,6)", "number"),
        ("text", "string"),
        ("character varying(10)", "string"),
        ("character(2)", "string"),
        ("uuid", "string"),
        ("date", "string"),
        ("time without time zone", "string"),
        ("timestamp(3) with time zone", "string"),
        ("interval", "string"),
        ("inet", "string"),
        ("bytea", "string"),
        ("boolean", "boolean"),
        ("json", "Json"),
        ("jsonb", "Json"),
        ("text[]", "string[]"),
        ("integer[][]", "number[]"),
        ("mood", "'happy' | 'sad'"),
        ("public.mood", "'happy' | 'sad'"),
        ("mood[]", "('happy' | 'sad')[]"),
        ("other.tone", "'a' | 'b'"),
        ("tsrange", "unknown"),
    ],
)
def test_ts_type_for(sql: str, ts: str) -> None:
    assert ts_type_for(sql, ENUMS) == ts


def test_base_type_strips_typmods_quotes_and_arrays() -> None:
    assert base_type('"Odd Type"(3)[]') == ("Odd Type", 1)
    assert base_type("timestamp(6) without time zone") == ("timestamp without time zone", 0)


def test_enum_values_are_quoted_safely() -> None:
    assert ts_type_for("e", {"e": ["it's"]}) == "'it\\'s'"


@pytest.mark.parametrize(
    ("sql", "ts"),
    [
        ("integer", "number"),
        ("integer", "number | null"),
        ("bigint", "bigint"),
        ("text", "string"),
        ("text", "'user' | 'assistant'"),
        ("text", "`user_${string}`"),
        ("uuid", "string"),
        ("boolean", "boolean"),
        ("boolean", "true"),
        ("jsonb", "Json"),
        ("jsonb", "Record<string, unknown>"),
        ("jsonb", "{ a: number }"),
        ("json", "unknown"),
        ("text[]", "string[]"),
        ("text[]", "Array<string>"),
        ("text[]", "readonly string[]"),
        ("mood", "'happy' | 'sad'"),
        ("mood", "'sad' | 'happy' | null"),
        ("mood", "string"),
        ("mood", "Mood"),  # unresolved alias: cannot judge
        ("mood", "Database['public']['Enums']['mood']"),
        ("mood", 'Database["public"]["Enums"]["mood"]'),
        ("mood", "Enums<'mood'>"),
        ("mood[]", "Mood[]"),
        ("integer", "any"),
        ("integer", "SomeAlias"),
        ("integer", "string | number"),
        ("tsrange", "string"),
        ("my_domain", "number"),
    ],
)
def test_compatible(sql: str, ts: str) -> None:
    assert compatible(sql, ft(ts), ENUMS), mismatch(sql, ft(ts), ENUMS)


@pytest.mark.parametrize(
    ("sql", "ts"),
    [
        ("integer", "string"),
        ("smallint", "string | null"),
        ("text", "number"),
        ("uuid", "boolean"),
        ("boolean", "string"),
        ("timestamp with time zone", "Date"),
        ("text", "string[]"),
        ("text[]", "string"),
        ("mood", "'happy' | 'sad' | 'meh'"),
        ("mood", "'happy'"),
        ("mood", "number"),
        ("mood", "Enums<'other'>"),
        ("integer", "{ a: number }"),
        ("text", "Record<string, unknown>"),
    ],
)
def test_incompatible(sql: str, ts: str) -> None:
    assert not compatible(sql, ft(ts), ENUMS)
    assert mismatch(sql, ft(ts), ENUMS)


def test_local_aliases_are_resolved() -> None:
    local = aliases(
        "type Mood = 'happy' | 'sad';\ntype Old = 'happy';\ntype Tags = string[];\n"
        "type Loop = Loop2; type Loop2 = Loop;"
    )
    assert compatible("mood", ft("Mood | null"), ENUMS, local)
    reason = mismatch("mood", ft("Old | null"), ENUMS, local)
    assert reason is not None and "'sad'" in reason
    assert compatible("text[]", ft("Tags"), ENUMS, local)
    assert not compatible("text", ft("Tags"), ENUMS, local)
    assert compatible("integer", ft("Loop"), ENUMS, local)  # cyclic: cannot judge


def test_may_be_null() -> None:
    local = aliases("type MaybeMood = 'a' | null;\ntype Mood = 'a' | 'b';")
    assert may_be_null(ft("string | null")) is True
    assert may_be_null(ft("string")) is False
    assert may_be_null(ft("MaybeMood"), local) is True
    assert may_be_null(ft("Mood"), local) is False
    assert may_be_null(ft("Elsewhere")) is None
    assert may_be_null(ft("unknown")) is None


def test_workspace_aliases_remember_expansions_and_judge_alike() -> None:
    source = "type MaybeMood = 'happy' | null;\ntype Mood = 'happy' | 'sad';"
    remembering = aliases_of([index_types_file("a.ts", source)])
    plain = aliases(source)
    assert dict(remembering) == plain
    fields = [ft(text) for text in ("MaybeMood", "Mood", "Mood | null", "Mood[]", "string")]
    for field in fields:
        for _ in range(2):  # the second answer comes from what the first remembered
            assert may_be_null(field, remembering) == may_be_null(field, plain)
            assert mismatch("mood", field, ENUMS, remembering) == \
                mismatch("mood", field, ENUMS, plain)
    assert len(remembering.expanded) == 5
    empty = aliases_of([])
    assert may_be_null(fields[0], empty) is None  # no alias to follow here
    assert len(empty.expanded) == 1  # empty aliases remember too


def test_field_suggestion() -> None:
    assert field_suggestion("energy_level", "smallint", True, False, ENUMS) == (
        "energy_level: number | null;"
    )
    assert field_suggestion("id", "uuid", False, True, ENUMS) == "id?: string;"
    assert field_suggestion("mood", "mood", True, False, ENUMS, {"mood": "Mood"}) == (
        "mood: Mood | null;"
    )
    assert field_suggestion("moods", "mood[]", False, False, ENUMS, {"mood": "Mood"}) == (
        "moods: Mood[];"
    )
    assert field_suggestion("odd col", "text", False, False, ENUMS) == "'odd col': string;"


def test_enum_type_names_prefers_pascal_case() -> None:
    local = aliases("type Feeling = 'happy' | 'sad';\ntype Mood = 'sad' | 'happy';")
    assert enum_type_names({"mood": ["happy", "sad"]}, local) == {"mood": "Mood"}
    assert enum_type_names({"mood": ["happy"]}, local) == {}


def test_broken_member_text_never_raises() -> None:
    broken = FieldType("((", ("((",), False)
    assert compatible("integer", broken, ENUMS)


def test_remembered_expansions_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlts, "_MAX_EXPANDED", 3)
    remembering = aliases_of([])
    fields = [ft(f"'v{n}' | null") for n in range(7)]
    assert all(may_be_null(field, remembering) for field in fields)
    assert len(remembering.expanded) <= 3
