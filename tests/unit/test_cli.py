"""The command line: formats, exit codes, shown paths, schema JSON (contracts in DESIGN.md)."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

from lockstep.cli.main import main
from lockstep.core.diagnostics import Diagnostic

BROKEN = "-- what\nALTER TABLE wins ADD COLUMN mood TEXT DEFALT 'ok';\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    migrations = tmp_path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "001_wins.sql").write_text(
        "-- Wins.\nCREATE TABLE wins (id uuid PRIMARY KEY, note text);\n"
        "ALTER TABLE wins ENABLE ROW LEVEL SECURITY;\n"
        "CREATE POLICY \"read\" ON wins FOR SELECT USING (true);\n")
    (migrations / "002_mood.sql").write_text(BROKEN)
    return tmp_path


def test_check_text_and_exit_codes(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert out == ("supabase/migrations/002_mood.sql:2:39: error migration-syntax-error "
                   "Syntax error at or near \"DEFALT\"\n"
                   "1 error, 0 warnings in 1 file\n")
    (repo / "supabase/migrations/002_mood.sql").write_text(BROKEN.replace("DEFALT", "DEFAULT"))
    assert main(["check", str(repo)]) == 0
    assert capsys.readouterr().out == ""  # clean: not even a summary


def test_summary_counts_findings_and_files(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "supabase/migrations/003_more.sql").write_text(
        "ALTER TABLE wins ADD COLUMN a text;\nALTER TABLE wins ADD COLUMN b text DEFALT 1;\n")
    assert main(["check", str(repo)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "2 errors, 1 warning in 2 files"
    assert len(lines) == 4


def test_summary_names_information_and_hints_only_when_present() -> None:
    from lockstep.cli.report import summary
    from lockstep.core.text import Range

    def finding(path: str, severity: str) -> Diagnostic:
        return Diagnostic(path, Range.empty(), severity, "x", "m")

    assert summary([finding("a", "hint"), finding("b", "information"),
                    finding("b", "hint")]) == (
        "0 errors, 0 warnings, 1 information, 2 hints in 2 files")


def test_text_and_github_paths_are_relative_to_the_current_folder(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check sendapp` from the folder above prints `sendapp/…`: clickable, and what a GitHub
    annotation (resolved against the checkout) needs; JSON and SARIF stay ROOT-relative."""
    monkeypatch.chdir(repo.parent)
    main(["check", repo.name])
    assert capsys.readouterr().out.startswith(
        f"{repo.name}/supabase/migrations/002_mood.sql:2:39: error")
    main(["check", repo.name, "--format", "github"])
    assert capsys.readouterr().out.startswith(
        f"::error file={repo.name}/supabase/migrations/002_mood.sql,line=2,")
    main(["check", repo.name, "--format", "json"])
    [item] = json.loads(capsys.readouterr().out)["diagnostics"]
    assert item["path"] == "supabase/migrations/002_mood.sql"
    main(["check", repo.name, "--format", "sarif"])
    [result] = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "supabase/migrations/002_mood.sql"


