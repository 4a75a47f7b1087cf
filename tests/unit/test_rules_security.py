"""Security and performance rules (splinter's lints on the replayed schema), plus fixtures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rule_helpers import codes, diagnostics_for, migration

from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import run_rules
from lockstep.core.text import LineIndex
from lockstep.core.workspace import Workspace

SECURITY = {
    "rls-disabled",
    "rls-enabled-no-policy",
    "policy-rls-disabled",
    "unindexed-foreign-key",
    "foreign-key-missing-on-delete",
    "missing-primary-key",
}
MIRROR = {
    "sim-mirror-drift",
    "sim-mirror-missing",
    "sim-references-prod-table",
    "sim-fk-to-auth-users",
    "sim-table-rls",
}
OURS = SECURITY | MIRROR
REPO = Path(__file__).resolve().parents[2]

GOOD = """-- Goals a user sets for themselves.
CREATE TABLE goals (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  title TEXT NOT NULL
);
CREATE INDEX idx_goals_user_id ON goals(user_id);
ALTER TABLE goals ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own" ON goals FOR SELECT USING (auth.uid() = user_id);
"""


def run(tmp_path: Path, text: str, config: str | None = None) -> list[Diagnostic]:
    files = {migration("001_goals.sql"): text}
    return [d for d in diagnostics_for(tmp_path, files, config) if d.code in SECURITY]


def text_at(tmp_path: Path, diagnostic: Diagnostic) -> str:
    source = (tmp_path / diagnostic.path).read_text()
    lines = LineIndex(source)
    return source[lines.offset(diagnostic.range.start) : lines.offset(diagnostic.range.end)]


def test_good_table_is_clean(tmp_path: Path) -> None:
    assert run(tmp_path, GOOD) == []


# -- rls-disabled ----------------------------------------------------------------------------
NO_RLS = GOOD.replace("ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n", "").replace(
    'CREATE POLICY "own" ON goals FOR SELECT USING (auth.uid() = user_id);\n', ""
)


def test_rls_disabled(tmp_path: Path) -> None:
    found = run(tmp_path, NO_RLS)
    assert codes(found) == ["rls-disabled"]
    assert found[0].severity == "error"
    assert text_at(tmp_path, found[0]) == "goals"
    assert found[0].data is not None
    assert found[0].data["fix"] == "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;"


def test_rls_disabled_suppressed(tmp_path: Path) -> None:
    text = NO_RLS.replace(
        "CREATE TABLE goals", "-- lockstep-ignore rls-disabled\nCREATE TABLE goals"
    )
    assert run(tmp_path, text) == []


def test_rls_disabled_exemptions(tmp_path: Path) -> None:
    text = (
        "-- Service-role tables (grants revoked), a private schema and Supabase-owned tables.\n"
        "CREATE TABLE llm_usage (id BIGINT PRIMARY KEY);\n"
        "CREATE TABLE sim_goals (id UUID PRIMARY KEY);\n"
        "REVOKE ALL ON llm_usage, sim_goals FROM anon, authenticated;\n"
        "CREATE SCHEMA private;\n"
        "CREATE TABLE private.secrets (id UUID PRIMARY KEY);\n"
        "CREATE TABLE storage.extra (id UUID);\n"
    )
    assert run(tmp_path, text) == []


def test_service_role_tables_are_reported_while_the_api_roles_reach_them(
    tmp_path: Path,
) -> None:
    """Supabase's default grants reach `sim_` and internal tables too: only a REVOKE (or RLS
    with no policy) makes them service-role only."""
    text = (
        "-- Service-role tables, still granted to the API roles.\n"
        "CREATE TABLE llm_usage (id BIGINT PRIMARY KEY);\n"
        "CREATE TABLE sim_goals (id UUID PRIMARY KEY);\n"
        "CREATE TABLE sim_wins (id UUID PRIMARY KEY);\n"
        "ALTER TABLE sim_wins ENABLE ROW LEVEL SECURITY;\n"
    )
    found = run(tmp_path, text)
    assert codes(found) == ["rls-disabled", "rls-disabled"]
    assert [text_at(tmp_path, d) for d in found] == ["llm_usage", "sim_goals"]
    assert "REVOKE ALL ON sim_goals FROM anon, authenticated" in found[1].message


def test_rls_enabled_in_a_later_migration(tmp_path: Path) -> None:
    files = {
        migration("001_goals.sql"): NO_RLS,
        migration("002_rls.sql"): "-- Lock goals down.\n"
        "ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n"
        'CREATE POLICY "own" ON goals FOR SELECT USING (auth.uid() = user_id);\n',
    }
    assert [d for d in diagnostics_for(tmp_path, files) if d.code in SECURITY] == []


def test_internal_tables_from_config(tmp_path: Path) -> None:
    config = '[rls]\ninternal_tables = ["goals"]\n'
    revoked = NO_RLS + "REVOKE ALL ON goals FROM anon, authenticated;\n"
    assert run(tmp_path, revoked, config) == []
    granted = tmp_path / "granted"
    granted.mkdir()
    found = run(granted, NO_RLS, config)
    assert codes(found) == ["rls-disabled"] and "service role only" in found[0].message


def test_dropped_table_is_not_judged(tmp_path: Path) -> None:
    assert run(tmp_path, NO_RLS + "DROP TABLE goals;\n") == []


# -- rls-enabled-no-policy / policy-rls-disabled -----------------------------------------------
def test_rls_enabled_no_policy(tmp_path: Path) -> None:
    text = GOOD.replace(
        'CREATE POLICY "own" ON goals FOR SELECT USING (auth.uid() = user_id);\n', ""
    )
    found = run(tmp_path, text)
    assert codes(found) == ["rls-enabled-no-policy"]
    assert found[0].severity == "information"
    assert text_at(tmp_path, found[0]) == "ALTER TABLE goals ENABLE ROW LEVEL SECURITY"
    suppressed = text.replace(
        "ALTER TABLE goals ENABLE",
        "-- lockstep-ignore rls-enabled-no-policy\nALTER TABLE goals ENABLE",
    )
    other = tmp_path / "suppressed"
    other.mkdir()
    assert run(other, suppressed) == []


def test_policy_rls_disabled(tmp_path: Path) -> None:
    text = GOOD.replace("ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n", "")
    found = run(tmp_path, text)
    assert codes(found) == ["policy-rls-disabled"]
    assert found[0].severity == "error"
    assert text_at(tmp_path, found[0]) == "goals"
    assert [r.message for r in found[0].related] == ["policy `own`"]


def test_policy_rls_disabled_by_a_later_disable(tmp_path: Path) -> None:
    found = run(tmp_path, GOOD + "ALTER TABLE goals DISABLE ROW LEVEL SECURITY;\n")
    assert codes(found) == ["policy-rls-disabled"]


def test_policy_rls_disabled_suppressed(tmp_path: Path) -> None:
    text = GOOD.replace("ALTER TABLE goals ENABLE ROW LEVEL SECURITY;\n", "").replace(
        "CREATE TABLE goals", "-- lockstep-ignore policy-rls-disabled\nCREATE TABLE goals"
    )
    assert run(tmp_path, text) == []


def test_policies_on_storage_objects_are_not_judged(tmp_path: Path) -> None:
    text = GOOD + (
        'CREATE POLICY "avatars" ON storage.objects FOR SELECT TO authenticated\n'
        "  USING (bucket_id = 'avatars');\n"
    )
    assert run(tmp_path, text) == []


# -- unindexed-foreign-key ---------------------------------------------------------------------
def test_unindexed_foreign_key(tmp_path: Path) -> None:
    found = run(tmp_path, GOOD.replace("CREATE INDEX idx_goals_user_id ON goals(user_id);\n", ""))
    assert codes(found) == ["unindexed-foreign-key"]
    assert text_at(tmp_path, found[0]) == "REFERENCES auth.users(id) ON DELETE CASCADE"
    assert found[0].data is not None
    assert found[0].data["fix"] == "CREATE INDEX idx_goals_user_id ON goals(user_id);"
    assert found[0].data["columns"] == ["user_id"]


def test_unindexed_foreign_key_suppressed(tmp_path: Path) -> None:
    text = GOOD.replace("CREATE INDEX idx_goals_user_id ON goals(user_id);\n", "").replace(
        "  user_id UUID", "  -- lockstep-ignore unindexed-foreign-key\n  user_id UUID"
    )
    assert run(tmp_path, text) == []


@pytest.mark.parametrize(
    "covering",
    [
        "CREATE INDEX idx_goals_user_title ON goals(user_id, title);",
        "ALTER TABLE goals ADD CONSTRAINT goals_user_title_key UNIQUE (user_id, title);",
        'CREATE UNIQUE INDEX "goals_user" ON "public"."goals" USING btree ("user_id");',
    ],
)
def test_foreign_key_covered_by_leading_columns(tmp_path: Path, covering: str) -> None:
    text = GOOD.replace("CREATE INDEX idx_goals_user_id ON goals(user_id);", covering)
    assert run(tmp_path, text) == []


def test_foreign_key_not_covered_by_a_later_column(tmp_path: Path) -> None:
    text = GOOD.replace(
        "CREATE INDEX idx_goals_user_id ON goals(user_id);",
        "CREATE INDEX idx_goals_title_user ON goals(title, user_id);",
    )
    assert codes(run(tmp_path, text)) == ["unindexed-foreign-key"]


def test_composite_primary_key_covers(tmp_path: Path) -> None:
    text = (
        "-- Link table.\nCREATE TABLE goal_tags (\n"
        "  goal_id UUID REFERENCES goals(id) ON DELETE CASCADE,\n  tag TEXT,\n"
        "  PRIMARY KEY (goal_id, tag)\n);\nALTER TABLE goal_tags ENABLE ROW LEVEL SECURITY;\n"
        'CREATE POLICY "all" ON goal_tags FOR SELECT USING (true);\n'
    )
    assert run(tmp_path, GOOD + text) == []


def test_dropped_index_uncovers(tmp_path: Path) -> None:
    assert codes(run(tmp_path, GOOD + "DROP INDEX idx_goals_user_id;\n")) == [
        "unindexed-foreign-key"
    ]


# -- foreign-key-missing-on-delete ------------------------------------------------------------
def test_foreign_key_missing_on_delete(tmp_path: Path) -> None:
    found = run(tmp_path, GOOD.replace(" ON DELETE CASCADE", ""))
    assert codes(found) == ["foreign-key-missing-on-delete"]
    assert text_at(tmp_path, found[0]) == "REFERENCES auth.users(id)"
    assert found[0].data is not None and found[0].data["references"] == "auth.users"


@pytest.mark.parametrize("action", ["SET NULL", "RESTRICT", "NO ACTION", "CASCADE"])
def test_explicit_on_delete(tmp_path: Path, action: str) -> None:
    text = GOOD.replace("ON DELETE CASCADE", f"ON DELETE {action}")
    assert run(tmp_path, text) == []


def test_foreign_key_missing_on_delete_in_alter_table(tmp_path: Path) -> None:
    text = GOOD + (
        "ALTER TABLE goals ADD COLUMN parent_id UUID;\n"
        "CREATE INDEX idx_goals_parent ON goals(parent_id);\n"
        "-- lockstep-ignore foreign-key-missing-on-delete\n"
        "ALTER TABLE ONLY goals ADD CONSTRAINT goals_parent_fkey FOREIGN KEY (parent_id) "
        "REFERENCES goals(id);\n"
        "ALTER TABLE goals ADD COLUMN next_id UUID;\n"
        "CREATE INDEX idx_goals_next ON goals(next_id);\n"
        "ALTER TABLE goals ADD CONSTRAINT goals_next_fkey FOREIGN KEY (next_id) "
        "REFERENCES goals(id);\n"
    )
    found = run(tmp_path, text)
    assert codes(found) == ["foreign-key-missing-on-delete"]
    assert found[0].range.start.line == text.count("\n") - 1


# -- missing-primary-key ----------------------------------------------------------------------
def test_missing_primary_key(tmp_path: Path) -> None:
    found = run(tmp_path, GOOD.replace(" PRIMARY KEY,", ","))
    assert codes(found) == ["missing-primary-key"]
    assert text_at(tmp_path, found[0]) == "goals"


def test_primary_key_added_later_diff_style(tmp_path: Path) -> None:
    text = GOOD.replace(" PRIMARY KEY,", ",") + (
        'ALTER TABLE ONLY "public"."goals" ADD CONSTRAINT "goals_pkey" PRIMARY KEY ("id");\n'
    )
    assert run(tmp_path, text) == []


def test_missing_primary_key_suppressed(tmp_path: Path) -> None:
    text = GOOD.replace(" PRIMARY KEY,", ",").replace(
        "CREATE TABLE goals", "-- lockstep-ignore missing-primary-key\nCREATE TABLE goals"
    )
    assert run(tmp_path, text) == []


def test_partitions_inherit_the_primary_key(tmp_path: Path) -> None:
    text = (
        "-- Events by month.\nCREATE TABLE events (\n  id BIGINT NOT NULL,\n"
        "  at TIMESTAMPTZ NOT NULL,\n  PRIMARY KEY (id, at)\n) PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') "
        "TO ('2025-01-01');\n"
    )
    config = '[rls]\ninternal_tables = ["events", "events_2024"]\n'
    revoked = text + "REVOKE ALL ON events, events_2024 FROM anon, authenticated;\n"
    assert run(tmp_path, revoked, config) == []


# -- severity config and broken input ----------------------------------------------------------
def test_severity_from_config(tmp_path: Path) -> None:
    found = run(tmp_path, NO_RLS, '[rules]\nrls-disabled = "warning"\n')
    assert [(d.code, d.severity) for d in found] == [("rls-disabled", "warning")]


def test_broken_sql_crlf_and_bom_do_not_raise(tmp_path: Path) -> None:
    text = "\ufeff" + NO_RLS.replace("\n", "\r\n") + "ALTER TABL goals oops;\r\nCREATE TABLE (\r\n"
    found = run(tmp_path, text)
    assert codes(found) == ["rls-disabled"]
    assert text_at(tmp_path, found[0]) == "goals"


# -- fixtures ----------------------------------------------------------------------------------
def fixture_diagnostics(root: Path) -> list[Diagnostic]:
    workspace = Workspace(root)
    workspace.load()
    return [d for items in run_rules(workspace).values() for d in items]


@pytest.mark.parametrize("clean_repo", ["toney-clean", "supabase-cli"], indirect=True)
def test_clean_fixtures_have_none_of_our_findings(clean_repo: Path) -> None:
    found = [d for d in fixture_diagnostics(clean_repo) if d.code in OURS]
    assert found == []


@pytest.mark.parametrize(
    "root",
    sorted(p for p in (REPO / "tests/fixtures/replay").iterdir() if p.is_dir()),
    ids=lambda p: p.name,
)
def test_replay_fixtures_do_not_crash(root: Path) -> None:
    fixture_diagnostics(root)


def test_demo_shows_exactly_the_deliberate_findings() -> None:
    root = REPO / "examples/toney"
    found = sorted(
        (d.code, d.path.rpartition("/")[2], d.range.start.line + 1)
        for d in fixture_diagnostics(root)
        if d.code in OURS
    )
    readme = (root / "README.md").read_text()
    expected = sorted(
        (code, Path(path).name, int(line))
        for code, path, line in re.findall(r"\| `([a-z-]+)` \| `([^`]+)` \| (\d+) \|", readme)
        if code in OURS
    )
    assert expected == [
        ("foreign-key-missing-on-delete", "008_focus_areas.sql", 6),
        ("sim-mirror-drift", "016_wins_energy_level.sql", 3),
        ("unindexed-foreign-key", "009_llm_usage.sql", 6),
    ]
    assert found == expected


def test_on_delete_outside_toney_only_for_rows_supabase_deletes(tmp_path: Path) -> None:
    """A CLI project leaves app references NO ACTION on purpose (nextjs-subscription-payments'
    prices → products); a reference to auth.users still fails when a user is deleted."""
    text = (
        "create table teams (id uuid primary key);\n"
        "create table goals (id uuid primary key,\n"
        "  user_id uuid not null references auth.users(id),\n"
        "  team_id uuid not null references teams(id));\n"
    )
    files = {"supabase/config.toml": 'project_id = "x"\n',
             "supabase/migrations/20240101000000_goals.sql": text}
    flagged = [text_at(tmp_path, d) for d in diagnostics_for(tmp_path, files)
               if d.code == "foreign-key-missing-on-delete"]
    assert len(flagged) == 1 and "auth.users" in flagged[0]
    (tmp_path / "toney").mkdir()
    toney = {migration("001_goals.sql"): text}
    assert len([d for d in diagnostics_for(tmp_path / "toney", toney)
                if d.code == "foreign-key-missing-on-delete"]) == 2


def test_always_true_names_who_it_admits(tmp_path: Path) -> None:
    """`TO authenticated WITH CHECK (true)` admits every signed-in user, not anyone (onlook)."""
    text = GOOD + (
        'create policy "members add" on goals for insert to authenticated with check (true);\n'
        'create policy "anyone adds" on goals for insert with check (true);\n')
    messages = [d.message for d in diagnostics_for(tmp_path, {migration("001_goals.sql"): text})
                if d.code == "rls-policy-always-true"]
    assert sorted(m.split(" INSERT")[0] for m in messages) == [
        "Policy `anyone adds` lets anyone", "Policy `members add` lets any signed-in user"]
