"""PostgREST select and filter strings → the columns they name, with offsets."""

from __future__ import annotations

import pytest

from lockstep.core.consumers.postgrest import (
    ColumnRef,
    Selection,
    parse_column,
    parse_logic_filter,
    parse_select,
)


def names(selection: Selection) -> list[str]:
    return [column.name for column in selection.columns]


def spans(text: str, selection: Selection) -> list[str]:
    return [text[column.start : column.end] for column in selection.columns]


def test_plain_columns_with_offsets() -> None:
    text = "id, text ,mood"
    selection = parse_select(text)
    assert names(selection) == ["id", "text", "mood"]
    assert [(c.start, c.end) for c in selection.columns] == [(0, 2), (4, 8), (10, 14)]
    assert not selection.star


def test_star() -> None:
    selection = parse_select("*")
    assert selection.star
    assert selection.columns == ()


def test_star_with_embed() -> None:
    selection = parse_select("*, profiles(*)")
    assert selection.star
    assert selection.embeds[0].relation == "profiles"
    assert selection.embeds[0].selection.star


def test_alias() -> None:
    text = "label:name"
    column = parse_select(text).columns[0]
    assert (column.name, column.alias) == ("name", "label")
    assert text[column.start : column.end] == "name"


def test_cast() -> None:
    text = "amount::text, id"
    selection = parse_select(text)
    assert names(selection) == ["amount", "id"]
    assert selection.columns[0].cast == "text"
    assert spans(text, selection) == ["amount", "id"]


def test_json_path() -> None:
    text = "data->a->>b, meta->0"
    selection = parse_select(text)
    assert names(selection) == ["data", "meta"]
    assert selection.columns[0].json_path == ("a", "b")
    assert selection.columns[1].json_path == ("0",)
    assert spans(text, selection) == ["data", "meta"]


def test_json_path_with_alias_and_cast() -> None:
    column = parse_select("city:address->>city::text").columns[0]
    assert (column.name, column.alias, column.json_path, column.cast) == (
        "address",
        "city",
        ("city",),
        "text",
    )


def test_embedded_resource() -> None:
    text = "id, profiles(name, avatar_url)"
    selection = parse_select(text)
    assert names(selection) == ["id"]
    embed = selection.embeds[0]
    assert embed.relation == "profiles"
    assert text[embed.start : embed.end] == "profiles"
    assert names(embed.selection) == ["name", "avatar_url"]
    assert spans(text, embed.selection) == ["name", "avatar_url"]


def test_embedded_with_alias_and_inner_hint() -> None:
    embed = parse_select("author:profiles!inner(id, name)").embeds[0]
    assert (embed.relation, embed.alias, embed.hints) == ("profiles", "author", ("inner",))
    assert names(embed.selection) == ["id", "name"]


def test_embedded_with_fk_hint_and_join_hint() -> None:
    embed = parse_select("profiles!wins_user_id_fkey!left(name)").embeds[0]
    assert embed.hints == ("wins_user_id_fkey", "left")
    assert names(embed.selection) == ["name"]


def test_spread() -> None:
    text = "id, ...profiles(name)"
    selection = parse_select(text)
    assert names(selection) == ["id"]
    embed = selection.embeds[0]
    assert embed.spread
    assert embed.relation == "profiles"
    assert spans(text, embed.selection) == ["name"]


def test_count_aggregate() -> None:
    selection = parse_select("count()")
    assert selection.columns == ()
    assert selection.embeds == ()
    assert selection.aggregates[0].function == "count"


def test_aliased_count_with_cast() -> None:
    selection = parse_select("total:count()::int, mood")
    assert selection.aggregates[0].alias == "total"
    assert names(selection) == ["mood"]


def test_column_aggregate() -> None:
    text = "amount.sum(), mood"
    selection = parse_select(text)
    assert names(selection) == ["amount", "mood"]
    assert selection.columns[0].aggregate == "sum"
    assert spans(text, selection) == ["amount", "mood"]


