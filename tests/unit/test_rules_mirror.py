"""The sim_ mirror rules: drift, missing twins, twins pointing at production, RLS on twins."""

from __future__ import annotations

from pathlib import Path

from rule_helpers import codes, diagnostics_for, migration

from lockstep.core.diagnostics import Diagnostic
from lockstep.core.text import LineIndex

MIRROR = {
    "sim-mirror-drift",
    "sim-mirror-missing",
    "sim-references-prod-table",
    "sim-fk-to-auth-users",
    "sim-table-rls",
}

BASE = """-- Sessions and wins, each with its simulator twin.
CREATE TABLE sessions (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE
);
CREATE INDEX idx_sessions_user_id ON sessions(user_id);
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own" ON sessions FOR SELECT USING (auth.uid() = user_id);

CREATE TABLE sim_sessions (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL
);

CREATE TABLE wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL
);
CREATE INDEX idx_wins_user_id ON wins(user_id);
CREATE INDEX idx_wins_session_id ON wins(session_id);
ALTER TABLE wins ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own" ON wins FOR SELECT USING (auth.uid() = user_id);

CREATE TABLE sim_wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL,
  session_id UUID REFERENCES sim_sessions(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at TIMESTAMPTZ DEFAULT clock_timestamp() NOT NULL
);
CREATE INDEX idx_sim_wins_session_id ON sim_wins(session_id);
"""


def run(tmp_path: Path, *later: str, base: str = BASE) -> list[Diagnostic]:
    files = {migration("001_base.sql"): base}
    for number, text in enumerate(later, start=2):
        files[migration(f"{number:03d}_change.sql")] = text
    return [d for d in diagnostics_for(tmp_path, files) if d.code in MIRROR]


def text_at(tmp_path: Path, diagnostic: Diagnostic) -> str:
    source = (tmp_path / diagnostic.path).read_text()
    lines = LineIndex(source)
    return source[lines.offset(diagnostic.range.start) : lines.offset(diagnostic.range.end)]


def test_base_is_clean(tmp_path: Path) -> None:
    assert run(tmp_path) == []


# -- sim-mirror-drift -------------------------------------------------------------------------
def test_drift_added_column(tmp_path: Path) -> None:
    found = run(tmp_path, "-- Mood.\nALTER TABLE wins ADD COLUMN mood TEXT;\n")
    assert codes(found) == ["sim-mirror-drift"]
    drift = found[0]
    assert drift.path == migration("002_change.sql")
    assert drift.severity == "warning"
    assert text_at(tmp_path, drift) == "mood TEXT"
    assert "`wins.mood` was added here but not on `sim_wins`" in drift.message
    assert "ALTER TABLE sim_wins ADD COLUMN mood text;" in drift.message
    assert drift.data is not None
    assert drift.data["table"] == "wins"
    assert drift.data["sim_table"] == "sim_wins"
    assert drift.data["column"] == "mood"
    assert drift.data["kind"] == "missing"
    assert drift.data["fix"] == "ALTER TABLE sim_wins ADD COLUMN mood text;"
    start, end = drift.data["statement"]
    source = (tmp_path / drift.path).read_text()
    assert source[start:end] == "ALTER TABLE wins ADD COLUMN mood TEXT"
    assert [r.location.path for r in drift.related] == [migration("001_base.sql")]


def test_drift_not_null_column_fix_keeps_not_null(tmp_path: Path) -> None:
    found = run(
        tmp_path, "-- Pin.\nALTER TABLE wins ADD COLUMN pinned BOOLEAN DEFAULT false NOT NULL;\n"
    )
    assert codes(found) == ["sim-mirror-drift"]
    assert found[0].data is not None
    assert found[0].data["fix"] == "ALTER TABLE sim_wins ADD COLUMN pinned boolean NOT NULL;"


