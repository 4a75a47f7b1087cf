"""Hover cards: content, caps, and Markdown versus plain text."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockstep.core.ide import hover as hover_card
from lockstep.core.ide.hover import column_card, hover_text, table_card
from lockstep.core.ide.target import Target
from lockstep.core.text import Range
from lockstep.core.workspace import Workspace

ROOT = Path(__file__).parent.parent / "fixtures" / "nav"
WINS = ("public", "wins")


@pytest.fixture(scope="module")
def ws() -> Workspace:
    workspace = Workspace(ROOT)
    workspace.load()
    return workspace


def test_table_card_markdown(ws: Workspace) -> None:
    card = table_card(ws, WINS)
    assert card is not None
    assert card.startswith("**table public.wins** · `supabase/migrations/002_wins.sql`")
    assert "| column | type | null | default | key |" in card
    assert "| id | uuid | no | gen_random_uuid() | PK |" in card
    assert "| user_id | uuid | no |  | FK → auth.users(id) CASCADE |" in card
    assert "| session_id | uuid | yes |  | FK → sessions(id) SET NULL |" in card
    assert '**RLS**: enabled · "Users can read own wins" (SELECT)' in card
    assert "**Mirror**: `sim_wins` drifts: `mood` missing on sim_wins" in card
    assert "**Type**: `Win` in `packages/types/src/wins.ts`" in card
    assert "**Consumers**: 8 (2 api-route · 1 hook · 1 context · 1 admin-query · 1 coaching" in card
    assert (
        "- `002_wins.sql`: create table wins, create index idx_wins_user_id on wins, 4 more" in card
    )
    assert "- `004_wins_body.sql`: rename column wins.text to body" in card


def test_table_card_plaintext_has_no_markup(ws: Workspace) -> None:
    card = table_card(ws, WINS, markdown=False)
    assert card is not None
    assert "**" not in card and "`" not in card and "|" not in card
    assert "  id uuid not null default gen_random_uuid() PK" in card
    assert "Mirror: sim_wins drifts: mood missing on sim_wins" in card


def test_mirror_and_plain_tables(ws: Workspace) -> None:
    sim = table_card(ws, ("public", "sim_wins"))
    assert sim is not None and "simulator mirror of `wins`" in sim
    assert "**RLS**: disabled" in sim
    sessions = table_card(ws, ("public", "sessions"))
    assert sessions is not None and "`sim_sessions` in sync" in sessions
    notes = table_card(ws, ("public", "notes"))
    assert notes is not None and "**Type**: no row type found" in notes
    assert "**Consumers**: none found" in notes and "Mirror" not in notes


def test_column_card(ws: Workspace) -> None:
    card = column_card(ws, WINS, "body")
    assert card is not None
    assert card.startswith("**column wins.body** `text` · not null")
    assert "`Win.body: string` in `packages/types/src/wins.ts`" in card
    assert "`004_wins_body.sql`: rename column wins.text to body" in card
    user = column_card(ws, WINS, "user_id")
    assert user is not None and "foreign key → auth.users(id) CASCADE" in user
    ident = column_card(ws, WINS, "id")
    assert ident is not None and "default `gen_random_uuid()` · primary key" in ident
    assert column_card(ws, WINS, "nope") is None
    assert column_card(ws, ("public", "nope"), "id") is None


def test_hover_text_dispatch(ws: Workspace) -> None:
    here = Range.empty()
    assert hover_text(ws, Target(WINS, None, here, "sql")) == table_card(ws, WINS)
    assert hover_text(ws, Target(WINS, "mood", here, "sql"), False) == column_card(
        ws, WINS, "mood", False
    )
    assert hover_text(ws, Target(("public", "nope"), None, here, "sql")) is None


def test_caps_keep_the_card_short(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hover_card, "MAX_COLUMNS", 2)
    monkeypatch.setattr(hover_card, "MAX_HISTORY", 1)
    card = table_card(ws, WINS)
    assert card is not None
    assert "… 4 more columns" in card
    assert "… 2 more migrations" in card
    assert "| body |" not in card


def test_pipes_in_defaults_are_escaped() -> None:
    cell = hover_card._Card(markdown=True).cell("a || b")
    assert cell == "a \\|\\| b"


def test_column_card_lists_the_values_of_an_enum(tmp_path: Path) -> None:
    migrations = tmp_path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "001_wins.sql").write_text(
        "-- wins\nCREATE TYPE mood AS ENUM ('happy', 'sad');\n"
        "CREATE TABLE wins (id uuid PRIMARY KEY, mood mood, moods mood[]);\n")
    workspace = Workspace(tmp_path)
    workspace.load()
    for name in ("mood", "moods"):
        card = column_card(workspace, ("public", "wins"), name)
        assert card is not None and "one of `happy`, `sad`" in card