def test_paths_outside_the_current_folder_are_absolute(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = repo / "apps"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    main(["check", str(repo)])
    absolute = (repo / "supabase/migrations/002_mood.sql").resolve()
    assert capsys.readouterr().out.startswith(f"{absolute.as_posix()}:2:39: error")


def test_check_walks_up_from_a_subfolder(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from supabase/migrations/ (or with it as ROOT), `check` sees the whole workspace."""
    migrations = repo / "supabase" / "migrations"
    monkeypatch.chdir(migrations)
    assert main(["check"]) == 1
    assert capsys.readouterr().out.startswith("002_mood.sql:2:39: error migration-syntax-error")
    monkeypatch.chdir(repo.parent)
    assert main(["check", str(migrations), "--format", "json"]) == 1
    [item] = json.loads(capsys.readouterr().out)["diagnostics"]
    assert item["path"] == "supabase/migrations/002_mood.sql"


def test_check_json_is_the_lsp_shape(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(repo), "--format", "json"])
    [item] = json.loads(capsys.readouterr().out)["diagnostics"]
    assert item == {
        "path": "supabase/migrations/002_mood.sql",
        "range": {"start": {"line": 1, "character": 38}, "end": {"line": 1, "character": 44}},
        "severity": "error", "code": "migration-syntax-error",
        "message": "Syntax error at or near \"DEFALT\"",
    }


def test_check_github_and_sarif(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    main(["check", "--format", "github"])
    assert capsys.readouterr().out.startswith(
        "::error file=supabase/migrations/002_mood.sql,line=2,col=39,endLine=2,endColumn=45,")
    main(["check", str(repo), "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "migration-syntax-error"
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == 39
    assert sarif["runs"][0]["tool"]["driver"]["version"] == version("lockstep-lsp")


def test_fail_on(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "supabase/migrations/002_mood.sql").write_text("ALTER TABLE wins ADD COLUMN m text;")
    assert main(["check", str(repo)]) == 0  # only a warning (missing comment)
    assert main(["check", str(repo), "--fail-on", "warning"]) == 1
    capsys.readouterr()


def test_usage_and_config_errors_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(repo / "nope")]) == 2
    assert main(["check", "--format", "xml", str(repo)]) == 2
    (repo / "lockstep.toml").write_text("[rules]\nrls-disabled = 3\n")
    assert main(["check", str(repo)]) == 2
    assert "invalid-config" in capsys.readouterr().out
    (repo / "lockstep.toml").write_text('[rules]\nrls-disabld = "off"\n')
    assert main(["check", str(repo), "--format", "json"]) == 2
    [config] = [d for d in json.loads(capsys.readouterr().out)["diagnostics"]
                if d["path"] == "lockstep.toml"]
    assert config["code"] == "invalid-config"
    assert config["message"] == "Unknown rule `rls-disabld`. Did you mean `rls-disabled`?"


def test_schema_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", str(repo / "supabase" / "migrations"), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"tables", "enums", "views"}
    [wins] = document["tables"]
    assert wins == {
        "schema": "public", "name": "wins", "rls_enabled": True,
        "defined_in": "supabase/migrations/001_wins.sql",
        "columns": [
            {"name": "id", "type": "uuid", "nullable": False, "default": None,
             "primary_key": True},
            {"name": "note", "type": "text", "nullable": True, "default": None,
             "primary_key": False},
        ],
        "foreign_keys": [],
        "indexes": [{"name": "wins_pkey", "columns": ["id"], "unique": True}],
        "policies": [{"name": "read", "command": "SELECT"}],
    }


REPO = Path(__file__).resolve().parents[2]
DEMO_FINDINGS = [  # examples/toney/README.md lists each one and why it is true
    ("apps/admin/src/app/api/simulator/personas/clone/route.ts", "clone-missing-column"),
    ("apps/admin/src/app/api/simulator/personas/clone/route.ts", "clone-missing-column"),
    ("apps/admin/src/lib/queries/sessions.ts", "unknown-column-reference"),
    ("apps/admin/src/lib/queries/wins.ts", "unknown-table-reference"),
    ("packages/types/src/sessions.ts", "type-unknown-field"),
    ("packages/types/src/wins.ts", "type-missing-field"),
    ("supabase/migrations/008_focus_areas.sql", "foreign-key-missing-on-delete"),
    ("supabase/migrations/009_llm_usage.sql", "unindexed-foreign-key"),
    ("supabase/migrations/011_mood_grateful.sql", "migration-missing-comment"),
    ("supabase/migrations/014_drop_session_rating.sql", "drop-breaks-consumers"),
    ("supabase/migrations/016_wins_energy_level.sql", "sim-mirror-drift"),
]


def test_the_demo_shows_exactly_its_deliberate_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", str(REPO / "examples" / "toney"), "--format", "json"]) == 1
    found = [(d["path"], d["code"]) for d in json.loads(capsys.readouterr().out)["diagnostics"]]
    assert found == DEMO_FINDINGS


@pytest.mark.parametrize("clean_repo", ["toney-clean", "supabase-cli"], indirect=True)
def test_a_correct_workflow_prints_nothing(
    clean_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for style in ("text", "github"):
        assert main(["check", str(clean_repo), "--format", style]) == 0
        assert capsys.readouterr().out == ""