def test_no_drift_when_mirrored(tmp_path: Path) -> None:
    assert (
        run(
            tmp_path,
            "-- Mood.\nALTER TABLE wins ADD COLUMN mood TEXT;\n-- Mirror for simulator:\n"
            "ALTER TABLE sim_wins ADD COLUMN mood TEXT;\n",
        )
        == []
    )


def test_drift_suppressed(tmp_path: Path) -> None:
    assert (
        run(
            tmp_path,
            "-- Mood.\n-- lockstep-ignore sim-mirror-drift\n"
            "ALTER TABLE wins ADD COLUMN mood TEXT;\n",
        )
        == []
    )


def test_drift_type_and_nullability(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        "-- Shorter wins.\nALTER TABLE wins ALTER COLUMN text TYPE VARCHAR(200);\n"
        "ALTER TABLE wins ALTER COLUMN created_at DROP NOT NULL;\n",
    )
    assert codes(found) == ["sim-mirror-drift", "sim-mirror-drift"]
    kinds = {d.data["column"]: d.data["kind"] for d in found if d.data}
    assert kinds == {"text": "type", "created_at": "nullability"}
    assert "ALTER TABLE sim_wins ALTER COLUMN text TYPE character varying(200);" in found[0].message
    assert "ALTER TABLE sim_wins ALTER COLUMN created_at DROP NOT NULL;" in found[1].message
    assert [text_at(tmp_path, d) for d in found] == ["text", "created_at"]
    assert (
        "`wins.text` was changed here as `character varying(200) NOT NULL` but " in found[0].message
    )
    assert "`sim_wins.text` is `text NOT NULL`" in found[0].message


def test_drift_added_on_both_with_other_nullability(tmp_path: Path) -> None:
    later = (
        "-- Mood.\nALTER TABLE wins ADD COLUMN mood TEXT NOT NULL DEFAULT 'ok';\n"
        "ALTER TABLE sim_wins ADD COLUMN mood TEXT;\n"
    )
    found = run(tmp_path, later)
    assert codes(found) == ["sim-mirror-drift"]
    assert found[0].message.startswith(
        "`wins.mood` was added here as `text NOT NULL` but `sim_wins.mood` is `text`"
    )
    assert found[0].data is not None
    assert found[0].data["fix"] == "ALTER TABLE sim_wins ALTER COLUMN mood SET NOT NULL;"


def test_defaults_and_extra_columns_are_not_drift(tmp_path: Path) -> None:
    assert run(tmp_path, "-- Default.\nALTER TABLE wins ALTER COLUMN text SET DEFAULT '';\n") == []


def test_drift_reported_once_at_its_migration(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        "-- Mood.\nALTER TABLE wins ADD COLUMN mood TEXT;\n",
        "-- Note.\nALTER TABLE wins ADD COLUMN note TEXT;\n"
        "ALTER TABLE sim_wins ADD COLUMN note TEXT;\n",
    )
    assert [(d.code, d.path) for d in found] == [("sim-mirror-drift", migration("002_change.sql"))]


def test_drift_fixed_by_a_later_migration_is_not_reported(tmp_path: Path) -> None:
    assert (
        run(
            tmp_path,
            "-- Mood.\nALTER TABLE wins ADD COLUMN mood TEXT;\n",
            "-- Mirror the mood.\nALTER TABLE sim_wins ADD COLUMN mood TEXT;\n",
        )
        == []
    )


def test_drift_dropped_column(tmp_path: Path) -> None:
    found = run(tmp_path, "-- Drop.\nALTER TABLE wins DROP COLUMN text;\n")
    assert codes(found) == ["sim-mirror-drift"]
    assert "ALTER TABLE sim_wins DROP COLUMN text;" in found[0].message
    assert text_at(tmp_path, found[0]) == "text"


def test_no_drift_when_drop_is_mirrored(tmp_path: Path) -> None:
    later = "-- Drop.\nALTER TABLE wins DROP COLUMN text;\nALTER TABLE sim_wins DROP COLUMN text;\n"
    assert run(tmp_path, later) == []