def test_column_aggregate_with_alias_and_cast() -> None:
    column = parse_select("avg_amount:amount.avg()::int").columns[0]
    assert (column.name, column.alias, column.aggregate, column.cast) == (
        "amount",
        "avg_amount",
        "avg",
        "int",
    )


def test_nested_embeddings() -> None:
    text = "id, sessions(id, wins(text, profiles!inner(name)))"
    selection = parse_select(text)
    sessions = selection.embeds[0]
    wins = sessions.selection.embeds[0]
    profiles = wins.selection.embeds[0]
    assert names(sessions.selection) == ["id"]
    assert names(wins.selection) == ["text"]
    assert spans(text, profiles.selection) == ["name"]


def test_empty_embed_for_filtering() -> None:
    embed = parse_select("id, profiles!inner()").embeds[0]
    assert embed.selection == Selection()


def test_multiline_whitespace() -> None:
    text = """
      id,
      text,
      profiles (
        name
      )
    """
    selection = parse_select(text)
    assert spans(text, selection) == ["id", "text"]
    assert spans(text, selection.embeds[0].selection) == ["name"]


def test_quoted_column() -> None:
    text = 'id, "odd name"'
    selection = parse_select(text)
    assert names(selection) == ["id", "odd name"]
    assert spans(text, selection) == ["id", "odd name"]


def test_non_ascii_column() -> None:
    text = "id, café"
    assert spans(text, parse_select(text)) == ["id", "café"]


def test_empty_string() -> None:
    assert parse_select("") == Selection()


@pytest.mark.parametrize(
    "text",
    [
        "(",
        ")",
        "a,,b",
        "profiles(",
        "profiles(id",
        "a:",
        ":a",
        "a::",
        "a->",
        "a.",
        "a.sum(",
        "!!",
        "...",
        "...(",
        '"unterminated',
        "a b c",
        "((((((((((((((((((((((((((((((((((((((((",
        "p(" * 500,
        "x" + "->" * 50,
        "a = b; drop table x",
    ],
)
def test_malformed_never_raises(text: str) -> None:
    parse_select(text)


def test_malformed_keeps_what_was_understood() -> None:
    selection = parse_select("id, profiles(name, , text")
    assert names(selection) == ["id"]
    assert names(selection.embeds[0].selection) == ["name", "text"]


def test_recovery_after_garbage() -> None:
    assert names(parse_select("id = 1, mood")) == ["id", "mood"]


def test_parse_column_plain() -> None:
    assert parse_column("mood") == ColumnRef("mood", 0, 4)


def test_parse_column_json_and_offset() -> None:
    column = parse_column("data->>key", offset=10)
    assert column is not None
    assert (column.name, column.start, column.end, column.json_path) == ("data", 10, 14, ("key",))


def test_parse_column_on_embedded_table() -> None:
    column = parse_column("profiles.name")
    assert column is not None
    assert (column.name, column.relation, column.start) == ("name", "profiles", 9)


@pytest.mark.parametrize("text", ["", "  ", "->", "."])
def test_parse_column_nothing(text: str) -> None:
    assert parse_column(text) is None


def test_logic_filter_columns() -> None:
    text = "mood.eq.happy,and(amount.gt.2,note.is.null),data->>k.eq.x"
    found = parse_logic_filter(text)
    assert [column.name for column in found] == ["mood", "amount", "note", "data"]
    assert [text[column.start : column.end] for column in found] == [
        "mood",
        "amount",
        "note",
        "data",
    ]


def test_logic_filter_values_with_commas() -> None:
    text = 'id.in.(1,2,3),name.eq."a,b",not.or(x.eq.1, y.eq.2)'
    assert [column.name for column in parse_logic_filter(text)] == ["id", "name", "x", "y"]


def test_logic_filter_comma_list_of_columns() -> None:
    # upsert's onConflict is a plain comma-separated column list
    text = "user_id, date"
    found = parse_logic_filter(text)
    assert [(c.name, text[c.start : c.end]) for c in found] == [
        ("user_id", "user_id"),
        ("date", "date"),
    ]


