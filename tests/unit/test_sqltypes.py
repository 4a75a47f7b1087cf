"""Column types print exactly as PostgreSQL's format_type() does."""

from __future__ import annotations

import pytest
from pglast import parse_sql

from lockstep.core.sql.types import format_type

CASES = [
    ("int", "integer"), ("integer", "integer"), ("int4", "integer"), ("int8", "bigint"),
    ("bigint", "bigint"), ("smallint", "smallint"), ("int2", "smallint"), ("real", "real"),
    ("float8", "double precision"), ("double precision", "double precision"),
    ("float(10)", "real"), ("float(30)", "double precision"), ("numeric", "numeric"),
    ("numeric(5,2)", "numeric(5,2)"), ("numeric(10)", "numeric(10,0)"),
    ("decimal(4,1)", "numeric(4,1)"), ("varchar", "character varying"),
    ("varchar(10)", "character varying(10)"), ("character varying(20)", "character varying(20)"),
    ("char(3)", "character(3)"), ("char", "character(1)"), ("text", "text"),
    ("text[]", "text[]"), ("int[]", "integer[]"), ("int[][]", "integer[]"),
    ("varchar(5)[]", "character varying(5)[]"), ("uuid", "uuid"), ("bool", "boolean"),
    ("boolean", "boolean"), ("json", "json"), ("jsonb", "jsonb"), ("date", "date"),
    ("time", "time without time zone"), ("timetz", "time with time zone"),
    ("timestamp", "timestamp without time zone"), ("timestamptz", "timestamp with time zone"),
    ("timestamp(3)", "timestamp(3) without time zone"),
    ("timestamptz(0)", "timestamp(0) with time zone"),
    ("timestamp with time zone", "timestamp with time zone"), ("interval", "interval"),
    ("bytea", "bytea"), ("inet", "inet"), ("serial", "integer"), ("bigserial", "bigint"),
    ("smallserial", "smallint"), ("mood", "mood"), ("public.mood", "mood"), ("mood[]", "mood[]"),
    ('"Weird"', '"Weird"'), ("extensions.citext", "extensions.citext"), ("bit(3)", "bit(3)"),
    ("bit varying(5)", "bit varying(5)"),
]


@pytest.mark.parametrize(("written", "printed"), CASES)
def test_format_type(written: str, printed: str) -> None:
    [statement] = parse_sql(f"CREATE TABLE t (c {written})")
    assert format_type(statement.stmt.tableElts[0].typeName) == printed