def test_drift_renamed_column(tmp_path: Path) -> None:
    found = run(tmp_path, "-- Rename.\nALTER TABLE wins RENAME COLUMN text TO body;\n")
    assert codes(found) == ["sim-mirror-drift"]  # the old name staying on sim_ is the same slip
    assert "ALTER TABLE sim_wins RENAME COLUMN text TO body;" in found[0].message


def test_drift_when_twin_created_without_a_column(tmp_path: Path) -> None:
    # wins keeps `text`; sim_wins is created without it.
    base = BASE.replace(
        "  text TEXT NOT NULL,\n  content TEXT NOT NULL,\n", "  content TEXT NOT NULL,\n"
    )
    found = run(tmp_path, base=base)
    assert codes(found) == ["sim-mirror-drift"]
    assert text_at(tmp_path, found[0]) == "sim_wins"
    assert "`wins.text` is not on `sim_wins` as created here" in found[0].message
    assert "ALTER TABLE sim_wins ADD COLUMN text text NOT NULL;" in found[0].message


def test_drift_points_at_the_change_not_the_twin_created_with_it(tmp_path: Path) -> None:
    base = BASE + "ALTER TABLE wins ADD COLUMN mood TEXT;\n"
    found = run(tmp_path, base=base)
    assert codes(found) == ["sim-mirror-drift"]
    assert text_at(tmp_path, found[0]) == "mood TEXT"


def test_internal_tables_are_never_mirrored(tmp_path: Path) -> None:
    later = (
        "-- Telemetry.\nCREATE TABLE llm_usage (id BIGINT PRIMARY KEY, model TEXT);\n"
        "CREATE TABLE sim_llm_usage (id BIGINT PRIMARY KEY);\n"
    )
    assert run(tmp_path, later) == []


def test_quoted_and_only_forms(tmp_path: Path) -> None:
    later = (
        '-- Mood, diff style.\nALTER TABLE ONLY "public"."wins" ADD COLUMN "mood" text;\n'
        'ALTER TABLE ONLY "public"."sim_wins" ADD COLUMN "mood" text;\n'
    )
    assert run(tmp_path, later) == []


# -- sim-mirror-missing ----------------------------------------------------------------------
GOALS = """-- Goals come out of sessions.
CREATE TABLE goals (
  id UUID PRIMARY KEY,
  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE
);
"""


def test_missing_twin(tmp_path: Path) -> None:
    found = run(tmp_path, GOALS)
    assert codes(found) == ["sim-mirror-missing"]
    assert text_at(tmp_path, found[0]) == "goals"
    assert found[0].data is not None and found[0].data["sim_table"] == "sim_goals"
    assert "sim_sessions" in found[0].message


def test_missing_twin_present(tmp_path: Path) -> None:
    later = GOALS + (
        "CREATE TABLE sim_goals (\n  id UUID PRIMARY KEY,\n"
        "  session_id UUID REFERENCES sim_sessions(id) ON DELETE CASCADE\n);\n"
    )
    assert run(tmp_path, later) == []


def test_missing_twin_not_for_auth_only_internal_or_sim(tmp_path: Path) -> None:
    later = (
        "-- Not mirrored.\n"
        "CREATE TABLE prefs (id UUID PRIMARY KEY REFERENCES auth.users(id) ON DELETE CASCADE);\n"
        "CREATE TABLE llm_usage (id BIGINT PRIMARY KEY,\n"
        "  session_id UUID REFERENCES sessions(id) ON DELETE SET NULL);\n"
    )
    assert run(tmp_path, later) == []


def test_missing_twin_suppressed(tmp_path: Path) -> None:
    later = GOALS.replace(
        "CREATE TABLE goals", "-- lockstep-ignore sim-mirror-missing\nCREATE TABLE goals"
    )
    assert run(tmp_path, later) == []


