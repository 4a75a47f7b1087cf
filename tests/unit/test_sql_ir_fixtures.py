"""Every statement of every fixture migration builds into the IR; names and spans round-trip,
and pglast nodes built from the JSON (`pgnode.to_node`, what `ir.Expr.node` uses) equal
pglast's own parse, locations included."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pglast import ast, parse_sql

from lockstep.core.sql import ir
from lockstep.core.sql.parse import parse_migration_sql
from lockstep.core.sql.pgnode import byte_to_char, to_node

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SQL_FILES = sorted(FIXTURES.rglob("*.sql"))


def _values(value: Any) -> Iterator[Any]:
    yield value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _values(getattr(value, item.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _values(item)


def _difference(mine: Any, theirs: Any, path: str) -> str | None:
    if isinstance(theirs, ast.Node):
        if type(mine) is not type(theirs):
            return f"{path}: {type(mine).__name__} is not {type(theirs).__name__}"
        for slot in theirs.__slots__:
            found = _difference(getattr(mine, slot), getattr(theirs, slot), f"{path}.{slot}")
            if found:
                return found
        return None
    if isinstance(theirs, tuple):
        if not isinstance(mine, tuple) or len(mine) != len(theirs):
            return f"{path}: {mine!r} != {theirs!r}"
        for index, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            found = _difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if mine != theirs or isinstance(mine, Enum) != isinstance(theirs, Enum):
        return f"{path}: {mine!r} != {theirs!r}"
    return None


def test_there_are_fixture_migrations() -> None:
    assert len(SQL_FILES) > 50


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_statements_build_and_spans_round_trip(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for statement in parse_migration_sql(text).statements:
        assert statement.ir.span == ir.Span(statement.start, statement.end)
        for value in _values(statement.ir):
            if isinstance(value, ir.Name) and value.name and value.span.start >= 0 \
                    and value.span != statement.ir.span:
                written = text[value.span.start : value.span.end]
                assert written.strip('"').replace('""', '"') == value.name or \
                    written.lower() == value.name, (path.name, value)
            if isinstance(value, ir.Expr):
                assert statement.start <= value.span.start <= value.span.end <= statement.end
                assert value.sql != "<expression>", (path.name, value)


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_nodes_from_json_equal_pglast_parse(path: Path) -> None:
    import json

    from pglast.parser import parse_sql_json

    text = path.read_text(encoding="utf-8")
    for statement in parse_migration_sql(text).statements:
        source = text[statement.start : statement.end]
        tree = json.loads(parse_sql_json(source))
        offsets = byte_to_char(source)
        mine = [to_node(s["stmt"], offsets) for s in tree["stmts"]]
        theirs = [raw.stmt for raw in parse_sql(source)]
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs, strict=True):
            assert _difference(a, b, type(b).__name__) is None
        assert _difference(to_node(statement.json, offsets), theirs[0], "json") is None
