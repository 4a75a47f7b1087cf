"""Statement splitting and syntax errors: one broken statement never hides the rest."""

from __future__ import annotations

from lockstep.core.sql.parse import parse_migration_sql


def kinds(text: str) -> list[str]:
    return [s.kind for s in parse_migration_sql(text).statements]


def test_statements_are_split_on_top_level_semicolons_only() -> None:
    text = (
        "CREATE TABLE a (id int);\n"
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
        "DO $x$ BEGIN PERFORM 1; END $x$;\n"
        "SELECT ';' AS semicolon;"
    )
    assert kinds(text) == ["CreateStmt", "CreateFunctionStmt", "DoStmt", "SelectStmt"]


def test_statement_offsets_cover_the_statement_without_semicolon() -> None:
    text = "-- header\nCREATE TABLE a (id int);  ALTER TABLE a ADD COLUMN b text;"
    parsed = parse_migration_sql(text)
    assert [s.text(text) for s in parsed.statements] == [
        "CREATE TABLE a (id int)",
        "ALTER TABLE a ADD COLUMN b text",
    ]


def test_broken_statement_does_not_hide_the_others() -> None:
    text = "CREATE TABLE a (id int);\nCREATE TABLE b (x int foo);\nCREATE TABLE c (id int);"
    parsed = parse_migration_sql(text)
    assert kinds(text) == ["CreateStmt", "CreateStmt"]
    [error] = parsed.errors
    assert text[error.start : error.end] == "foo"
    assert parsed.range(error.start, error.end).start.line == 1


def test_unterminated_last_statement_is_reported() -> None:
    text = "CREATE TABLE a (id int);\nCREATE TABLE b (\n  id int,"
    parsed = parse_migration_sql(text)
    assert len(parsed.statements) == 1
    [error] = parsed.errors
    assert "incomplete" in error.message
    assert parsed.range(error.start, error.end).start.line == 2


def test_complete_last_statement_without_semicolon_is_fine() -> None:
    parsed = parse_migration_sql("CREATE TABLE a (id int)")
    assert not parsed.errors and len(parsed.statements) == 1


def test_unterminated_string_is_one_error_at_the_quote() -> None:
    text = "SELECT 1;\nSELECT 'abc"
    parsed = parse_migration_sql(text)
    assert len(parsed.statements) == 1
    [error] = parsed.errors
    assert text[error.start] == "'"
    assert error.message.startswith("Unterminated quoted string")


def test_unterminated_dollar_quote_and_comment() -> None:
    assert parse_migration_sql("DO $$ BEGIN").errors
    assert parse_migration_sql("/* never closed").errors


def test_error_offsets_are_characters_not_bytes() -> None:
    text = "-- héllo wörld 😀\nCREATE TABLE b (x int foo);"
    parsed = parse_migration_sql(text)
    [error] = parsed.errors
    assert text[error.start : error.end] == "foo"
    # LSP positions count UTF-16 code units: the emoji is two.
    assert parsed.range(error.start, error.end).start == parsed.lines.position(error.start)


def test_header_comment_detection() -> None:
    assert parse_migration_sql("-- what and why\nSELECT 1;").starts_with_comment
    assert parse_migration_sql("/* what */ SELECT 1;").starts_with_comment
    assert not parse_migration_sql("SELECT 1; -- trailing").starts_with_comment


def test_empty_and_comment_only_files() -> None:
    assert not parse_migration_sql("").statements
    assert not parse_migration_sql("-- nothing yet\n").errors


def test_crlf_positions() -> None:
    text = "CREATE TABLE a (id int);\r\nCREATE TABLE b (x int foo);\r\n"
    parsed = parse_migration_sql(text)
    [error] = parsed.errors
    assert parsed.range(error.start, error.end).start.line == 1
    assert parsed.range(error.start, error.end).start.character == 22