# -- sim-references-prod-table / sim-fk-to-auth-users ----------------------------------------
def test_sim_references_prod_table(tmp_path: Path) -> None:
    base = BASE.replace("REFERENCES sim_sessions(id)", "REFERENCES sessions(id)")
    found = run(tmp_path, base=base)
    assert codes(found) == ["sim-references-prod-table"]
    assert found[0].severity == "error"
    assert text_at(tmp_path, found[0]).startswith("REFERENCES sessions(id)")
    assert "sim_sessions(id)" in found[0].message
    assert found[0].related and found[0].related[0].location.path == migration("001_base.sql")


def test_sim_references_prod_table_suppressed(tmp_path: Path) -> None:
    base = BASE.replace(
        "  session_id UUID REFERENCES sim_sessions(id)",
        "  -- lockstep-ignore sim-references-prod-table\n  session_id UUID REFERENCES sessions(id)",
    )
    assert run(tmp_path, base=base) == []


def test_sim_reference_to_unmirrored_table_is_fine(tmp_path: Path) -> None:
    later = (
        "-- Topics.\nCREATE TABLE topics (id UUID PRIMARY KEY);\n"
        "ALTER TABLE sim_wins ADD COLUMN topic_id UUID REFERENCES topics(id) ON DELETE SET NULL;\n"
    )
    assert run(tmp_path, later) == []


def test_sim_fk_to_auth_users(tmp_path: Path) -> None:
    base = BASE.replace(
        "CREATE TABLE sim_sessions (\n  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,\n"
        "  user_id UUID NOT NULL\n",
        "CREATE TABLE sim_sessions (\n  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,\n"
        "  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE\n",
    )
    found = run(tmp_path, base=base)
    assert codes(found) == ["sim-fk-to-auth-users"]
    assert found[0].severity == "error"
    assert text_at(tmp_path, found[0]).startswith("REFERENCES auth.users(id)")
    line = "  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE\n);\n\nCREATE TABLE"
    suppressed = base.replace(line, "  -- lockstep-ignore sim-fk-to-auth-users\n" + line)
    assert suppressed != base
    other = tmp_path / "suppressed"
    other.mkdir()
    assert run(other, base=suppressed) == []


# -- sim-table-rls -----------------------------------------------------------------------------
def test_sim_table_rls_flags_policies_not_rls(tmp_path: Path) -> None:
    later = (
        "-- Oops.\nALTER TABLE sim_wins ENABLE ROW LEVEL SECURITY;\n"
        'CREATE POLICY "own" ON sim_wins FOR SELECT USING ((select auth.uid()) = user_id);\n'
    )
    found = run(tmp_path, later)
    assert codes(found) == ["sim-table-rls"]  # RLS with no policy is the safe shape
    assert text_at(tmp_path, found[0]).startswith('CREATE POLICY "own" ON sim_wins')


def test_sim_table_rls_dropped_later_is_not_reported(tmp_path: Path) -> None:
    assert (
        run(
            tmp_path,
            '-- Oops.\nCREATE POLICY "own" ON sim_wins FOR SELECT USING (true);\n',
            '-- Undo.\nDROP POLICY "own" ON sim_wins;\n',
        )
        == []
    )


def test_sim_table_rls_suppressed(tmp_path: Path) -> None:
    later = (
        "-- On purpose.\n-- lockstep-ignore sim-table-rls\n"
        'CREATE POLICY "own" ON sim_wins FOR SELECT USING (true);\n'
    )
    assert run(tmp_path, later) == []


def test_custom_prefix_and_broken_sql_do_not_crash(tmp_path: Path) -> None:
    files = {
        migration("001_base.sql"): BASE.replace("sim_", "twin_"),
        migration(
            "002_broken.sql"
        ): "-- Broken.\nALTER TABLE wins ADD COLUMN mood TEXT;\nALTER TABL oops;\n",
    }
    found = diagnostics_for(tmp_path, files, config='[mirror]\nprefix = "twin_"\n')
    assert [d.code for d in found if d.code in MIRROR] == ["sim-mirror-drift"]
    assert "twin_wins" in next(d.message for d in found if d.code == "sim-mirror-drift")
