"""lockstep.toml: typed, validated, and a mistake never switches the defaults off."""

from __future__ import annotations

from pathlib import Path

from rule_helpers import diagnostics_for

from lockstep.core.config import Config, apply_settings, load_config
from lockstep.core.rules.engine import run_rules
from lockstep.core.rules.registry import RULES
from lockstep.core.workspace import Workspace


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


def test_unknown_keys_say_what_was_meant() -> None:
    text = (
        'clone = 1\n'
        '[migratons]\npaths = ["db"]\n'
        '[types]\npath = "src"\nindx = "src/index.ts"\n'
        '[[deploy.targets]]\nname = "DEV"\nprojet_ref = "abc"\n'
    )
    config, problems = load_config(text)
    assert [(p.range.start.line, p.message) for p in problems] == [
        (0, "`clone` must be a table of settings"),
        (1, "Unknown section `[migratons]`. Did you mean `[migrations]`?"),
        (5, "Unknown setting `types.indx`. Did you mean `index`?"),
        (8, "Unknown setting `deploy.targets.projet_ref`: the deploy targets are ignored. "
            "Did you mean `project_ref`?"),
    ]
    assert config.types_path == "src" and config.deploy_targets == ()
    _, problems = load_config('[migrations]\npaths = ["db"]\npath = "x"\nzzz = 1\n')
    assert [p.message for p in problems] == [  # a key already set is no suggestion
        "Unknown setting `migrations.path`", "Unknown setting `migrations.zzz`"]


def test_unknown_rule_names_are_invalid_config_on_the_key(tmp_path: Path) -> None:
    config = '[rules]\nrls-disabled = "off"\n  rls-disabld = "warning"\nzzz-qqq = "off"\n'
    found = [d for d in diagnostics_for(tmp_path, {}, config) if d.code == "invalid-config"]
    assert [(d.path, d.range.start.line, d.range.start.character, d.range.end.character,
             d.message) for d in found] == [
        ("lockstep.toml", 2, 2, 13, "Unknown rule `rls-disabld`. Did you mean `rls-disabled`?"),
        ("lockstep.toml", 3, 0, 7, "Unknown rule `zzz-qqq`"),
    ]
    assert found[0].data == {"section": "rules", "key": "rls-disabld"}


def test_unknown_rule_names_in_editor_settings(tmp_path: Path) -> None:
    (tmp_path / "supabase").mkdir()
    workspace = Workspace(tmp_path, {"rules": {"missing-primary-kee": "off"}})
    workspace.load()
    found = [d for d in run_rules(workspace).get("lockstep.toml", [])]
    assert [d.message for d in found] == [
        "Editor setting: Unknown rule `missing-primary-kee`. Did you mean `missing-primary-key`?"]


def test_every_documented_rule_name_is_accepted(tmp_path: Path) -> None:
    config = "[rules]\n" + "".join(f'{name} = "warning"\n' for name in sorted(RULES))
    assert not [d for d in diagnostics_for(tmp_path, {}, config) if d.code == "invalid-config"]