@pytest.mark.parametrize("text", ["", ",", "and(", "or(((", ".eq.1", '"x'])
def test_logic_filter_malformed(text: str) -> None:
    parse_logic_filter(text)


# --- count, aggregates and casts ---------------------------------------------------------


def test_embedded_count_is_an_aggregate_not_a_column() -> None:
    selection = parse_select("id, comments(count)")
    assert names(selection) == ["id"]
    comments = selection.embeds[0]
    assert comments.relation == "comments"
    assert comments.selection.columns == ()
    assert [a.function for a in comments.selection.aggregates] == ["count"]


def test_bare_count_is_the_legacy_count() -> None:
    selection = parse_select("count, n:count::int")
    assert selection.columns == ()
    assert [(a.function, a.alias) for a in selection.aggregates] == [
        ("count", None),
        ("count", "n"),
    ]


def test_count_with_a_json_path_or_aggregate_is_a_column() -> None:
    assert names(parse_select("count->>x, count.sum()")) == ["count", "count"]


def test_quoted_count_is_a_column() -> None:
    assert names(parse_select('"count"')) == ["count"]


def test_cast_before_aggregate() -> None:
    text = "amount::int.avg(), n:amount.max()::text"
    columns = parse_select(text).columns
    assert [(c.name, c.cast, c.aggregate, c.alias) for c in columns] == [
        ("amount", "int", "avg", None),
        ("amount", "text", "max", "n"),
    ]
    assert spans(text, parse_select(text)) == ["amount", "amount"]


# --- hints ------------------------------------------------------------------------------


def test_fk_constraint_hint_with_alias() -> None:
    text = "author:users!posts_author_id_fkey(name)"
    embed = parse_select(text).embeds[0]
    assert (embed.relation, embed.alias, embed.hints) == (
        "users",
        "author",
        ("posts_author_id_fkey",),
    )
    assert spans(text, embed.selection) == ["name"]


def test_column_hint_and_spread_with_hints() -> None:
    selection = parse_select("editor:profiles!editor_id(name), ...profiles!author_id!inner(x)")
    editor, spread = selection.embeds
    assert (editor.alias, editor.hints, editor.spread) == ("editor", ("editor_id",), False)
    assert (spread.relation, spread.hints, spread.spread) == (
        "profiles",
        ("author_id", "inner"),
        True,
    )


# --- filter and order columns on embeds ---------------------------------------------------


def test_parse_column_nested_embeds() -> None:
    text = "identities.notifications.read"
    column = parse_column(text)
    assert column is not None
    assert (column.name, column.path, column.relation) == (
        "read",
        ("identities", "notifications"),
        "notifications",
    )
    assert text[column.start : column.end] == "read"


def test_parse_column_order_on_embedded_column() -> None:
    text = "workout(date_completed)"
    column = parse_column(text, offset=3)
    assert column is not None
    assert (column.name, column.path) == ("date_completed", ("workout",))
    assert (column.start, column.end) == (len("workout(") + 3, len(text) - 1 + 3)


def test_parse_column_embed_path_with_json() -> None:
    column = parse_column("documents.data->>path")
    assert column is not None
    assert (column.name, column.path, column.json_path) == ("data", ("documents",), ("path",))


def test_parse_column_quoted_segments() -> None:
    column = parse_column('"odd rel"."odd col"')
    assert column is not None
    assert (column.name, column.path) == ("odd col", ("odd rel",))


def test_parse_column_plain_has_no_path() -> None:
    column = parse_column("created_at")
    assert column is not None
    assert (column.path, column.relation) == ((), None)


@pytest.mark.parametrize("text", ["a.", "a(", "a(b", "a..b", "(b)", "a.b(", "a->", "a.b.c.d.e"])
def test_parse_column_odd_input_never_raises(text: str) -> None:
    parse_column(text)
