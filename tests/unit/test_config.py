"""lockstep.toml: typed, validated, and a mistake never switches the defaults off."""

from __future__ import annotations

from lockstep.core.config import Config, apply_settings, load_config


def test_no_file_means_defaults() -> None:
    config, problems = load_config(None)
    assert config == Config() and problems == []
    assert config.migration_paths == ("supabase/migrations",)
    assert config.internal_tables == ("llm_usage",)


def test_valid_file() -> None:
    config, problems = load_config("""
[migrations]
paths = ["db/migrations", "supabase/migrations"]
[types.map]
Win = "wins"
[rules]
rls-disabled = "off"
[[deploy.targets]]
name = "DEV"
project_ref = "dpunrkhndskfmtdajesi"
""")
    assert problems == []
    assert config.migration_paths == ("db/migrations", "supabase/migrations")
    assert config.types_map == {"Win": "wins"}
    assert config.rules == {"rls-disabled": "off"}
    assert config.deploy_targets[0].sql_editor_url.endswith("/dpunrkhndskfmtdajesi/sql/new")


def test_unknown_keys_and_wrong_types_are_reported_with_their_line() -> None:
    config, problems = load_config('[migrations]\npaths = "one"\nbogus = 1\n[nope]\nx = 1\n')
    assert config.migration_paths == ("supabase/migrations",)
    assert [(p.range.start.line, p.message.split("`")[1]) for p in problems] == [
        (1, "migrations.paths"), (2, "migrations.bogus"), (3, "[nope]")]


def test_bad_severity_and_bad_toml() -> None:
    _, problems = load_config('[rules]\nrls-disabled = "of"\n')
    assert "must be one of" in problems[0].message
    config, problems = load_config("[rules\n")
    assert config == Config() and "not valid TOML" in problems[0].message


def test_editor_settings_override_the_file() -> None:
    base, _ = load_config('[rules]\nrls-disabled = "off"\n')
    merged, problems = apply_settings(base, {"rules": {"missing-primary-key": "error"},
                                             "types": {"path": "types"}})
    assert problems == []
    assert merged.rules == {"rls-disabled": "off", "missing-primary-key": "error"}
    assert merged.types_path == "types"


def test_problems_point_into_the_right_table() -> None:
    text = (
        '[types]\npath = "packages/types/src"\n\n'
        '[migrations]\npath = "db"\n\n'
        '[rules]\nrls-disabled = "off"\nmissing-primary-key = "loud"\n'
    )
    config, problems = load_config(text)
    assert [(p.range.start.line, p.section, p.key) for p in problems] == [
        (4, "migrations", "path"), (8, "rules", "missing-primary-key")]
    assert config.rules == {"rls-disabled": "off"}
