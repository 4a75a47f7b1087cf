"""Symbol resolution, references, definition, consumers, completion contexts and symbols."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockstep.core.ide import navigation as nav
from lockstep.core.ide.completion import complete
from lockstep.core.ide.symbols import document_symbols, matches, workspace_symbols
from lockstep.core.ide.target import Target, symbol_at
from lockstep.core.text import LineIndex, Position
from lockstep.core.workspace import Workspace

ROOT = Path(__file__).parent.parent / "fixtures" / "nav"
WINS = ("public", "wins")


@pytest.fixture(scope="module")
def ws() -> Workspace:
    workspace = Workspace(ROOT)
    workspace.load()
    return workspace


def at(ws: Workspace, path: str, needle: str, nth: int = 0, shift: int = 1) -> Position:
    """The position `shift` characters into the `nth` occurrence of `needle` in `path`."""
    text = ws.read(path) or ""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    return LineIndex(text).position(offset + shift)


def target(ws: Workspace, path: str, needle: str, nth: int = 0, shift: int = 1) -> Target | None:
    return symbol_at(ws, path, at(ws, path, needle, nth, shift))


MIG2 = "supabase/migrations/002_wins.sql"
ROUTE = "apps/web/src/app/api/wins/route.ts"


# -- what is under the cursor ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "needle", "nth", "expected"),
    [
        (MIG2, "wins (", 0, (WINS, None)),  # CREATE TABLE
        (MIG2, "sessions(id)", 0, (("public", "sessions"), None)),  # REFERENCES
        (MIG2, "wins(user_id)", 0, (WINS, None)),  # CREATE INDEX … ON
        (MIG2, "wins ENABLE", 0, (WINS, None)),  # ALTER TABLE
        (MIG2, "wins FOR SELECT", 0, (WINS, None)),  # CREATE POLICY … ON
        (MIG2, "wins IS", 0, (WINS, None)),  # COMMENT ON
        (MIG2, "sim_wins (", 0, (("public", "sim_wins"), None)),
        (MIG2, "user_id)", 0, (WINS, "user_id")),  # index column
        (MIG2, "user_id);", 2, (("public", "sim_wins"), "user_id")),
        (MIG2, "text TEXT", 0, (WINS, "body")),  # renamed later: today's name
        (MIG2, "user_id UUID", 0, (WINS, "user_id")),  # column definition
        (MIG2, "id) ON DELETE SET", 0, (("public", "sessions"), "id")),  # FK target column
        (MIG2, "user_id);\nCOMMENT", 0, (WINS, "user_id")),  # policy expression
        ("supabase/migrations/003_wins_mood.sql", "mood", 1, (WINS, "mood")),  # ADD COLUMN
        ("supabase/migrations/004_wins_body.sql", "text TO", 0, (WINS, "body")),
        ("supabase/migrations/004_wins_body.sql", "body;", 0, (WINS, "body")),
        ("supabase/migrations/005_notes.sql", "old_notes (", 0, (("public", "notes"), None)),
        ("supabase/migrations/005_notes.sql", "old_notes RENAME", 0, (("public", "notes"), None)),
        ("supabase/migrations/005_notes.sql", "notes;", 0, (("public", "notes"), None)),
        (ROUTE, "wins')", 0, (WINS, None)),  # .from('wins')
        (ROUTE, "body, mood", 0, (WINS, "body")),  # select string
        (ROUTE, "user_id', 'u'", 0, (WINS, "user_id")),  # filter argument
        (ROUTE, "mood: win", 0, (WINS, "mood")),  # insert key
        (
            "apps/web/src/app/api/session/close/route.ts",
            "started_at",
            0,
            (("public", "sessions"), "started_at"),
        ),  # embedded select
        ("packages/types/src/wins.ts", "Win ", 0, (WINS, None)),  # row type name
        ("packages/types/src/wins.ts", "body:", 0, (WINS, "body")),  # row type field
        ("packages/types/src/sessions.ts", "Session", 0, (("public", "sessions"), None)),
    ],
)
def test_symbol_at(
    ws: Workspace, path: str, needle: str, nth: int, expected: tuple[object, object]
) -> None:
    found = target(ws, path, needle, nth)
    assert found is not None, needle
    assert (found.table, found.column) == expected


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        (MIG2, "-- Wins"),  # comment
        (MIG2, "gen_random_uuid"),
        (MIG2, "auth.users"),  # a platform table we know nothing about
        ("apps/web/src/lib/decoys.ts", "wins').select('*')"),  # in a comment
        ("apps/web/src/lib/decoys.ts", "wins']"),  # Array.from
        ("apps/web/src/lib/decoys.ts", "wins', 'utf8"),  # Buffer.from
        ("apps/web/src/lib/decoys.ts", "wins');"),  # storage bucket
        ("apps/web/src/lib/decoys.ts", "table)"),  # .from(variable)
        ("apps/web/src/lib/decoys.ts", "wins')\";"),  # inside a string
        ("supabase/migrations/002_wins.sql", "TEXT NOT NULL\n)"),  # type keyword
    ],
)
def test_nothing_under_the_cursor(ws: Workspace, path: str, needle: str) -> None:
    assert target(ws, path, needle) is None


def test_unknown_path_and_far_positions_never_raise(ws: Workspace) -> None:
    assert symbol_at(ws, "nope.ts", Position(0, 0)) is None
    assert symbol_at(ws, MIG2, Position(999, 999)) is None
    assert symbol_at(ws, ROUTE, Position(999, 0)) is None


# -- consumers, references, definitions ------------------------------------------------


def test_consumers_are_grouped_in_workflow_order(ws: Workspace) -> None:
    found = nav.consumers(ws, WINS)
    categories = [c.category for c in found]
    assert categories == [
        "api-route",
        "api-route",
        "hook",
        "context",
        "admin-query",
        "coaching",
        "after-callback",
        "clone",
    ]
    assert all("decoys" not in c.location.path for c in found)
    assert [c.location.path for c in nav.consumers(ws, ("public", "sim_wins"))] == [
        "apps/admin/src/app/api/simulator/personas/clone/route.ts"
    ]


def test_table_references_with_and_without_declaration(ws: Workspace) -> None:
    wins = target(ws, ROUTE, "wins')")
    assert wins is not None
    plain = nav.references(ws, wins, include_declaration=False)
    assert len(plain) == 8 and all(w.path.endswith((".ts", ".tsx")) for w in plain)
    full = nav.references(ws, wins, include_declaration=True)
    paths = {w.path for w in full}
    assert {MIG2, "supabase/migrations/003_wins_mood.sql", "packages/types/src/wins.ts"} <= paths
    assert "apps/web/src/lib/decoys.ts" not in paths
    assert len(full) == len(set(full))


def test_column_references_follow_renames(ws: Workspace) -> None:
    body = target(ws, ROUTE, "body, mood")
    assert body is not None
    found = nav.references(ws, body, include_declaration=True)
    texts = {
        (
            w.path,
            (ws.read(w.path) or "").splitlines()[w.range.start.line][
                w.range.start.character : w.range.end.character
            ],
        )
        for w in found
    }
    assert (MIG2, "text") in texts  # the column as first created
    assert ("supabase/migrations/004_wins_body.sql", "body") in texts
    assert ("packages/types/src/wins.ts", "body") in texts
    assert ("packages/coaching/src/prompt.ts", "body") in texts
    # sim_wins.body is another column.
    assert all(
        "sim_wins" not in (ws.read(w.path) or "").splitlines()[w.range.start.line] for w in found
    )


def test_definitions(ws: Workspace) -> None:
    wins = target(ws, ROUTE, "wins')")
    assert wins is not None
    [where] = nav.definition(ws, wins)
    assert where.path == MIG2 and where.range.start == Position(1, 13)
    mood = target(ws, ROUTE, "mood: win")
    assert mood is not None
    [where] = nav.definition(ws, mood)
    assert where.path == "supabase/migrations/003_wins_mood.sql"
    body = target(ws, "packages/types/src/wins.ts", "body:")
    assert body is not None
    [where] = nav.definition(ws, body)  # after a rename: the rename
    assert where.path == "supabase/migrations/004_wins_body.sql"
    row = target(ws, "packages/types/src/wins.ts", "Win ")
    assert row is not None and nav.definition(ws, row)[0].path == MIG2


def test_type_definition_links_mirror_and_row_type(ws: Workspace) -> None:
    wins = target(ws, ROUTE, "wins')")
    assert wins is not None
    sim, row = nav.type_definition(ws, wins)
    assert sim.path == MIG2 and sim.range.start.line == 16
    assert row.path == "packages/types/src/wins.ts"
    sim_wins = target(ws, MIG2, "sim_wins (")
    assert sim_wins is not None
    assert nav.type_definition(ws, sim_wins)[0].range.start == Position(1, 13)


def test_mirror_status_and_lens_titles(ws: Workspace) -> None:
    status = nav.mirror_status(ws, WINS)
    assert status is not None and [d.column for d in status.drift] == ["mood"]
    titles = {lens.table[1]: lens.title for lens in nav.lenses(ws, MIG2)}
    assert titles["wins"] == "8 consumers · type Win · sim_wins drift: 1 column"
    assert titles["sim_wins"] == "1 consumer · mirrors wins"
    sessions = nav.lenses(ws, "supabase/migrations/001_sessions.sql")
    assert sessions[0].title == "1 consumer · type Session · sim_sessions in sync"
    assert nav.lenses(ws, "supabase/migrations/005_notes.sql")[0].title == "0 consumers"


def test_suggest(ws: Workspace) -> None:
    assert nav.suggest(ws, "winz") == "wins"
    assert nav.find_table(ws, "public.wins") is not None


# -- completion ------------------------------------------------------------------------


def complete_at(ws: Workspace, path: str, text: str) -> list[str]:
    offset = text.index("|")
    text = text.replace("|", "", 1)
    items = complete(ws, path, text, LineIndex(text).position(offset))
    return [item.label for item in sorted(items, key=lambda i: i.sort_text)]


TS = "apps/web/src/lib/new.ts"
SQL = "supabase/migrations/006_new.sql"
WINS_COLUMNS = ["id", "created_at", "user_id", "session_id", "body", "mood"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("supabase.from('|')", "tables"),
        ("supabase.from('wi|')", "tables"),
        ('supabase.from("|', "tables"),  # not closed yet
        ("supabase.from('wins').select('|')", WINS_COLUMNS),
        ("supabase.from('wins').select('id, |')", WINS_COLUMNS),
        ("supabase.from('wins').select('id, s:sessions(|)')", ["id", "user_id", "started_at"]),
        ("supabase.from('wins').select('id').eq('|', 1)", WINS_COLUMNS),
        ("supabase.from('wins').insert({ body: 'x', | })", WINS_COLUMNS),
        ("supabase.from('wins').update({ bo| })", WINS_COLUMNS),
        ("supabase.from('wins').insert({ body: '|' })", []),
        ("supabase.from('wins').select('id').eq('id', '|')", []),
        ("Array.from('|')", []),
        ("supabase.storage.from('|')", []),
        ("// supabase.from('|')", []),
    ],
)
def test_ts_completion(ws: Workspace, text: str, expected: object) -> None:
    labels = complete_at(ws, TS, f"async function f() {{ {text} }}")
    if expected == "tables":
        assert labels[:3] == ["notes", "sessions", "wins"] and labels[3:] == [
            "sim_sessions",
            "sim_wins",
        ]
    else:
        assert labels == expected


def test_sim_tables_first_in_a_sim_context(ws: Workspace) -> None:
    labels = complete_at(ws, TS, "supabase.from('sim|')")
    assert labels[:2] == ["sim_sessions", "sim_wins"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ALTER TABLE |", "tables"),
        ("select 1;\nALTER TABLE wi|", "tables"),
        ("ALTER TABLE IF EXISTS |", "tables"),
        ("create table x (id uuid references |", "tables"),
        ("CREATE INDEX idx ON |", "tables"),
        ("CREATE POLICY p ON |", "tables"),
        ("insert into |", "tables"),
        ("select * from wins join |", "tables"),
        ("update |", "tables"),
        ("insert into public.|", "tables"),
        ("ALTER TABLE wins DROP COLUMN |", WINS_COLUMNS),
        ("ALTER TABLE wins DROP COLUMN IF EXISTS |", WINS_COLUMNS),
        ("ALTER TABLE wins RENAME COLUMN bo|", WINS_COLUMNS),
        ("ALTER TABLE wins ALTER COLUMN |", WINS_COLUMNS),
        ("ALTER TABLE wins ALTER |", WINS_COLUMNS),
        ("ALTER TABLE wins ADD COLUMN |", []),
        ("CREATE INDEX idx ON wins (|", WINS_COLUMNS),
        ("select 'abc|", []),
        ("-- alter table |", []),
        ("select * from wins where |", []),
    ],
)
def test_sql_completion(ws: Workspace, text: str, expected: object) -> None:
    labels = complete_at(ws, SQL, text)
    if expected == "tables":
        assert labels == ["notes", "sessions", "wins", "sim_sessions", "sim_wins"]
    else:
        assert labels == expected


def test_completion_never_raises_on_odd_input(ws: Workspace) -> None:
    for text in ("", "|", "\ufeff'|", "😀 supabase.from('|')", 'ALTER TABLE "|', "$$ |"):
        if "|" not in text:
            text += "|"
        complete_at(ws, TS, text)
        complete_at(ws, SQL, text)
    assert complete(ws, "README.md", "x", Position(0, 0)) == []


# -- symbols -----------------------------------------------------------------------------


def test_migration_document_symbols(ws: Workspace) -> None:
    names = [s.name for s in document_symbols(ws, MIG2)]
    assert names[0] == "create table wins"
    assert "create index idx_wins_user_id on wins" in names
    assert names[5] == "comment on table wins"
    assert len(names) == 8
    last = [s.name for s in document_symbols(ws, "supabase/migrations/005_notes.sql")]
    assert last[0] == "create table old_notes"
    assert last[1].startswith("rename table")
    assert last[2] == "create function touch"
    symbols = document_symbols(ws, MIG2)
    assert all(
        s.range.start <= s.selection.start and s.selection.end <= s.range.end for s in symbols
    )
    assert symbols[0].selection.start == Position(1, 13)  # the table name


def test_types_document_symbols(ws: Workspace) -> None:
    [row] = document_symbols(ws, "packages/types/src/wins.ts")
    assert row.name == "Win" and [c.name for c in row.children] == WINS_COLUMNS


def test_workspace_symbols(ws: Workspace) -> None:
    assert matches("sw", "sim_wins") and matches("", "x") and not matches("sx", "wins")
    names = [s.name for s in workspace_symbols(ws, "WIN")]
    assert names == ["Win", "wins", "sim_wins"]
    kinds = {s.name: s.kind for s in workspace_symbols(ws, "")}
    assert kinds["wins"] == "table" and kinds["Session"] == "type"


# -- the consumers CLI -------------------------------------------------------------------


def test_consumers_cli_text_and_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from lockstep.cli.main import main

    monkeypatch.chdir(ROOT)  # text paths are relative to the current folder
    assert main(["consumers", "wins", str(ROOT)]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "public.wins: 8 consumers"
    assert "api-route (2)\n  apps/web/src/app/api/wins/route.ts:5:41  GET  select" in text
    assert "after-callback (1)" in text and "decoys" not in text
    assert main(["consumers", "public.wins", str(ROOT), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["table"] == "wins"
    first = payload["consumers"][0]
    assert first == {
        "category": "api-route",
        "path": ROUTE,
        "range": {"start": {"line": 4, "character": 40}, "end": {"line": 4, "character": 44}},
        "function": "GET",
        "operations": ["select"],
    }


def test_consumers_cli_unknown_table(capsys: pytest.CaptureFixture[str]) -> None:
    from lockstep.cli.main import main

    assert main(["consumers", "winz", str(ROOT)]) == 2
    assert "did you mean `wins`" in capsys.readouterr().err
    assert main(["consumers", "wins", str(ROOT / "nope")]) == 2
